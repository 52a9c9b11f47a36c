namespace IkeSharp.Interop.Tests;

/// <summary>
/// A full-tunnel road warrior against strongSwan: our remote selector is 0.0.0.0/0 (strongSwan's
/// local_ts too). The route into the tunnel goes into our table 220, never the main table, whose
/// default route stays as it was; the peer's own address stays outside the tunnel (a throw route),
/// so IKE (rekeys) and ESP keep reaching it; after the SA, after a clean stop and after a restart
/// that follows a kill -9 nothing of ours is left in the table or the rules.
/// </summary>
public class FullTunnelInteropTests
{
    /// <summary>A default route as a host has one (the gateway is never used: the test sends only through the tunnel and to the peer).</summary>
    private const string Gateway = "10.99.0.254";

    private static string Ip(Scenario s, params string[] args) => Shell.Must("ip", ["-n", s.Lab.Ours, .. args]).Output;

    private static string Table220(Scenario s) => Ip(s, "route", "show", "table", "220");

    private static int Rules220(Scenario s, string family) =>
        Ip(s, family, "rule", "show").Split('\n').Count(l => l.Trim().Replace('\t', ' ') == "220: from all lookup 220");

    [Fact]
    public void A_full_tunnel_leaves_the_main_table_alone_keeps_the_peer_reachable_and_cleans_up()
    {
        using Scenario s = Scenario.Start("routes-full", InteropTests.PskX25519, oursInitiates: true,
            ourOptions: new OurOptions(RemoteTs: "0.0.0.0/0"), theirLocalTs: "0.0.0.0/0");
        Ip(s, "route", "add", "default", "via", Gateway, "dev", "isx-va");
        string main = Ip(s, "route", "show");
        s.Check(Rules220(s, "-4") == 1 && Rules220(s, "-6") == 1, $"our rule 'from all lookup 220' at priority 220, once per family:\n{Ip(s, "rule", "show")}");

        s.Up(oursInitiates: true);
        string table = Table220(s);
        s.Check(table.Contains("default dev ikesharp0", StringComparison.Ordinal), $"0.0.0.0/0 into the TUN device in table 220:\n{table}");
        s.Check(table.Contains($"throw {s.Lab.TheirsOuter}", StringComparison.Ordinal), $"the peer kept outside by a throw route in table 220:\n{table}");
        s.Check(Ip(s, "route", "show") == main, $"the main table unchanged while the SA is up:\n{Ip(s, "route", "show")}\nwas:\n{main}");
        s.Check(Ip(s, "route", "get", s.Lab.TheirsOuter).Contains("dev isx-va", StringComparison.Ordinal), "the peer routed by the main table");
        s.Check(Ip(s, "route", "get", "198.51.100.7").Contains("dev ikesharp0 table 220", StringComparison.Ordinal), "any other address routed into the tunnel");

        s.MustPing(fromOurs: true, "through the full tunnel");
        s.MustPing(fromOurs: false, "through the full tunnel");

        // IKE to the peer must not enter the tunnel it carries: a Child SA and an IKE SA rekey get through.
        string child = s.OurChildren()[0].GetProperty("spi_in").GetString()!;
        s.Check(s.Ours.Cli("rekey", "lab", "--child").Ok, "ikesharp rekey --child");
        s.WaitFor(() => s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() != child && s.TheirChildCount() == 1, "the Child SA rekeyed with the full tunnel up", seconds: 60);
        string ike = s.OurIkeSpis();
        s.Check(s.Ours.Cli("rekey", "lab").Ok, "ikesharp rekey");
        s.WaitFor(() => s.OurIkeSaCount() == 1 && s.TheirIkeSaCount() == 1 && s.OurIkeSpis() != ike, "the IKE SA rekeyed with the full tunnel up", seconds: 60);
        s.WaitFor(() => s.Ping(fromOurs: true, count: 1).Ok, "a ping after the rekeys", seconds: 30);
        s.Check(Table220(s).Contains("default dev ikesharp0", StringComparison.Ordinal) && Table220(s).Contains("throw", StringComparison.Ordinal), $"the route and the exclusion survive the rekeys:\n{Table220(s)}");

        // The SA goes: its route and the exclusion go, the rule stays while the daemon runs.
        Shell.Result down = s.Ours.Cli("down", "lab", "--timeout", "30");
        s.Check(down.Ok, $"ikesharp down: {down.Output}");
        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirIkeSaCount() == 0, "no SA left at either end");
        s.Check(Table220(s).Trim().Length == 0, $"table 220 empty after the delete:\n{Table220(s)}");
        s.Check(Ip(s, "route", "show") == main, "the main table unchanged after the delete");
        s.Check(Rules220(s, "-4") == 1, "the rule stays while the daemon runs");

        // A clean stop: no rule, no route of ours.
        s.Check(s.Ours.Stop() == 0, $"a clean stop:\n{s.Ours.Log}");
        s.Check(Rules220(s, "-4") == 0 && Rules220(s, "-6") == 0, $"no rule after the stop:\n{Ip(s, "rule", "show")}");
        s.Check(Table220(s).Trim().Length == 0, "table 220 empty after the stop");
        s.Check(Ip(s, "route", "show") == main, "the main table unchanged after the stop");
    }

    [Fact]
    public void A_restart_after_kill_9_clears_what_the_crashed_run_left()
    {
        using Scenario s = Scenario.Start("routes-crash", InteropTests.PskX25519, oursInitiates: true,
            ourOptions: new OurOptions(RemoteTs: "0.0.0.0/0"), theirLocalTs: "0.0.0.0/0");
        Ip(s, "route", "add", "default", "via", Gateway, "dev", "isx-va");
        string main = Ip(s, "route", "show");
        s.Up(oursInitiates: true);
        s.MustPing(fromOurs: true, "before the crash");

        // kill -9: the TUN device and its routes go with the process; the rules and the throw route stay.
        s.Ours.Crash();
        s.Check(Rules220(s, "-4") == 1 && Table220(s).Contains("throw", StringComparison.Ordinal), $"the crash leaves the rule and the throw route:\n{Ip(s, "rule", "show")}\n{Table220(s)}");
        s.Check(Ip(s, "route", "show") == main, "the main table unchanged after the crash");

        s.Ours.Start();
        s.WaitFor(() => s.Ours.Log.Contains("left by an earlier run", StringComparison.Ordinal), "the restart reports the leftovers it removed");
        s.Check(Rules220(s, "-4") == 1 && Rules220(s, "-6") == 1, $"one rule per family after the restart:\n{Ip(s, "rule", "show")}");
        s.Check(Table220(s).Trim().Length == 0, $"table 220 empty after the restart:\n{Table220(s)}");

        // The tunnel comes back (INITIAL_CONTACT clears strongSwan's stale SA) and works.
        s.Up(oursInitiates: true);
        s.MustPing(fromOurs: true, "after the restart");
        s.Check(Ip(s, "route", "show") == main, "the main table unchanged after the restart");
        s.Check(s.Ours.Stop() == 0, "a clean stop");
        s.Check(Rules220(s, "-4") == 0 && Table220(s).Trim().Length == 0, "nothing left after the stop");
    }
}
