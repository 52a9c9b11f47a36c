namespace IkeSharp.Interop.Tests;

/// <summary>
/// A hostile network between two of ours (issue 7 §3): 20% loss, 20% duplication and 20% reordering
/// both ways (relay.py, NAT-like). The tunnel comes up, each side rekeys the Child SA and the IKE SA,
/// ping gets through after each rekey, and a delete leaves neither daemon with an SA.
/// </summary>
public class OursLossyNetworkTests
{
    [Fact]
    public void Between_two_of_ours_over_a_lossy_path_the_tunnel_comes_up_rekeys_from_either_side_and_goes_down_clean()
    {
        // Six retransmissions: with 36% of exchanges losing a datagram, seven tries all fail once in
        // about 1,300; more only lengthen the wait for a Delete whose answer was lost (the peer,
        // its IKE SA gone, answers no retransmission, so the sender goes through its whole schedule).
        var options = new OurOptions(RetransmitTries: 6);
        using OursPair p = OursPair.Start("olossy", InteropTests.PskX25519, options, options, relaySeed: 11);
        var clock = Stopwatch.StartNew();
        var phases = new List<string>();
        Shell.Result up = p.A.Cli("up", "lab", "--timeout", "60");
        p.Check(up.Ok, $"ikesharp up over the lossy path failed: {up.Output}");
        p.WaitFor(() => OursPair.OneOfEachMatching(p.Status()), "one IKE SA and one Child SA at each end, with matching SPIs", seconds: 60);
        p.WaitFor(() => p.Ping(fromA: true, count: 1).Ok, "a ping through the tunnel", seconds: 30);
        phases.Add($"up {clock.ElapsedMilliseconds} ms");

        foreach ((OurDaemon side, string name) in new[] { (p.A, "A"), (p.B, "B") })
        {
            DaemonStatus start = side.Status();
            string child = start.Children[0].GetProperty("spi_in").GetString()!;
            p.Check(side.Cli("rekey", "lab", "--child").Ok, $"ikesharp rekey --child at {name}");
            p.WaitFor(() => p.Status() is var s && OursPair.OneOfEachMatching(s) && (side == p.A ? s.A : s.B).Children[0].GetProperty("spi_in").GetString() != child,
                $"the Child SA rekeyed from {name}, one at each end", seconds: 60);
            p.WaitFor(() => p.Ping(fromA: side == p.A, count: 1).Ok, $"a ping after {name}'s Child SA rekey", seconds: 30);
            phases.Add($"{name} Child SA rekey {clock.ElapsedMilliseconds} ms");

            string ike = start.IkeSpis;
            p.Check(side.Cli("rekey", "lab").Ok, $"ikesharp rekey at {name}");
            // The new IKE SA at both ends with the Child SA moved into it. The old one may linger at the
            // rekey's initiator while its Delete is retransmitted (the peer, its copy gone, answers no
            // retransmission); the end of the test checks that nothing is left.
            p.WaitFor(() => p.Status() is var s && OursPair.OneChildEachMatching(s)
                    && s.A.IkeSpis.Split(';').Intersect(s.B.IkeSpis.Split(';')).Any(spis => spis.Length > 0 && spis != ike),
                $"the IKE SA rekeyed from {name}: the new one at each end, with the Child SA", seconds: 60);
            p.WaitFor(() => p.Ping(fromA: side != p.A, count: 1).Ok, $"a ping after {name}'s IKE SA rekey", seconds: 30);
            phases.Add($"{name} IKE SA rekey {clock.ElapsedMilliseconds} ms");
        }

        p.Check(p.A.Log.Contains("IKE SA rekeyed", StringComparison.Ordinal) && p.B.Log.Contains("IKE SA rekeyed", StringComparison.Ordinal), "both daemons log the IKE SA rekeys");
        Shell.Result down = p.B.Cli("down", "lab", "--timeout", "60");
        p.Check(down.Ok, $"ikesharp down at B over the lossy path: {down.Output}");
        p.WaitFor(() => p.Status() is var s && s.A.IkeSaCount == 0 && s.B.IkeSaCount == 0 && s.A.Children.Count == 0 && s.B.Children.Count == 0, "no SA left at either end", seconds: 90);
        p.Relay!.Stop();
        p.Check(p.Relay.Counts.Contains("dropped=", StringComparison.Ordinal) && !p.Relay.Counts.Contains("dropped=0 ", StringComparison.Ordinal), $"the relay really dropped datagrams: {p.Relay.Counts}");
        p.Check(!p.A.HasExited && !p.B.HasExited, "both daemons still run");
        Console.WriteLine($"ours-vs-ours lossy relay: {p.Relay.Counts}; {string.Join(", ", phases)}, down {clock.ElapsedMilliseconds} ms");
    }
}

