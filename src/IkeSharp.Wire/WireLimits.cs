namespace IkeSharp.Wire;

/// <summary>
/// Bounds that keep a hostile peer from making the decoder loop or allocate without limit.
/// Each is far above what any real implementation sends (strongSwan's largest IKE_AUTH with a
/// certificate chain carries a few dozen payloads).
/// </summary>
public static class WireLimits
{
    /// <summary>Payloads in one chain (a message, or the inner chain of an SK payload).</summary>
    public const int MaxPayloadsPerChain = 256;

    /// <summary>Proposals in one SA payload; proposal numbers are one octet anyway (RFC 7296 §3.3.1).</summary>
    public const int MaxProposals = 255;

    /// <summary>Attributes on one transform; RFC 7296 defines only Key Length (§3.3.5).</summary>
    public const int MaxTransformAttributes = 16;

    /// <summary>Largest IKE message we accept. The header's Length field is 32 bits but a UDP datagram is at most 65535 octets.</summary>
    public const int MaxMessageLength = 65535;
}
