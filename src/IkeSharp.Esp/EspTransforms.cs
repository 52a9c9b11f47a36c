using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IkeSharp.Esp;

/// <summary>
/// The keyed algorithms of one direction of a Child SA and the packet geometry they imply
/// (RFC 4303 §2): SPI (4) | Sequence Number (4) | IV | ciphertext | ICV. Shared by
/// <see cref="EspOutboundSa"/> and <see cref="EspInboundSa"/>; keys are made once, here.
/// </summary>
internal sealed class EspTransforms : IDisposable
{
    public const int HeaderLength = 8;

    public EspTransforms(
        IEncryptionAlgorithm encryption,
        ReadOnlySpan<byte> encryptionKey,
        IIntegrityAlgorithm? integrity,
        ReadOnlySpan<byte> integrityKey,
        bool extendedSequenceNumbers)
    {
        ArgumentNullException.ThrowIfNull(encryption);
        if (encryption.IsAead && integrity is not null)
        {
            throw new ArgumentException($"{encryption} is a combined-mode algorithm and takes no integrity transform (RFC 4303 §3.2.3, RFC 7296 §3.3.3)", nameof(integrity));
        }

        if (!encryption.IsAead && integrity is null)
        {
            throw new ArgumentException($"{encryption} needs an integrity transform: IkeSharp does not do confidentiality-only ESP (RFC 8221 §5, RFC 4303 §3.2.2)", nameof(integrity));
        }

        if (integrity is not null && integrity.IcvLength < 4)
        {
            throw new ArgumentException("an ICV of fewer than 4 octets cannot be aligned (RFC 4303 §2.8)", nameof(integrity));
        }

        Encryption = encryption;
        Integrity = integrity;
        ExtendedSequenceNumbers = extendedSequenceNumbers;
        IvLength = encryption.IvLength;
        IcvLength = encryption.IsAead ? encryption.IcvLength : integrity!.IcvLength;

        // RFC 4303 §2.4: a multiple of the block size, and of 4 octets (block sizes are powers of two).
        Alignment = Math.Max(4, encryption.BlockSize);

        // GCM, CCM, ChaCha20-Poly1305 and CTR need a unique IV, not an unpredictable one (RFC 4106 §3.1,
        // RFC 4309 §3.1, RFC 7634 §2, RFC 3686 §3.1): it is derived from the sequence number. CBC needs
        // an unpredictable IV (RFC 3602 §2.1): it comes from the random source.
        CounterIv = IvLength == 8 && encryption.BlockSize == 1;
        RandomIv = IvLength > 0 && !CounterIv;
        CipherKey = encryption.CreateKey(encryptionKey);
        IntegrityKey = integrity?.CreateKey(integrityKey);
    }

    public IEncryptionAlgorithm Encryption { get; }

    public IIntegrityAlgorithm? Integrity { get; }

    public ICipherKey CipherKey { get; }

    public IIntegrityKey? IntegrityKey { get; }

    public bool ExtendedSequenceNumbers { get; }

    public int IvLength { get; }

    public int IcvLength { get; }

    public int Alignment { get; }

    public bool CounterIv { get; }

    public bool RandomIv { get; }

    public bool IsAead => Encryption.IsAead;

    public int PayloadOffset => HeaderLength + IvLength;

    /// <summary>
    /// The AEAD associated data: SPI | Sequence Number, or SPI | high 32 bits | low 32 bits with
    /// ESN (RFC 4106 §5, RFC 4309 §5, RFC 7634 §2.1). Returns its length (8 or 12).
    /// </summary>
    public int WriteAssociatedData(uint spi, ulong sequenceNumber, Span<byte> aad)
    {
        BinaryPrimitives.WriteUInt32BigEndian(aad, spi);
        if (ExtendedSequenceNumbers)
        {
            BinaryPrimitives.WriteUInt64BigEndian(aad.Slice(4), sequenceNumber);
            return 12;
        }

        BinaryPrimitives.WriteUInt32BigEndian(aad.Slice(4), (uint)sequenceNumber);
        return 8;
    }

    public void Dispose()
    {
        CipherKey.Dispose();
        IntegrityKey?.Dispose();
    }

    internal static void Zero(Span<byte> secret) => CryptographicOperations.ZeroMemory(secret);
}
