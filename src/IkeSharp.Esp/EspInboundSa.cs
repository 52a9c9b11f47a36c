using System.Buffers;
using System.Buffers.Binary;

namespace IkeSharp.Esp;

/// <summary>
/// The receiving half of a Child SA: RFC 4303 §3.4 inbound processing. <see cref="Open"/> reads
/// a peer's ESP packet, and in this order checks the sequence number against the anti-replay
/// window (§3.4.3), verifies the ICV or AEAD tag (§3.4.4), only then commits the sequence number
/// to the window, decrypts and checks the padding (§2.4). It never throws on a peer's bytes and
/// allocates nothing.
/// </summary>
/// <remarks>Not thread-safe: one receiving thread per SA (the replay window is state).</remarks>
public sealed class EspInboundSa : IDisposable
{
    // ESN with a separate ICV authenticates SPI .. Next Header | seqhi; a packet up to this size
    // is gathered on the stack, a larger one in a pooled buffer.
    private const int StackGatherLimit = 2048;

    private readonly EspTransforms transforms;
    private readonly ReplayWindow window;
    private long packets;
    private long bytes;
    private long authenticationFailures;
    private long replays;
    private volatile bool disposed;

    /// <param name="spi">The SPI this end chose for the direction (RFC 4303 §2.1); packets must carry it.</param>
    /// <param name="encryption">From <c>AlgorithmRegistry.EspEncryption</c>; for AEAD, <paramref name="integrity"/> is null.</param>
    /// <param name="encryptionKey">Key material of <see cref="IEncryptionAlgorithm.KeyMaterialLength"/> octets (key and salt).</param>
    /// <param name="integrity">The integrity transform for non-AEAD encryption (including ENCR_NULL).</param>
    /// <param name="integrityKey">Its key; empty for AEAD.</param>
    /// <param name="extendedSequenceNumbers">True when ESN was negotiated.</param>
    /// <param name="replayWindowSize">Packets in the anti-replay window (RFC 4303 §3.4.3).</param>
    public EspInboundSa(
        uint spi,
        IEncryptionAlgorithm encryption,
        ReadOnlySpan<byte> encryptionKey,
        IIntegrityAlgorithm? integrity,
        ReadOnlySpan<byte> integrityKey,
        bool extendedSequenceNumbers,
        int replayWindowSize = ReplayWindow.DefaultSize)
    {
        window = new ReplayWindow(replayWindowSize);
        transforms = new EspTransforms(encryption, encryptionKey, integrity, integrityKey, extendedSequenceNumbers);
        Spi = spi;
    }

    public uint Spi { get; }

    public bool ExtendedSequenceNumbers => transforms.ExtendedSequenceNumbers;

    /// <summary>The anti-replay window; its <see cref="ReplayWindow.Highest"/> is the last sequence number accepted.</summary>
    public ReplayWindow ReplayWindow => window;

    /// <summary>Packets accepted.</summary>
    public long Packets => Volatile.Read(ref packets);

    /// <summary>Octets of inner packets accepted.</summary>
    public long Bytes => Volatile.Read(ref bytes);

    /// <summary>Packets whose ICV did not verify (RFC 4303 §3.4.4 says to count them as auditable events).</summary>
    public long AuthenticationFailures => Volatile.Read(ref authenticationFailures);

    /// <summary>Packets dropped by the anti-replay window.</summary>
    public long Replays => Volatile.Read(ref replays);

    /// <summary>
    /// The buffer <see cref="Open"/> needs for a packet of <paramref name="espLength"/> octets: its
    /// whole ciphertext, since padding and trailer are decrypted there too.
    /// </summary>
    public int MaxInnerLength(int espLength) => Math.Max(0, espLength - transforms.PayloadOffset - transforms.IcvLength);

