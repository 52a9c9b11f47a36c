namespace IkeSharp.Core.Engine;

/// <summary>
/// Responder defences and timers, with strongSwan 5.9's defaults (strongswan.conf charon.*).
/// </summary>
public sealed record EngineOptions
{
    /// <summary>Half-open IKE SAs (all peers) from which on IKE_SA_INIT needs a COOKIE (cookie_threshold, RFC 7296 §2.6).</summary>
    public int CookieThreshold { get; init; } = 30;

    /// <summary>Half-open IKE SAs from one address from which on it needs a COOKIE (cookie_threshold_ip).</summary>
    public int CookieThresholdPerAddress { get; init; } = 3;

    /// <summary>Half-open IKE SAs from one address from which on its IKE_SA_INIT requests are dropped (block_threshold).</summary>
    public int BlockThreshold { get; init; } = 5;

    /// <summary>IKE SAs this engine holds at most; beyond, new IKE_SA_INIT requests are dropped (charon.ikesa_limit; 0, the default, is no limit).</summary>
    public int IkeSaLimit { get; init; }

    /// <summary>IKE SAs one authenticated peer identity may hold at once; a further IKE_AUTH fails (0, the default, is no limit).</summary>
    public int IkeSasPerIdentity { get; init; }

    /// <summary>Failed authentications from one address within <see cref="AuthFailureWindow"/> after which its IKE_SA_INIT requests are dropped (0 disables).</summary>
    public int AuthFailureLimit { get; init; } = 5;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>New INFORMATIONAL requests one IKE SA may send per 10 s; more are dropped unanswered (0 disables).</summary>
    public int InformationalLimit { get; init; } = 50;

    /// <summary>A responder SA that has not finished IKE_AUTH by then goes (half_open_timeout).</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the cookie secret changes; the previous one stays valid for one more period.</summary>
    public TimeSpan CookieSecretLifetime { get; init; } = TimeSpan.FromMinutes(2);

    public Reliability.RetransmissionSchedule Retransmission { get; init; } = Reliability.RetransmissionSchedule.StrongSwanDefault;

    /// <summary>
    /// Calendar time, for certificate validity only (RFC 5280 §6.1.3): the engine's own clock is a
    /// number handed in, but notBefore/notAfter are dates. Tests hand in a fake.
    /// </summary>
    public TimeProvider CalendarClock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Raise <see cref="IkeSaKeysExported"/> with each IKE SA's SK_e and SK_a keys, for a key log that
    /// lets Wireshark decrypt our own traffic ([daemon] key_log). Off by default: keys are secrets.
    /// </summary>
    public bool ExportKeys { get; init; }

    /// <summary>
    /// How long the responder reuses its own key exchange value per method in IKE_SA_INIT (RFC 7296
    /// §2.12; [daemon] ke_reuse_time); zero, the default, draws a fresh one for every exchange.
    /// Reuse saves the key pair's cost per SA but weakens forward secrecy: until the value is
    /// erased, whoever takes it can compute the keys of every IKE SA that used it.
    /// </summary>
    public TimeSpan KeyExchangeReuseTime { get; init; }

    /// <summary>The longest <see cref="KeyExchangeReuseTime"/> allowed: RFC 7296 §2.12's "short time".</summary>
    public static readonly TimeSpan MaxKeyExchangeReuseTime = TimeSpan.FromMinutes(5);
}