/// <summary>
/// Denial of service between two of ours (issue 7 §2): a flood of IKE_SA_INIT from spoofed sources
/// at A while B, the legitimate peer, sets up a tunnel with it.
/// </summary>
public class OursFloodTests
{
    private const int FloodSeconds = 10;

    [Fact]
    public void A_spoofed_flood_at_a_responder_for_any_peer_lets_our_initiator_in()
    {
        // B retries for longer than the defaults: a datagram of its may be dropped with the flood's when
        // A's mailbox is full (on a loaded machine it took seconds, not the 2 s the issue hopes for).
        using OursPair p = OursPair.Start("oflood", InteropTests.PskX25519, a: new OurOptions(AnyPeer: true), b: new OurOptions(RetransmitTries: 8));
        long rssBefore = p.A.RssKib();
        string capture = Path.Combine(p.Lab.Dir, "answers.pcapng");
        using Process tshark = Capture(p, capture);
        using var flood = Flood.Start(p.Lab, p.Lab.OursOuter, FloodSeconds);
        Thread.Sleep(3000);

        // Mid-flood, with far more half-open SAs than cookie_threshold: B must come back with a COOKIE (RFC 7296 §2.6).
        (Stopwatch cli, Stopwatch setup) = UpDuringFlood(p);
        // A also holds the flood's half-open IKE SAs (up to cookie_threshold) until they time out: count Child SAs only.
        p.WaitFor(() => OursPair.OneChildEachMatching(p.Status()), "one Child SA at each end during the flood");
        long rssDuring = p.A.RssKib();

        (long Sent, long Rate)? sent = flood.Finish(TimeSpan.FromSeconds(30));
        p.Check(sent is { Sent: > 10_000 }, $"the flood sent many thousands of requests: {sent} {flood.Errors}");
        p.WaitFor(() => p.Ping(fromA: false).Ok, "a ping from B's LAN after the flood");
        Shell.Run("kill", "-INT", tshark.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        p.Check(tshark.WaitForExit(TimeSpan.FromSeconds(10)), "tshark stops");
        Shell.Result notifies = Shell.Run("tshark", "-r", capture, "-T", "fields", "-e", "isakmp.notify.msgtype");
        p.Check(notifies.Ok, $"tshark could not read the capture: {notifies.Output}");

        // Usually A asks B for a COOKIE (notify 16390); not always: the flood's half-open SAs time out,
        // and until the flood makes cookie_threshold of them again, a request gets in without one.
        bool cookie = notifies.Output.Split('\n').Any(l => l.Split(',').Contains("16390"));

        long rssAfter = p.A.RssKib();
        p.Check(rssAfter - rssBefore < 150_000, $"RSS grew from {rssBefore} to {rssAfter} KiB during a flood of {sent!.Value.Sent} requests");
        p.Check(!p.A.HasExited && !p.B.HasExited, "both daemons still run");
        Console.WriteLine($"ours-vs-ours flood (any peer): {sent.Value.Sent} IKE_SA_INIT at {sent.Value.Rate}/s; `ikesharp up` at B took {setup.ElapsedMilliseconds} ms ({(cookie ? "with" : "without")} a COOKIE; `ikesharp status` took {cli.ElapsedMilliseconds} ms); A's RSS {rssBefore} -> {rssDuring} -> {rssAfter} KiB");
    }

    [Fact]
    public void A_spoofed_flood_matching_no_connection_leaves_the_daemon_up_its_log_bounded_and_lets_the_peer_in()
    {
        // A's connection names B's address: no spoofed request matches any connection, none makes state.
        using OursPair p = OursPair.Start("oflood2", InteropTests.PskX25519, b: new OurOptions(RetransmitTries: 8));
        long rssBefore = p.A.RssKib();
        int linesBefore = p.A.Log.Split('\n').Length;
        var elapsed = Stopwatch.StartNew();
        using var flood = Flood.Start(p.Lab, p.Lab.OursOuter, FloodSeconds);
        Thread.Sleep(3000);

        (Stopwatch cli, Stopwatch setup) = UpDuringFlood(p);
        p.WaitFor(() => OursPair.OneOfEachMatching(p.Status()), "one IKE SA and one Child SA at each end during the flood");
        long rssDuring = p.A.RssKib();

        (long Sent, long Rate)? sent = flood.Finish(TimeSpan.FromSeconds(30));
        p.Check(sent is { Sent: > 10_000 }, $"the flood sent many thousands of requests: {sent} {flood.Errors}");
        p.WaitFor(() => p.Ping(fromA: true).Ok, "a ping from A's LAN after the flood");
        elapsed.Stop();
        long rssAfter = p.A.RssKib();

        // Each refusal is a warning, at most 20 a second (EngineHost.UnauthenticatedLogLimit), and what
        // was held back is counted in one more line a second.
        string[] lines = p.A.Log.Split('\n')[linesBefore..];
        int refusals = lines.Count(l => l.Contains("no connection configured for this address pair", StringComparison.Ordinal));
        int held = lines.Count(l => l.Contains("were not logged", StringComparison.Ordinal));
        int spoofed = lines.Count(l => l.Contains("172.", StringComparison.Ordinal));
        long seconds = (long)Math.Ceiling(elapsed.Elapsed.TotalSeconds) + 1;
        p.Check(refusals > 0, "the refusals are logged");
        p.Check(held > 0, "the refusals held back are counted in the log");
        p.Check(spoofed <= seconds * 20, $"{spoofed} lines name a spoofed address in {seconds} s, more than 20 a second");
        // Two limits of 20 a second apply: refusals, and the failed sends of their answers (no route back to a spoofed source).
        p.Check(lines.Length <= (seconds * 2 * 21) + 50, $"{lines.Length} log lines in {seconds} s of flood");
        p.Check(rssAfter - rssBefore < 150_000, $"RSS grew from {rssBefore} to {rssAfter} KiB during a flood of {sent!.Value.Sent} requests");
        p.Check(!p.A.HasExited && !p.B.HasExited, "both daemons still run");
        Console.WriteLine($"ours-vs-ours flood (no matching connection): {sent.Value.Sent} IKE_SA_INIT at {sent.Value.Rate}/s; `ikesharp up` at B took {setup.ElapsedMilliseconds} ms (`ikesharp status` took {cli.ElapsedMilliseconds} ms); A's RSS {rssBefore} -> {rssDuring} -> {rssAfter} KiB; {lines.Length} log lines in {seconds} s ({refusals} refusals, {held} held-back counts)");
    }

    /// <summary>tshark in B's namespace, keeping what A sends B (the flood's answers go to a blackhole).</summary>
    private static Process Capture(OursPair p, string file)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", p.Lab.Theirs, "tshark", "-q", "-i", "isx-vb", "-f", $"udp and src host {p.Lab.OursOuter}", "-w", file })
        {
            start.ArgumentList.Add(a);
        }

        Process tshark = Process.Start(start)!;
        tshark.OutputDataReceived += (_, _) => { };
        tshark.ErrorDataReceived += (_, _) => { };
        tshark.BeginOutputReadLine();
        tshark.BeginErrorReadLine();
        p.WaitFor(() => File.Exists(file), "tshark to start capturing", seconds: 30);
        Thread.Sleep(1000);
        return tshark;
    }

    /// <summary>
    /// B's `ikesharp up` in the middle of the flood, timed, after timing a bare `ikesharp status`:
    /// what starting the CLI costs on this machine, to tell it from the setup itself.
    /// </summary>
    private static (Stopwatch Cli, Stopwatch Setup) UpDuringFlood(OursPair p)
    {
        var cli = Stopwatch.StartNew();
        p.B.Cli("status");
        cli.Stop();
        var setup = Stopwatch.StartNew();
        Shell.Result up = p.B.Cli("up", "lab", "--timeout", "60");
        setup.Stop();
        p.Check(up.Ok, $"B could not set up the tunnel during the flood: {up.Output}");
        return (cli, setup);
    }
}
