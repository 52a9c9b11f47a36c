namespace IkeSharp.Interop.Tests;

/// <summary>
/// Against strongSwan: a trap policy brings the tunnel up on the first packet; reauthentication
/// (reauth_time) sets up a fresh IKE SA; a packet limit (rekey_packets) rekeys the Child SA. Each
/// with traffic through the TUN device before and after.
/// </summary>
public class LifecycleInteropTests
{
    [Fact]
    public void Start_action_trap_brings_the_tunnel_up_when_our_lan_sends_to_theirs()
    {
        using Scenario s = Scenario.Start("trap", InteropTests.PskX25519, oursInitiates: true, ourOptions: new OurOptions(StartAction: "trap"));

        // Nothing is negotiated until traffic comes: a trap policy and its route only.
        s.WaitFor(() => s.Ours.Cli("status").Output.Contains("lab/net: TRAP", StringComparison.Ordinal), "the trap policy in our status");
        s.Check(s.OurIkeSaCount() == 0 && s.TheirIkeSaCount() == 0, "no IKE SA before traffic");

        // The first echo requests are dropped while the SA is negotiated; the tunnel is up soon after.
        s.WaitFor(() => s.Ping(fromOurs: true, count: 1).Ok, "a ping from our LAN to get through after the acquire", seconds: 30);
        s.Check(s.OurChildren().Count == 1 && s.TheirChildCount() == 1, "one Child SA at each end");
        s.Check(s.Ours.Log.Contains("acquire for", StringComparison.Ordinal), "the acquire is logged");
        s.MustPing(fromOurs: false, "after the trap brought the tunnel up");
    }

    [Fact]
    public void Reauthentication_replaces_the_ike_sa_and_traffic_resumes()
    {
        using Scenario s = Scenario.Start("reauth", InteropTests.PskX25519, oursInitiates: true,
            ourOptions: new OurOptions(Connection: "reauth_time = \"8s\"\nrand_time = \"0s\""));
        s.Up(oursInitiates: true);
        string first = s.OurIkeSpis();
        s.MustPing(fromOurs: true, "before reauthentication");

        // Break-before-make (strongSwan's default): the old IKE SA goes, a new one is authenticated.
        s.WaitFor(() => s.OurIkeSpis() is var now && now.Length > 0 && now != first && s.OurChildren().Count == 1 && s.TheirChildCount() == 1,
            "a new IKE SA with its Child SA after reauth_time", seconds: 30);
        s.WaitFor(() => s.Ping(fromOurs: true).Ok, "traffic through the reauthenticated tunnel");
        s.Check(s.TheirIkeSaCount() == 1, "strongSwan holds one IKE SA, the new one");
        s.Check(s.Ours.Log.Contains("IKE SA deleted", StringComparison.Ordinal), "the old IKE SA's deletion is logged");
    }

    [Fact]
    public void A_packet_limit_rekeys_the_child_sa_with_strongswan_and_traffic_continues()
    {
        using Scenario s = Scenario.Start("limit", InteropTests.PskX25519, oursInitiates: true,
            ourOptions: new OurOptions(Child: "rekey_packets = 40\nlife_packets = 100000"));
        s.Up(oursInitiates: true);
        string before = s.OurChildren()[0].GetProperty("spi_in").GetString()!;

        // Ten echo requests and ten replies cross each direction; 40 packets in either direction rekey.
        for (int i = 0; i < 5 && s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() == before; i++)
        {
            s.Ping(fromOurs: true, count: 10);
        }

        s.WaitFor(() => s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() != before && s.TheirChildCount() == 1,
            "the Child SA rekeyed after rekey_packets, one at each end");
        s.Check(s.Ours.Log.Contains("rekey byte/packet limit", StringComparison.Ordinal), "the limit is logged as the reason");
        s.MustPing(fromOurs: true, "after the packet-limit rekey");
        s.MustPing(fromOurs: false, "after the packet-limit rekey");
    }
}

