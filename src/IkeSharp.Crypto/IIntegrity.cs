namespace IkeSharp.Crypto;

/// <summary>An integrity algorithm (Transform Type 3): its sizes, and a factory for keyed instances.</summary>
public interface IIntegrityAlgorithm
{
    IntegrityAlgorithm Id { get; }

    /// <summary>Octets of SK_ai/SK_ar (or ESP integrity key) this algorithm takes from the key schedule.</summary>
    int KeyLength { get; }

    /// <summary>Octets of the truncated ICV on the wire.</summary>
    int IcvLength { get; }

    /// <summary>One keyed instance per SA and direction, never per packet.</summary>
    IIntegrityKey CreateKey(ReadOnlySpan<byte> key);
}

/// <summary>
/// A keyed integrity check. Disposing it zeroes the key. Compute and Verify allocate nothing; the
/// AES-based ones keep per-key scratch, so a key is for one thread at a time (one per SA and direction).
/// </summary>
public interface IIntegrityKey : IDisposable
{
    int IcvLength { get; }

    void Compute(ReadOnlySpan<byte> data, Span<byte> icv);

    /// <summary>Compares in constant time; a mismatch is false, never an exception.</summary>
    bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv);
}
