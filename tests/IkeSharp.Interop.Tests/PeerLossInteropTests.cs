namespace IkeSharp.Interop.Tests;

/// <summary>
/// Peer loss and restart (issue 7 §3), strongSwan being the peer that dies: kill -9 of charon
/// while ping runs through the tunnel. Our dead peer detection must notice within dpd_delay plus
/// the retransmission schedule (RFC 7296 §2.4); a charon restarted with start_action = start
/// brings the tunnel back; and when it comes back before our DPD fires, its INITIAL_CONTACT
/// (§2.4) must clear our stale IKE SA.
/// </summary>
public class PeerLossInteropTests
{
    // Our daemon's schedule in these tests (OurDaemon: retransmit_timeout 1s, base 1.4, tries 3).
    private const double RetransmitTimeout = 1.0;
    private const double RetransmitBase = 1.4;
    private const int RetransmitTries = 3;

    /// <summary>For a loaded 2-core CI machine: timers and the log run late there, not early.</summary>
    private const int Margin = 4;

    /// <summary>The request is sent, retransmitted RetransmitTries times, and the last wait ends: sum of timeout × base^n, n = 0..tries.</summary>
    private static double ScheduleSeconds => Enumerable.Range(0, RetransmitTries + 1).Sum(n => RetransmitTimeout * Math.Pow(RetransmitBase, n));

    /// <summary>ping from our LAN to theirs, every 0.2 s, in the background: the tunnel carries traffic when the peer dies.</summary>
    private static Process BackgroundPing(Scenario s)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", s.Lab.Ours, "ping", "-i", "0.2", "-W", "1", "-I", s.Lab.OursInner, s.Lab.TheirsInner })
        {
            start.ArgumentList.Add(a);
        }

        Process p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static void StopPing(Process ping)
    {
        if (!ping.HasExited)
        {
            ping.Kill();
            ping.WaitForExit();
        }

        ping.Dispose();
    }

    [Fact]
    public void Dpd_declares_a_killed_strongswan_dead_in_time_and_its_restart_with_start_action_start_brings_the_tunnel_back()
    {
        const int dpdDelay = 3;
        using Scenario s = Scenario.Start("ploss", InteropTests.PskX25519, oursInitiates: true, ourDpd: dpdDelay);
        s.Up(oursInitiates: true);
        s.MustPing(fromOurs: true, "before the kill");
        string before = s.OurIkeSpis();
        Process ping = BackgroundPing(s);
        try
        {
            Thread.Sleep(1000);
            s.Check(s.OurBytes().Out > 0, "traffic leaves through the tunnel before the kill");
            TimeSpan killing = DateTime.Now.TimeOfDay;
            s.Swan.Kill();

            // From here charon is gone for sure; the bound holds from the moment it stopped answering.
            TimeSpan killedAt = DateTime.Now.TimeOfDay;

            // RFC 7296 §2.4: after dpd_delay of silence an empty INFORMATIONAL, retransmitted by the
            // schedule; when the last try times out the peer is dead and the IKE SA goes.
            double bound = dpdDelay + ScheduleSeconds;
            s.WaitFor(() => s.Ours.Log.Contains("(cause: DeadPeer)", StringComparison.Ordinal), "our DPD to declare strongSwan dead", seconds: (int)bound + 20);
            TimeSpan detectedAt = Hostile.LoggedAt(s.Ours.Log, "(cause: DeadPeer)")!.Value;
            double took = (detectedAt - killedAt).TotalSeconds;
            Console.WriteLine(FormattableString.Invariant($"DPD: kill -9 of charon from {killing:hh\\:mm\\:ss\\.fff} to {killedAt:hh\\:mm\\:ss\\.fff}, declared dead at {detectedAt:hh\\:mm\\:ss\\.fff}: {took:F2} s (bound dpd_delay {dpdDelay} s + schedule {ScheduleSeconds:F3} s = {bound:F3} s, margin {Margin} s)"));
            s.Check(took > 0 && took <= bound + Margin, FormattableString.Invariant($"DPD took {took:F2} s after the kill; dpd_delay + schedule = {bound:F3} s (+{Margin} s margin)"));
            s.Check(s.Ours.Log.Contains($"did not answer request", StringComparison.Ordinal) && s.Ours.Log.Contains("(INFORMATIONAL) after 3 retransmissions", StringComparison.Ordinal),
                "the reason names the unanswered INFORMATIONAL and the retransmissions");
            s.WaitFor(() => s.OurIkeSaCount() == 0 && s.OurChildren().Count == 0, "no SA left at our end after DPD");
            s.Check(s.Ours.Log.Contains("Child SA deleted", StringComparison.Ordinal), "the Child SA's deletion is logged");

            // strongSwan again, now with start_action = start: it sets the tunnel up by itself.
            Hostile.EditSwan(s, c => c.Replace("start_action = none", "start_action = start", StringComparison.Ordinal), load: false);
            Hostile.RestartSwan(s);
            s.WaitFor(() => s.OurChildren().Count == 1 && s.TheirChildCount() == 1 && s.OurIkeSaCount() == 1 && s.TheirIkeSaCount() == 1,
                "the tunnel back after strongSwan's restart with start_action = start", seconds: 30);
            s.Check(s.OurIkeSpis() != before, "a new IKE SA");
            s.WaitFor(() => s.Ping(fromOurs: true).Ok, "traffic from our LAN through the new tunnel");
            s.MustPing(fromOurs: false, "after strongSwan's restart");
        }
        finally
        {
            StopPing(ping);
        }
    }

