namespace IkeSharp.Esp;

/// <summary>Why an inbound ESP packet was or was not accepted (RFC 4303 §3.4).</summary>
public enum EspOpenStatus
{
    /// <summary>Authentic, new and well padded; the inner packet was written.</summary>
    Ok,

    /// <summary>Shorter than SPI, Sequence Number, IV, Pad Length, Next Header and ICV.</summary>
    TooShort,

    /// <summary>The ciphertext is not a whole number of cipher blocks (RFC 4303 §2.4).</summary>
    Malformed,

    /// <summary>No SA has this SPI (reported by <see cref="EspSaTable"/>, RFC 4303 §3.4.2).</summary>
    UnknownSpi,

    /// <summary>The SPI is not the one of the SA that was asked to open the packet.</summary>
    WrongSpi,

    /// <summary>Already received, or left of the anti-replay window (RFC 4303 §3.4.3).</summary>
    ReplayDetected,

    /// <summary>The ICV (or AEAD tag) did not verify (RFC 4303 §3.4.4).</summary>
    AuthenticationFailed,

    /// <summary>Authentic, but Pad Length is too large or the padding bytes are not 1, 2, 3, ... (RFC 4303 §2.4).</summary>
    BadPadding,

    /// <summary>The caller's buffer is shorter than <see cref="EspInboundSa.MaxInnerLength"/> of the packet.</summary>
    DestinationTooSmall,

    /// <summary>The SA has been disposed.</summary>
    SaClosed,
}

/// <summary>
/// The outcome of <see cref="EspInboundSa.Open"/>: a status, and when it is <see cref="EspOpenStatus.Ok"/>
/// the length of the inner packet written and its Next Header (RFC 4303 §2.7).
/// <see cref="SequenceNumber"/> is the full (ESN-inferred) number, 0 when the header was not read.
/// </summary>
public readonly record struct EspOpenResult(EspOpenStatus Status, int Length, byte NextHeader, uint Spi, ulong SequenceNumber)
{
    public bool IsOk => Status == EspOpenStatus.Ok;

    /// <summary>An authentic dummy packet (Next Header 59), to be dropped silently (RFC 4303 §2.6).</summary>
    public bool IsDummy => Status == EspOpenStatus.Ok && NextHeader == EspNextHeader.NoNextHeader;

    internal static EspOpenResult Fail(EspOpenStatus status, uint spi = 0, ulong sequenceNumber = 0) =>
        new(status, 0, 0, spi, sequenceNumber);
}
