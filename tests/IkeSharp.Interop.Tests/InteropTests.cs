namespace IkeSharp.Interop.Tests;

/// <summary>
/// Our daemon against Debian's strongSwan 5.9 (charon with kernel-libipsec) in network namespaces,
/// with traffic through the tunnel: every cell of issue 5's table, with us as initiator and as
/// responder. These need root, ip netns, /dev/net/tun, strongSwan and iperf3; scripts/test.sh
/// installs and checks them.
/// </summary>
public class InteropTests
{
    internal static readonly Cell PskModp2048 = new("psk-modp2048", "aes256-sha256-modp2048", "aes256-sha256");
    internal static readonly Cell PskX25519 = new("psk-x25519", "aes128gcm16-prfsha256-x25519", "aes128gcm16");
    internal static readonly Cell EcdsaCerts = new("ecdsa-ecp384", "aes256gcm16-prfsha384-ecp384", "aes256gcm16", "pubkey", "ecdsa");
    internal static readonly Cell RsaCerts = new("rsa-ecp256", "aes128-sha256-ecp256", "aes128-sha256", "pubkey", "rsa");
    internal static readonly Cell PskChaCha = new("psk-chacha", "chacha20poly1305-prfsha256-x25519", "chacha20poly1305");

    private static readonly Cell[] All = [PskModp2048, PskX25519, EcdsaCerts, RsaCerts, PskChaCha];