    /// <summary>
    /// Authenticates, decrypts and checks <paramref name="espPacket"/> (SPI first, no UDP header
    /// or non-ESP marker) and writes the inner packet to the start of <paramref name="innerDestination"/>.
    /// </summary>
    public EspOpenResult Open(ReadOnlySpan<byte> espPacket, Span<byte> innerDestination)
    {
        if (disposed)
        {
            return EspOpenResult.Fail(EspOpenStatus.SaClosed);
        }

        int ivLength = transforms.IvLength;
        int icvLength = transforms.IcvLength;
        int ciphertextLength = espPacket.Length - transforms.PayloadOffset - icvLength;
        if (ciphertextLength < EspPadding.TrailerLength)
        {
            return EspOpenResult.Fail(EspOpenStatus.TooShort);
        }

        uint spi = BinaryPrimitives.ReadUInt32BigEndian(espPacket);
        if (spi != Spi)
        {
            return EspOpenResult.Fail(EspOpenStatus.WrongSpi, spi);
        }

        uint low = BinaryPrimitives.ReadUInt32BigEndian(espPacket.Slice(4));
        ulong sequenceNumber = transforms.ExtendedSequenceNumbers ? window.InferSequenceNumber(low) : low;
        if (ciphertextLength % transforms.Encryption.BlockSize != 0)
        {
            return EspOpenResult.Fail(EspOpenStatus.Malformed, spi, sequenceNumber);
        }

        // RFC 4303 §3.4.3: a duplicate or too old packet is dropped before any crypto is spent on it.
        if (window.Check(sequenceNumber) != ReplayCheck.New)
        {
            Interlocked.Increment(ref replays);
            return EspOpenResult.Fail(EspOpenStatus.ReplayDetected, spi, sequenceNumber);
        }

        if (innerDestination.Length < ciphertextLength)
        {
            return EspOpenResult.Fail(EspOpenStatus.DestinationTooSmall, spi, sequenceNumber);
        }

        ReadOnlySpan<byte> iv = espPacket.Slice(EspTransforms.HeaderLength, ivLength);
        ReadOnlySpan<byte> ciphertext = espPacket.Slice(transforms.PayloadOffset, ciphertextLength);
        ReadOnlySpan<byte> icv = espPacket.Slice(transforms.PayloadOffset + ciphertextLength, icvLength);
        Span<byte> plaintext = innerDestination.Slice(0, ciphertextLength);

        bool authentic;
        if (transforms.IsAead)
        {
            Span<byte> aad = stackalloc byte[12];
            aad = aad.Slice(0, transforms.WriteAssociatedData(spi, sequenceNumber, aad));
            authentic = transforms.CipherKey.Decrypt(iv, ciphertext, icv, plaintext, aad);
        }
        else
        {
            // RFC 4303 §3.4.4: the ICV is verified before decryption.
            authentic = VerifyIcv(espPacket.Slice(0, transforms.PayloadOffset + ciphertextLength), icv, sequenceNumber)
                && transforms.CipherKey.Decrypt(iv, ciphertext, default, plaintext, default);
        }

        if (!authentic)
        {
            Interlocked.Increment(ref authenticationFailures);
            return EspOpenResult.Fail(EspOpenStatus.AuthenticationFailed, spi, sequenceNumber);
        }

        // Only an authentic packet moves the window (RFC 4303 §3.4.3).
        window.Commit(sequenceNumber);

        int payloadLength = EspPadding.PayloadLength(plaintext, out byte nextHeader);
        if (payloadLength < 0)
        {
            EspTransforms.Zero(plaintext);
            return EspOpenResult.Fail(EspOpenStatus.BadPadding, spi, sequenceNumber);
        }

        Interlocked.Increment(ref packets);
        Interlocked.Add(ref bytes, payloadLength);
        return new EspOpenResult(EspOpenStatus.Ok, payloadLength, nextHeader, spi, sequenceNumber);
    }

    /// <summary>The ICV over SPI .. Next Header, with ESN's unsent high 32 bits appended (RFC 4303 §3.3.2.2, §3.4.4.1).</summary>
    private bool VerifyIcv(ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> icv, ulong sequenceNumber)
    {
        IIntegrityKey key = transforms.IntegrityKey!;
        if (!transforms.ExtendedSequenceNumbers)
        {
            return key.Verify(authenticated, icv);
        }

        int length = authenticated.Length + 4;
        byte[]? rented = null;
        Span<byte> gathered = length <= StackGatherLimit
            ? stackalloc byte[StackGatherLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        gathered = gathered.Slice(0, length);
        authenticated.CopyTo(gathered);
        BinaryPrimitives.WriteUInt32BigEndian(gathered.Slice(authenticated.Length), (uint)(sequenceNumber >> 32));
        bool ok = key.Verify(gathered, icv);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return ok;
    }

    /// <summary>Zeroes the keys. Remove the SA from its <see cref="EspSaTable"/> first.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        transforms.Dispose();
    }
}
