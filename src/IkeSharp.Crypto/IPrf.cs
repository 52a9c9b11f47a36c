namespace IkeSharp.Crypto;

/// <summary>
/// A pseudorandom function (RFC 7296 §2.13, Transform Type 2). Keyed per call: IKE keys it with
/// nonces, SKEYSEED, SK_d and SK_p in turn. <see cref="PrfPlus"/> builds prf+ on top of it.
/// </summary>
public interface IPrf
{
    PseudorandomFunction Id { get; }

    /// <summary>Octets of output per call.</summary>
    int OutputLength { get; }

    /// <summary>The preferred key length, which sizes SK_d, SK_pi and SK_pr (RFC 7296 §2.14).</summary>
    int KeyLength { get; }

    /// <summary>prf(key, data) into exactly <see cref="OutputLength"/> octets.</summary>
    void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output);
}