    public static TheoryData<string, bool> Cells()
    {
        var data = new TheoryData<string, bool>();
        foreach (Cell cell in All)
        {
            data.Add(cell.Name, true);
            data.Add(cell.Name, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Tunnel_comes_up_and_carries_ping_and_udp_both_ways(string cellName, bool oursInitiates)
    {
        Cell cell = All.Single(c => c.Name == cellName);
        using Scenario s = Scenario.Start("t", cell, oursInitiates);
        s.Up(oursInitiates);

        s.MustPing(fromOurs: true, "after setup");
        s.MustPing(fromOurs: false, "after setup");
        long toThem = s.UdpStream(fromOurs: true);
        long toUs = s.UdpStream(fromOurs: false);
        s.Check(toThem > 100 && toUs > 100, $"UDP streams delivered {toThem} and {toUs} datagrams");

        (long ourIn, long ourOut) = s.OurBytes();
        (long theirIn, long theirOut) = s.TheirBytes();
        s.Check(ourIn > 0 && ourOut > 0 && theirIn > 0 && theirOut > 0, $"counters: ours in {ourIn} out {ourOut}, strongSwan in {theirIn} out {theirOut}");

        // Delete from the side that did not initiate: both ends end clean.
        if (oursInitiates)
        {
            Shell.Result down = s.Swan.Swan("--terminate", "--ike", "lab", "--timeout", "10");
            s.Check(down.Ok, $"swanctl --terminate failed: {down.Output}");
        }
        else
        {
            Shell.Result down = s.Ours.Cli("down", "lab");
            s.Check(down.Ok, $"ikesharp down failed: {down.Output}");
        }

        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirIkeSaCount() == 0, "no IKE SA left at either end");
        s.Check(!s.Ours.HasExited, "our daemon is still running");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ipv6_outside_and_inside_the_tunnel(bool oursInitiates)
    {
        using Scenario s = Scenario.Start(oursInitiates ? "v6i" : "v6r", PskX25519, oursInitiates, ipv6: true);
        s.Up(oursInitiates);
        s.MustPing(fromOurs: true, "over IPv6");
        s.MustPing(fromOurs: false, "over IPv6");
        long toThem = s.UdpStream(fromOurs: true);
        s.Check(toThem > 100, $"an IPv6 UDP stream delivered {toThem} datagrams");
        s.Check(s.OurChildren()[0].GetProperty("remote_ts").GetString() == "fd02::/64", "the Child SA's selectors are IPv6");
        s.Check(s.Ours.Cli("status").Output.Contains("[fd00:99::2]:4500", StringComparison.Ordinal), "the IKE SA runs over IPv6 (UDP-encapsulated, as kernel-libipsec wants)");
    }

    /// <summary>
    /// TCP both ways, with our data plane's offloads on (the default) and off: what the TUN device
    /// hands us as 64 KiB super-packets must reach strongSwan (kernel-libipsec, no offloads) as
    /// standard ESP in MTU-sized UDP datagrams with correct inner checksums, and its segments must be
    /// merged back into what our host's TCP accepts.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Tcp_streams_cross_the_tunnel_both_ways_with_and_without_offloads(bool offload)
    {
        using Scenario s = Scenario.Start(offload ? "tcpo" : "tcpp", PskX25519, oursInitiates: true, ourOptions: offload ? null : new OurOptions(Daemon: "offload = false"));
        s.Up(oursInitiates: true);
        s.Check(s.Ours.Log.Contains(offload ? "offloads csum+tso4+tso6" : "offloads off", StringComparison.Ordinal), $"the TUN device's offloads as configured:\n{s.Ours.Log}");
        long toThem = s.TcpStream(fromOurs: true);
        long toUs = s.TcpStream(fromOurs: false);
        s.Check(toThem > 1_000_000 && toUs > 1_000_000, $"TCP streams delivered {toThem} and {toUs} octets");
        s.MustPing(fromOurs: true, "after the TCP streams");
        s.Check(!s.Ours.HasExited, "our daemon is still running");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Child_and_ike_rekeys_started_by_either_side_keep_traffic_flowing(bool oursRekeys)
    {
        using Scenario s = Scenario.Start("r", PskX25519, oursInitiates: true);
        s.Up(oursInitiates: true);
        string before = s.OurChildren()[0].GetProperty("spi_in").GetString()!;

        if (oursRekeys)
        {
            Shell.Result rekey = s.Ours.Cli("rekey", "lab", "--child");
            s.Check(rekey.Ok, $"ikesharp rekey --child failed: {rekey.Output}");
        }
        else
        {
            Shell.Result rekey = s.Swan.Swan("--rekey", "--child", "net");
            s.Check(rekey.Ok, $"swanctl --rekey --child failed: {rekey.Output}");
        }

        s.WaitFor(() => s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() != before && s.TheirChildCount() == 1, "a new Child SA replacing the old one at both ends");
        s.MustPing(fromOurs: true, "after the Child SA rekey");
        s.MustPing(fromOurs: false, "after the Child SA rekey");

        string ikeBefore = s.OurIkeSpis();
        if (oursRekeys)
        {
            Shell.Result rekey = s.Ours.Cli("rekey", "lab");
            s.Check(rekey.Ok, $"ikesharp rekey failed: {rekey.Output}");
        }
        else
        {
            Shell.Result rekey = s.Swan.Swan("--rekey", "--ike", "lab");
            s.Check(rekey.Ok, $"swanctl --rekey --ike failed: {rekey.Output}");
        }

        s.WaitFor(() => s.OurIkeSaCount() == 1 && s.TheirIkeSaCount() == 1 && s.OurIkeSpis() != ikeBefore, "one IKE SA with new SPIs at each end after the IKE rekey");
        s.MustPing(fromOurs: true, "after the IKE SA rekey");
        s.Check(s.OurChildren().Count == 1, "the Child SA moved to the new IKE SA");
    }

    [Fact]
    public void Dead_peer_detection_clears_the_sa_when_strongswan_is_killed()
    {
        using Scenario s = Scenario.Start("d", PskX25519, oursInitiates: true, ourDpd: 1);
        s.Up(oursInitiates: true);
        s.Swan.Kill();

        // dpd_delay 1 s, then retransmissions at 1, 1.4, 1.96 s (3 tries) before the SA is declared dead.
        s.WaitFor(() => s.OurIkeSaCount() == 0, "our daemon to notice the dead peer and delete the SA", seconds: 30);
        s.Check(s.Ours.Log.Contains("IKE SA deleted", StringComparison.Ordinal), "the deletion is logged");
        s.Check(!s.Ours.HasExited, "our daemon is still running");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Wrong_psk_fails_authentication_installs_nothing_and_the_daemon_keeps_serving(bool oursInitiates)
    {
        using Scenario s = Scenario.Start("p", PskX25519, oursInitiates, theirPsk: "a-different-psk-entirely-000");
        Shell.Result up = oursInitiates ? s.Ours.Cli("up", "lab", "--timeout", "15") : s.Swan.Swan("--initiate", "--child", "net", "--timeout", "15");
        s.Check(!up.Ok, $"the tunnel must not come up with a wrong PSK: {up.Output}");
        if (oursInitiates)
        {
            s.Check(up.Output.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal), $"the reason names AUTHENTICATION_FAILED: {up.Output}");
        }
        else
        {
            s.WaitFor(() => s.Ours.Log.Contains("authentication failed", StringComparison.Ordinal), "our log to say why");
        }

        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirChildCount() == 0, "nothing installed at either end");
        s.Check(s.Ours.Cli("status").Ok, "the daemon still answers");
    }

    [Fact]
    public void Untrusted_certificate_fails_authentication_and_installs_nothing()
    {
        // strongSwan presents a certificate from a CA we do not trust.
        using var rogue = new TempDir();
        var roguePki = new Pki(rogue.Path, "ecdsa");
        using Scenario s = Scenario.Start("u", EcdsaCerts, oursInitiates: true, theirPki: roguePki);
        Shell.Result up = s.Ours.Cli("up", "lab", "--timeout", "15");
        s.Check(!up.Ok, $"the tunnel must not come up with an untrusted certificate: {up.Output}");
        s.Check(up.Output.Contains("not trusted", StringComparison.Ordinal) || s.Ours.Log.Contains("not trusted", StringComparison.Ordinal), $"the reason says the certificate is not trusted: {up.Output}");
        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirChildCount() == 0, "nothing installed at either end");
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ikesharp-pki-" + Guid.NewGuid().ToString("N")[..8]);

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, true);
            }
        }
    }
}