public class RestartInteropTests
{
    [Fact]
    public void After_a_crash_and_restart_initial_contact_clears_strongswans_stale_sas()
    {
        using Scenario s = Scenario.Start("crash", InteropTests.PskX25519, oursInitiates: true, ourOptions: new OurOptions(StartAction: "start"));
        s.WaitFor(() => s.OurChildren().Count == 1 && s.TheirChildCount() == 1, "start_action = start brings the tunnel up");
        string before = s.OurIkeSpis();

        // kill -9: strongSwan still holds the old IKE SA and Child SA.
        s.Ours.Crash();
        s.Check(s.TheirIkeSaCount() == 1, "strongSwan keeps the stale IKE SA after our crash");

        // Restarted, we initiate again with INITIAL_CONTACT (RFC 7296 §2.4): strongSwan drops the stale SAs.
        s.Ours.Start();
        s.WaitFor(() => s.OurChildren().Count == 1 && s.OurIkeSpis() != before, "the tunnel back up after the restart", seconds: 30);
        s.WaitFor(() => s.TheirIkeSaCount() == 1 && s.TheirChildCount() == 1, "strongSwan left with only the new IKE SA and Child SA");
        s.MustPing(fromOurs: true, "after the restart");
        s.MustPing(fromOurs: false, "after the restart");
    }
}

/// <summary>
/// A hostile network (issue 7 §3): 20% loss, 20% duplication and 20% reordering both ways between
/// our daemon and strongSwan (relay.py, which also makes it look like a NAT). The tunnel comes up,
/// both kinds of SA rekey, traffic resumes after each, and a delete leaves both ends clean.
/// </summary>
public class LossyNetworkInteropTests
{
    [Fact]
    public void Over_a_lossy_duplicating_reordering_path_the_tunnel_comes_up_rekeys_and_goes_down_clean()
    {
        using Scenario s = Scenario.Start("lossy", InteropTests.PskX25519, oursInitiates: true, relaySeed: 7, ourOptions: new OurOptions(RetransmitTries: 8));
        Shell.Result up = s.Ours.Cli("up", "lab", "--timeout", "60");
        s.Check(up.Ok, $"ikesharp up over the lossy path failed: {up.Output}");
        s.WaitFor(() => s.OurChildren().Count == 1 && s.TheirChildCount() == 1, "one Child SA at each end", seconds: 60);
        s.WaitFor(() => s.Ping(fromOurs: true, count: 1).Ok, "a ping through the tunnel", seconds: 30);

        string child = s.OurChildren()[0].GetProperty("spi_in").GetString()!;
        s.Check(s.Ours.Cli("rekey", "lab", "--child").Ok, "ikesharp rekey --child");
        s.WaitFor(() => s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() != child && s.TheirChildCount() == 1, "the Child SA rekeyed, one at each end", seconds: 60);
        s.WaitFor(() => s.Ping(fromOurs: true, count: 1).Ok, "a ping after the Child SA rekey", seconds: 30);

        string ike = s.OurIkeSpis();
        s.Check(s.Ours.Cli("rekey", "lab").Ok, "ikesharp rekey");
        s.WaitFor(() => s.OurIkeSaCount() == 1 && s.TheirIkeSaCount() == 1 && s.OurIkeSpis() != ike, "the IKE SA rekeyed, one at each end", seconds: 60);
        s.WaitFor(() => s.Ping(fromOurs: false, count: 1).Ok, "a ping after the IKE SA rekey", seconds: 30);

        Shell.Result down = s.Ours.Cli("down", "lab", "--timeout", "60");
        s.Check(down.Ok, $"ikesharp down over the lossy path: {down.Output}");
        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirIkeSaCount() == 0 && s.TheirChildCount() == 0, "no SA left at either end", seconds: 90);
        s.StopRelay();
        s.Check(s.RelayCounts.Contains("dropped=", StringComparison.Ordinal) && !s.RelayCounts.Contains("dropped=0 ", StringComparison.Ordinal), $"the relay really dropped datagrams: {s.RelayCounts}");
        Console.WriteLine($"lossy relay: {s.RelayCounts}");
    }
}

public class CloseActionInteropTests
{
    [Fact]
    public void Close_action_start_recreates_the_child_sa_strongswan_closed()
    {
        using Scenario s = Scenario.Start("close", InteropTests.PskX25519, oursInitiates: true, ourOptions: new OurOptions(Child: "close_action = \"start\""));
        s.Up(oursInitiates: true);
        string before = s.OurChildren()[0].GetProperty("spi_in").GetString()!;
        string ike = s.OurIkeSpis();

        Shell.Result close = s.Swan.Swan("--terminate", "--child", "net", "--timeout", "10");
        s.Check(close.Ok, $"swanctl --terminate --child failed: {close.Output}");

        // Our daemon sets the Child SA up again at once, with CREATE_CHILD_SA in the same IKE SA.
        s.WaitFor(() => s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() != before && s.TheirChildCount() == 1, "a new Child SA after strongSwan closed the old one");
        s.Check(s.OurIkeSpis() == ike, "the same IKE SA");
        s.MustPing(fromOurs: true, "after the Child SA came back");
    }
}
