namespace IkeSharp.Core.Reliability;

/// <summary>
/// When to resend an unanswered request (RFC 7296 §2.1: the initiator retransmits, the responder
/// never does). strongSwan's defaults: timeout 4 s, base 1.8, 5 retransmissions, so the request is
/// sent at 0, 4, 11.2, 24.2, 47.5 and 89.4 s and the SA is declared dead at 165.06 s.
/// All times are milliseconds on the engine's monotonic clock.
/// </summary>
public sealed record RetransmissionSchedule(long InitialTimeoutMs = 4000, double Base = 1.8, int Retransmissions = 5)
{
    public static RetransmissionSchedule StrongSwanDefault { get; } = new();

    /// <summary>How long to wait after send number <paramref name="attempt"/> (0 = the first send).</summary>
    public long TimeoutAfter(int attempt) => (long)(InitialTimeoutMs * Math.Pow(Base, attempt));

    /// <summary>True when <paramref name="attempt"/> sends have been made and the last timed out: give up.</summary>
    public bool IsExhausted(int attempt) => attempt > Retransmissions;
}
