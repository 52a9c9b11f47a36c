using System.Diagnostics;

namespace IkeSharp.Interop.Tests;

/// <summary>
/// Denial of service (issue 7 §2): a flood of IKE_SA_INIT requests from spoofed addresses at our
/// daemon, a responder for any address, while strongSwan sets up a tunnel with it. The COOKIE
/// threshold (RFC 7296 §2.6) makes the flood cost a hash per packet and no state; the legitimate
/// initiator answers the COOKIE and gets through; memory stays bounded; the log is not flooded.
/// </summary>
public class FloodTests
{
    [Fact]
    public void A_spoofed_ike_sa_init_flood_does_not_keep_a_legitimate_initiator_out()
    {
        using Scenario s = Scenario.Start("flood", InteropTests.PskX25519, oursInitiates: false, ourOptions: new OurOptions(AnyPeer: true));

        // The spoofed sources (172.16.0.0/12) get their answers thrown away, and are not filtered on the way in.
        Shell.Must("ip", "-n", s.Lab.Ours, "route", "add", "blackhole", "172.16.0.0/12");
        Shell.Must("ip", "netns", "exec", s.Lab.Ours, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        Shell.Must("ip", "netns", "exec", s.Lab.Ours, "sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0");
        long rssBefore = s.Ours.RssKib();

        string flood = Path.Combine(AppContext.BaseDirectory, "flood.py");
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", s.Lab.Theirs, "python3", flood, s.Lab.OursOuter, "500", "12" })
        {
            start.ArgumentList.Add(a);
        }

        using Process flooder = Process.Start(start)!;
        Thread.Sleep(3000);

        // Mid-flood: strongSwan initiates; it meets a COOKIE request, answers it, and is in.
        var setup = Stopwatch.StartNew();
        Shell.Result up = s.Swan.Swan("--initiate", "--child", "net", "--timeout", "20");
        setup.Stop();
        s.Check(up.Ok, $"strongSwan could not set up the tunnel during the flood: {up.Output}");
        s.WaitFor(() => s.OurChildren().Count == 1, "our Child SA during the flood");
        long rssDuring = s.Ours.RssKib();

        s.Check(flooder.WaitForExit(TimeSpan.FromSeconds(30)), "the flood ends");
        string[] sent = flooder.StandardOutput.ReadToEnd().Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        s.Check(sent.Length == 2 && long.Parse(sent[0], System.Globalization.CultureInfo.InvariantCulture) > 10_000,
            $"the flood sent many thousands of requests: '{string.Join(' ', sent)}' {flooder.StandardError.ReadToEnd()}");
        s.MustPing(fromOurs: true, "after the flood");

        // Bounded: no half-open SA per spoofed request (COOKIEs), and lines about it are rate-limited.
        long rssAfter = s.Ours.RssKib();
        s.Check(rssAfter - rssBefore < 150_000, $"RSS grew from {rssBefore} to {rssAfter} KiB during a flood of {sent[0]} requests");
        int floodLines = s.Ours.Log.Split('\n').Count(l => l.Contains("172.", StringComparison.Ordinal));
        s.Check(floodLines < 2000, $"{floodLines} log lines name a spoofed address");
        s.Check(!s.Ours.HasExited, "our daemon is still running");
        Console.WriteLine($"flood: {sent[0]} IKE_SA_INIT requests at {sent[1]}/s; strongSwan's setup took {setup.ElapsedMilliseconds} ms; RSS {rssBefore} -> {rssDuring} -> {rssAfter} KiB; {floodLines} log lines");
    }
}
