namespace IkeSharp.Core.Reliability;

/// <summary>
/// Our side as requester (RFC 7296 §2.3): the next Message ID to use and the one outstanding
/// request (window size 1), kept byte for byte so a retransmission is the same datagram (§2.1).
/// A deadline carries the Message ID it belongs to, so a stale timer does nothing.
/// </summary>
public sealed class InitiatorWindow(RetransmissionSchedule schedule)
{
    public uint NextMessageId { get; private set; }

    public OutstandingRequest? Outstanding { get; private set; }

    /// <summary>Records a request just sent; its Message ID is <see cref="NextMessageId"/>.</summary>
    public OutstandingRequest Send(byte[] datagram, long now)
    {
        if (Outstanding is not null)
        {
            throw new InvalidOperationException($"request {Outstanding.MessageId} is still outstanding; the window holds one");
        }

        Outstanding = new OutstandingRequest(NextMessageId, datagram, 0, now + schedule.TimeoutAfter(0));
        return Outstanding;
    }

    /// <summary>
    /// Accepts a response when it answers the outstanding request: frees the window and advances
    /// the Message ID. A response to anything else is stale or forged and is dropped (§2.3).
    /// </summary>
    public bool Accept(uint messageId)
    {
        if (Outstanding is null || Outstanding.MessageId != messageId)
        {
            return false;
        }

        Outstanding = null;
        NextMessageId++;
        return true;
    }

    /// <summary>What the timer should do at <paramref name="now"/> for the request <paramref name="messageId"/>.</summary>
    public RetransmitDecision OnTimeout(uint messageId, long now)
    {
        if (Outstanding is not { } o || o.MessageId != messageId || now < o.Deadline)
        {
            return RetransmitDecision.Nothing;
        }

        int attempt = o.Attempt + 1;
        if (schedule.IsExhausted(attempt))
        {
            return RetransmitDecision.GiveUp;
        }

        Outstanding = o with { Attempt = attempt, Deadline = now + schedule.TimeoutAfter(attempt) };
        return RetransmitDecision.Retransmit;
    }

    /// <summary>
    /// Back to Message ID 0 with nothing outstanding: an IKE_SA_INIT retried after COOKIE or
    /// INVALID_KE_PAYLOAD is again message 0 (RFC 7296 §2.6, §1.3).
    /// </summary>
    public void Restart()
    {
        Outstanding = null;
        NextMessageId = 0;
    }

    /// <summary>Drops the outstanding request without advancing (used when its exchange is abandoned with the SA).</summary>
    public void Clear() => Outstanding = null;
}

/// <summary>A request in flight: its Message ID, the exact datagram, how many times it was resent, when to act next.</summary>
public sealed record OutstandingRequest(uint MessageId, byte[] Datagram, int Attempt, long Deadline);

public enum RetransmitDecision
{
    Nothing,
    Retransmit,
    GiveUp,
}
