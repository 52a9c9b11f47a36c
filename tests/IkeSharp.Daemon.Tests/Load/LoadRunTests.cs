using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;
using IkeSharp.Crypto.Proposals;
using IkeSharp.Daemon.Load;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Tests.Load;

/// <summary>
/// The load run, sans-IO, against a responder engine in memory on a virtual clock: what it does
/// with loss, --rate, --duration and a silent responder, deterministically and without sockets.
/// </summary>
public class LoadRunTests
{
    private static readonly byte[] Psk = "load-run-psk-0123456789abcdef"u8.ToArray();
    private static readonly IPEndPoint Ours = new(IPAddress.Parse("192.0.2.10"), 40000);
    private static readonly IPEndPoint Theirs = new(IPAddress.Parse("192.0.2.1"), 500);

    private static IkeEngine Responder(TimeSpan? dpdDelay = null, TimeSpan? childRekey = null) => new(
        [
            new ConnectionConfig
            {
                Name = "responder",
                LocalAddrs = [Theirs.Address],
                Proposals = [ProposalParser.Parse("aes128gcm16-prfsha256-x25519", SecurityProtocol.Ike).Transforms],
                Local = new AuthConfig(AuthKind.Psk, "192.0.2.1"),
                Remote = new AuthConfig(AuthKind.Psk),
                DpdDelay = dpdDelay,
                Children =
                [
                    new ChildConfig
                    {
                        Name = "any",
                        LocalTs = [TrafficSelector.Subnet("0.0.0.0/0")],
                        RemoteTs = [TrafficSelector.Subnet("0.0.0.0/0")],
                        EspProposals = [ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp).Transforms],
                        RekeyTime = childRekey ?? TimeSpan.FromHours(1),
                    },
                ],
            },
        ],
        new SharedKeyStore().Add(Psk), AlgorithmRegistry.Default, new SystemRandom(),
        new EngineOptions { CookieThreshold = 10_000, CookieThresholdPerAddress = 10_000, BlockThreshold = 10_000 });

    private static LoadProfile Profile(int count, int concurrency) => new()
    {
        Remote = Theirs,
        Count = count,
        Concurrency = concurrency,
        IkeProposals = [ProposalParser.Parse("aes128gcm16-prfsha256-x25519", SecurityProtocol.Ike).Transforms],
        EspProposals = [ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp).Transforms],
        Credentials = new LoadPsk(Psk),
    };

    /// <summary>
    /// Runs the load to its end: datagrams cross at once unless <paramref name="drop"/> (given the
    /// index of each datagram the generator sends) says to lose them; time jumps to the next deadline.
    /// </summary>
    private static (LoadReport Report, IkeEngine Responder) Simulate(LoadProfile profile, Func<int, bool>? drop = null, Func<double>? fineClock = null, IkeEngine? responderEngine = null)
    {
        IkeEngine responder = responderEngine ?? Responder();
        var run = new LoadRun(profile, Ours, new SystemRandom(), AlgorithmRegistry.Default, fineClock: fineClock);
        long now = 0;
        int sent = 0;
        run.Start(now);
        while (!run.IsFinished)
        {
            Assert.True(now < 3_600_000, "the run did not finish within an hour of virtual time");
            bool moved = false;
            while (run.TryPollTransmit(out Transmit t))
            {
                moved = true;
                if (drop?.Invoke(sent++) != true)
                {
                    responder.HandleDatagram(now, Theirs, Ours, t.Datagram);
                }
            }

            while (responder.TryPollTransmit(out Transmit t))
            {
                moved = true;
                run.HandleDatagram(now, Ours, Theirs, t.Datagram);
            }

            if (!moved)
            {
                now = Math.Max(now, Math.Min(run.NextDeadline ?? long.MaxValue, responder.NextDeadline ?? long.MaxValue));
                run.HandleTimeout(now);
                if (responder.NextDeadline <= now)
                {
                    responder.HandleTimeout(now);
                }
            }
        }

        return (run.Report(now), responder);
    }

    [Fact]
    public void Lost_datagrams_are_retransmitted_on_the_engine_deadlines_and_every_setup_completes()
    {
        (LoadReport report, IkeEngine responder) = Simulate(Profile(40, 8), drop: i => i % 7 == 3);
        Assert.Equal(40, report.Established);
        Assert.Equal(0, report.Failed);
        Assert.True(report.Retransmissions > 0);
        Assert.Equal(40, responder.IkeSaCount);

        // A setup that lost a datagram waited for the first retransmission (strongSwan's 4 s, RFC 7296 §2.1).
        Assert.True(report.LatencyMs.P99 >= 4000, $"p99 {report.LatencyMs.P99} ms");
        Assert.Equal(0, report.LatencyMs.P50);
    }

    [Fact]
    public void A_fine_clock_gives_latencies_below_the_engines_millisecond()
    {
        // The engine's clock stands still here (no delay, no loss): only the fine clock, read when a
        // setup starts and when its Child SA is installed, sees time pass: a quarter of a millisecond a read.
        double fine = 0;
        (LoadReport report, _) = Simulate(Profile(3, 1), fineClock: () => fine += 0.25);
        Assert.Equal(3, report.Established);
        Assert.Equal(new LatencyPercentiles(0.25, 0.25, 0.25), report.LatencyMs);
        Assert.Contains("\"p50\":0.25,", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Held_SAs_answer_the_responders_liveness_checks_and_rekeys_and_none_is_lost()
    {
        // dpd_delay 10 s and Child rekey_time 60 s at the responder, three minutes held (RFC 7296 §1.4, §2.8).
        IkeEngine responder = Responder(dpdDelay: TimeSpan.FromSeconds(10), childRekey: TimeSpan.FromSeconds(60));
        (LoadReport report, _) = Simulate(Profile(10, 10) with { Hold = TimeSpan.FromMinutes(3) }, responderEngine: responder);

        HoldReport hold = Assert.IsType<HoldReport>(report.Hold);
        Assert.Equal(10, report.Established);
        Assert.Equal(TimeSpan.FromMinutes(3), hold.Time);
        Assert.Equal(10, hold.HeldAtStart);
        Assert.Equal(10, hold.HeldAtEnd);
        Assert.Equal(0, hold.Lost);

        // Every liveness check the responder sent was answered by the load run, but for those sent
        // at the instant the hold ended (at most one per SA, in flight); each SA saw several.
        EngineCounters c = responder.Counters;
        Assert.True(c.LivenessChecks >= 10 * 5, $"{c.LivenessChecks} liveness checks");
        Assert.InRange(c.LivenessChecks - c.LivenessAnswered, 0, 10);
        Assert.Equal(c.LivenessAnswered, hold.LivenessRequestsAnswered);

        // Each Child SA was rekeyed at least once a minute, before its hard lifetime.
        Assert.True(hold.ChildRekeys >= 10 * 3, $"{hold.ChildRekeys} Child SA rekeys");
        Assert.Equal(c.ChildRekeys, hold.ChildRekeys);
        Assert.Equal(0, c.ChildExpired);
        Assert.Equal(0, c.DeadPeers);
        Assert.Contains("\"hold\":{\"seconds\":180,\"held_at_start\":10,\"held_at_end\":10,\"lost\":0", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_spaces_the_initiations()
    {
        (LoadReport report, _) = Simulate(Profile(20, 20) with { Rate = 10 });
        Assert.Equal(20, report.Established);

        // The 20th initiation may start 19 / 10 s after the first; on a network without delay it completes then.
        Assert.Equal(TimeSpan.FromMilliseconds(1900), report.SetupTime);
        Assert.Equal(20 / 1.9, report.SetupsPerSecond, precision: 6);
    }

    [Fact]
    public void Duration_stops_initiating()
    {
        (LoadReport report, IkeEngine responder) = Simulate(Profile(100, 5) with { Rate = 10, Duration = TimeSpan.FromSeconds(1) });
        Assert.Equal(10, report.Started);
        Assert.Equal(10, report.Established);
        Assert.Equal(10, responder.IkeSaCount);
    }

    [Fact]
    public void A_silent_responder_leaves_the_setups_unfinished_at_the_end_of_the_duration()
    {
        (LoadReport report, IkeEngine responder) = Simulate(Profile(10, 4) with { Duration = TimeSpan.FromSeconds(2) }, drop: _ => true);
        Assert.Equal(4, report.Started);
        Assert.Equal(0, report.Established);
        Assert.Equal(4, report.Failed);
        Assert.Equal(4, report.Failures[LoadFailure.Unfinished]);
        Assert.Equal(0, responder.IkeSaCount);
    }

    [Fact]
    public void A_silent_responder_is_given_up_on_after_the_retransmissions()
    {
        (LoadReport report, _) = Simulate(Profile(3, 3), drop: _ => true);
        Assert.Equal(3, report.Failures[LoadFailure.NoResponse]);
        Assert.Equal(3 * 5, report.Retransmissions);
        Assert.Contains("did not answer", report.FailureExamples[LoadFailure.NoResponse], StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_removes_every_sa_at_the_responder()
    {
        (LoadReport report, IkeEngine responder) = Simulate(Profile(25, 10) with { Delete = true });
        Assert.Equal(25, report.Established);
        Assert.Equal(25, report.Deleted);
        Assert.Equal(0, responder.IkeSaCount);
    }
}