    [Fact]
    public void A_strongswan_restarted_before_our_dpd_fires_clears_our_stale_ike_sa_with_initial_contact()
    {
        // dpd_delay far beyond the test: only INITIAL_CONTACT can remove the stale SA in time.
        using Scenario s = Scenario.Start("pshort", InteropTests.PskX25519, oursInitiates: true, ourDpd: 300);
        s.Up(oursInitiates: true);
        s.MustPing(fromOurs: true, "before the kill");
        string before = s.OurIkeSpis();
        string beforeChild = s.OurChildren()[0].GetProperty("spi_in").GetString()!;
        Process ping = BackgroundPing(s);
        try
        {
            Thread.Sleep(1000);
            s.Swan.Kill();
            Hostile.EditSwan(s, c => c.Replace("start_action = none", "start_action = start", StringComparison.Ordinal), load: false);
            Hostile.RestartSwan(s);

            // charon initiates with INITIAL_CONTACT (it knows no IKE SA with us): ours replaces the stale one.
            s.WaitFor(() => s.Ours.Log.Contains("(INITIAL_CONTACT) (cause: Replaced)", StringComparison.Ordinal), "our stale IKE SA replaced on INITIAL_CONTACT", seconds: 30);
            s.WaitFor(() => s.OurIkeSaCount() == 1 && s.OurIkeSpis() != before && s.OurChildren() is [var c] && c.GetProperty("spi_in").GetString() != beforeChild
                && s.TheirIkeSaCount() == 1 && s.TheirChildCount() == 1, "exactly the new IKE SA and Child SA at each end");
            s.Check(!s.Ours.Log.Contains("(cause: DeadPeer)", StringComparison.Ordinal), "DPD did not fire: INITIAL_CONTACT cleared the SA");
            s.Check(s.Ours.Log.Contains($"IKE SA deleted: replaced by a new IKE SA from {s.Lab.TheirsOuter} (INITIAL_CONTACT)", StringComparison.Ordinal), "the reason names INITIAL_CONTACT");
            s.WaitFor(() => s.Ping(fromOurs: true).Ok, "traffic from our LAN through the new tunnel");
            s.MustPing(fromOurs: false, "after strongSwan's restart");
            Console.WriteLine("INITIAL_CONTACT: " + string.Join(" | ", s.Ours.Log.Split('\n').Where(l => l.Contains("INITIAL_CONTACT", StringComparison.Ordinal)).Select(l => l.Trim())));
        }
        finally
        {
            StopPing(ping);
        }
    }
}
