namespace IkeSharp.Crypto;

/// <summary>
/// An encryption algorithm (Transform Type 1) with its key length chosen: sizes for the SK payload
/// and ESP, and a factory for keyed instances.
/// </summary>
public interface IEncryptionAlgorithm
{
    EncryptionAlgorithm Id { get; }

    /// <summary>Key size in bits, as the Key Length attribute says (0 for fixed-key algorithms like ChaCha20-Poly1305, which is 256).</summary>
    int KeyBits { get; }

    /// <summary>Octets taken from the key schedule: key plus salt for AEAD modes (RFC 5282 §7.1, RFC 4106 §8.1, RFC 7634 §4).</summary>
    int KeyMaterialLength { get; }

    /// <summary>Octets of the explicit IV in the SK payload or ESP packet.</summary>
    int IvLength { get; }

    /// <summary>Plaintext must be padded to a multiple of this (1 for stream and counter modes; RFC 7296 §3.14 still needs the Pad Length octet).</summary>
    int BlockSize { get; }

    /// <summary>True for combined-mode ciphers, which carry their own ICV (<see cref="IcvLength"/>) and take no integrity transform.</summary>
    bool IsAead { get; }

    /// <summary>The AEAD tag length; 0 for non-AEAD ciphers.</summary>
    int IcvLength { get; }

    /// <summary>One keyed instance per SA and direction, never per packet.</summary>
    ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial);
}

/// <summary>
/// A keyed cipher. For AEAD ciphers <paramref name="tag"/> is the ICV and the associated data is
/// authenticated; for others the tag is empty and <c>associatedData</c> is ignored (the separate
/// integrity transform covers it). Disposing zeroes the key.
/// </summary>
/// <remarks>
/// Once made, a key encrypts and decrypts without allocating. It keeps per-key scratch and native
/// cipher state, so it is for one thread at a time, as ESP uses it (one key per SA and direction).
/// </remarks>
public interface ICipherKey : IDisposable
{
    void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    /// <summary>False when the tag does not verify (AEAD); never throws on a peer's bytes.</summary>
    bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);
}
