using IkeSharp.Core.Engine;
using IkeSharp.Core.Reliability;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// Dead peer detection (RFC 7296 §2.4): after dpd_delay without anything from the peer, an empty
/// INFORMATIONAL; when its retransmissions run out, the IKE SA goes with cause DeadPeer. However the
/// peer's silence falls against the liveness timer, that is at most dpd_delay plus the whole
/// retransmission schedule after the last message that came in.
/// </summary>
public class DeadPeerDetectionTests
{
    private static readonly RetransmissionSchedule Schedule = new(1000, 1.4, 3);

    // 1000 × (1 + 1.4 + 1.96 + 2.744) ms: the request and three retransmissions, each timed out.
    private const long ScheduleMs = 7104;
    private const long DpdMs = 3000;

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(1000)]
    [InlineData(1500)]
    [InlineData(2000)]
    [InlineData(2500)]
    [InlineData(3000)]
    [InlineData(3500)]
    [InlineData(4000)]
    [InlineData(4500)]
    [InlineData(5000)]
    [InlineData(5500)]
    public void The_peer_is_declared_dead_within_dpd_delay_plus_the_retransmission_schedule(int silentAfterMs)
    {
        Pair p = Pair.Create(60 + silentAfterMs, c => c with { DpdDelay = TimeSpan.FromMilliseconds(DpdMs) }, aliceOptions: new EngineOptions { Retransmission = Schedule });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 2000);
        Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());

        // A few liveness checks answered, then the peer goes silent at a time that moves across their period.
        p.Net.RunUntilQuiet(until: 10_000 + silentAfterMs);
        int before = p.Alice.Transmitted.Count;
        long silentAt = p.Net.Now;
        p.Net.Loss = 1.0;
        p.Net.RunUntilQuiet(until: silentAt + 30_000);

        IkeSaDeleted dead = Assert.Single(p.Alice.Events.OfType<IkeSaDeleted>());
        Assert.Equal(SaCloseCause.DeadPeer, dead.Cause);
        Assert.InRange(dead.Time - silentAt, ScheduleMs, DpdMs + ScheduleMs);
        Assert.Equal(4, p.Alice.Transmitted.Count - before); // the liveness request and its three retransmissions
    }
}
