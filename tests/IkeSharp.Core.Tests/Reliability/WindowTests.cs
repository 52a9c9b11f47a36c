using IkeSharp.Core.Reliability;

namespace IkeSharp.Core.Tests.Reliability;

public class WindowTests
{
    [Fact]
    public void StrongSwan_default_schedule_sends_six_times_and_gives_up_at_165_s()
    {
        var window = new InitiatorWindow(RetransmissionSchedule.StrongSwanDefault);
        OutstandingRequest first = window.Send([1, 2, 3], now: 0);
        Assert.Equal(4000, first.Deadline);

        var sends = new List<long> { 0 };
        long now = first.Deadline;
        while (true)
        {
            RetransmitDecision d = window.OnTimeout(0, now);
            if (d == RetransmitDecision.GiveUp)
            {
                break;
            }

            Assert.Equal(RetransmitDecision.Retransmit, d);
            sends.Add(now);
            now = window.Outstanding!.Deadline;
        }

        Assert.Equal([0, 4000, 11200, 24160, 47488, 89478], sends);
        Assert.Equal(165060, now);   // each timeout truncated to whole milliseconds
    }

    [Fact]
    public void A_stale_or_early_timer_does_nothing()
    {
        var window = new InitiatorWindow(RetransmissionSchedule.StrongSwanDefault);
        window.Send([1], 0);
        Assert.Equal(RetransmitDecision.Nothing, window.OnTimeout(0, 3999));
        Assert.Equal(RetransmitDecision.Nothing, window.OnTimeout(7, 5000));
        Assert.True(window.Accept(0));
        Assert.Equal(RetransmitDecision.Nothing, window.OnTimeout(0, 10_000));
        Assert.Equal(1u, window.NextMessageId);
    }

    [Fact]
    public void Only_the_response_to_the_outstanding_request_is_accepted()
    {
        var window = new InitiatorWindow(RetransmissionSchedule.StrongSwanDefault);
        Assert.False(window.Accept(0));
        window.Send([1], 0);
        Assert.False(window.Accept(1));
        Assert.True(window.Accept(0));
        Assert.False(window.Accept(0));
        Assert.Throws<InvalidOperationException>(() => { window.Send([2], 1); window.Send([3], 2); });
    }

    [Fact]
    public void Responder_answers_a_retransmission_from_cache_and_drops_the_rest()
    {
        var window = new ResponderWindow();
        byte[] request0 = [0, 1, 2];
        Assert.Equal(RequestVerdict.New, window.Classify(0, request0));
        Assert.Equal(RequestVerdict.Drop, window.Classify(1, [9]));
        window.Answered(0, request0, [7, 7]);

        Assert.Equal(RequestVerdict.Retransmission, window.Classify(0, request0));
        Assert.Equal([7, 7], window.LastResponse);
        Assert.Equal(RequestVerdict.Drop, window.Classify(0, [0, 1, 3]));   // same ID, other bytes
        Assert.Equal(RequestVerdict.New, window.Classify(1, [5]));
        Assert.Equal(RequestVerdict.Drop, window.Classify(2, [5]));
        Assert.Throws<InvalidOperationException>(() => window.Answered(5, [1], [1]));
    }
}
