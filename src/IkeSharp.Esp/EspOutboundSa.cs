using System.Buffers.Binary;

namespace IkeSharp.Esp;

/// <summary>
/// The sending half of a Child SA: RFC 4303 §3.3 outbound processing. Each <see cref="Seal"/>
/// takes the next sequence number (§3.3.3), pads (§2.4), encrypts and computes the ICV (§3.3.2,
/// §3.3.4) straight into the caller's buffer, with no heap allocation.
/// </summary>
/// <remarks>
/// With Extended Sequence Numbers (RFC 4303 §2.2.1, Appendix A) only the low 32 bits travel in the
/// header; the high 32 bits are authenticated all the same: in the AEAD associated data
/// (RFC 4106 §5) or appended, unsent, after the ciphertext for the separate ICV (§3.3.2.2).
/// The sequence counter is claimed atomically; the keyed algorithms are not promised to be safe
/// for concurrent use, so seal one packet at a time per SA (one SA per sending thread).
/// </remarks>
public sealed class EspOutboundSa : IDisposable
{
    private readonly EspTransforms transforms;
    private readonly IRandomSource random;
    private readonly ulong maxSequenceNumber;

    // XORed with the sequence number to make the 8-octet IV of counter modes, like Linux's seqiv:
    // a bijection, so IVs never repeat while sequence numbers do not (RFC 4106 §3.1, RFC 3686 §3.1).
    private readonly byte[] ivMask = new byte[8];
    private ulong lastSequenceNumber;
    private long packets;
    private long bytes;
    private bool disposed;

    /// <param name="spi">The SPI the peer chose for this direction (RFC 4303 §2.1).</param>
    /// <param name="encryption">From <c>AlgorithmRegistry.EspEncryption</c>; for AEAD, <paramref name="integrity"/> is null.</param>
    /// <param name="encryptionKey">Key material of <see cref="IEncryptionAlgorithm.KeyMaterialLength"/> octets (key and salt).</param>
    /// <param name="integrity">The integrity transform for non-AEAD encryption (including ENCR_NULL).</param>
    /// <param name="integrityKey">Its key; empty for AEAD.</param>
    /// <param name="extendedSequenceNumbers">True when ESN was negotiated (RFC 7296 §3.3.2, transform type 5).</param>
    /// <param name="random">Source of CBC IVs and of the per-SA IV mask of counter modes.</param>
    public EspOutboundSa(
        uint spi,
        IEncryptionAlgorithm encryption,
        ReadOnlySpan<byte> encryptionKey,
        IIntegrityAlgorithm? integrity,
        ReadOnlySpan<byte> integrityKey,
        bool extendedSequenceNumbers,
        IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        transforms = new EspTransforms(encryption, encryptionKey, integrity, integrityKey, extendedSequenceNumbers);
        this.random = random;
        Spi = spi;
        maxSequenceNumber = extendedSequenceNumbers ? ulong.MaxValue : uint.MaxValue;
        if (transforms.CounterIv)
        {
            random.Fill(ivMask);
        }
    }

    public uint Spi { get; }

    public bool ExtendedSequenceNumbers => transforms.ExtendedSequenceNumbers;

    /// <summary>The sequence number of the last packet sealed; 0 before the first (RFC 4303 §3.3.3 starts at 1).</summary>
    public ulong LastSequenceNumber => Volatile.Read(ref lastSequenceNumber);

    /// <summary>
    /// True once the counter has reached its maximum: the SA must be rekeyed, it cannot send again
    /// (RFC 4303 §3.3.3, the counter MUST NOT cycle).
    /// </summary>
    public bool IsSequenceExhausted => LastSequenceNumber >= maxSequenceNumber;

    /// <summary>Packets sealed.</summary>
    public long Packets => Volatile.Read(ref packets);

    /// <summary>Octets of inner packets sealed (before ESP overhead).</summary>
    public long Bytes => Volatile.Read(ref bytes);

    /// <summary>Octets of an ESP packet carrying <paramref name="innerLength"/> octets.</summary>
    public int SealedLength(int innerLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(innerLength);
        return transforms.PayloadOffset + EspPadding.PaddedLength(innerLength, transforms.Alignment) + transforms.IcvLength;
    }

    /// <summary>ESP's overhead for an inner packet of this length: header, IV, padding, trailer, ICV.</summary>
    public int Overhead(int innerLength) => SealedLength(innerLength) - innerLength;

    /// <summary>
    /// The largest inner packet whose ESP packet fits in <paramref name="espLength"/> octets, e.g.
    /// the path MTU minus the outer IP header (and 8 for the UDP header of RFC 3948); 0 or less when none fits.
    /// </summary>
    public int MaxInnerLength(int espLength)
    {
        int ciphertext = espLength - transforms.PayloadOffset - transforms.IcvLength;
        ciphertext -= ciphertext % transforms.Alignment;
        return ciphertext - EspPadding.TrailerLength;
    }

    /// <summary>
    /// Where the inner packet starts in an ESP packet of this SA: after the SPI, the sequence
    /// number and the IV (RFC 4303 §2). A caller that builds the inner packet there itself seals it
    /// with <see cref="SealInPlace"/>, with no copy.
    /// </summary>
    public int PayloadOffset => transforms.PayloadOffset;

    /// <summary>
    /// Writes the ESP packet for <paramref name="innerPacket"/> (RFC 4303 §3.3) into
    /// <paramref name="destination"/>, which must hold <see cref="SealedLength"/> octets and must
    /// not overlap the inner packet. Returns the octets written.
    /// </summary>
    /// <param name="nextHeader">4 or 41 in tunnel mode, the upper-layer protocol in transport mode (<see cref="EspNextHeader"/>).</param>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    /// <exception cref="InvalidOperationException">The sequence number space is used up: rekey.</exception>
    public int Seal(ReadOnlySpan<byte> innerPacket, byte nextHeader, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        int total = SealedLength(innerPacket.Length);
        if (destination.Length < total)
        {
            throw new ArgumentException($"an ESP packet for {innerPacket.Length} octets takes {total}; the destination has {destination.Length}", nameof(destination));
        }

        innerPacket.CopyTo(destination.Slice(transforms.PayloadOffset));
        return SealInPlace(destination, innerPacket.Length, nextHeader);
    }

    /// <summary>
    /// Seals the inner packet of <paramref name="innerLength"/> octets that the caller wrote at
    /// <see cref="PayloadOffset"/> of <paramref name="packet"/>: writes the ESP header, IV, padding
    /// and trailer around it and encrypts it where it is (RFC 4303 §3.3.2). The span must hold
    /// <see cref="SealedLength"/> octets. Returns the octets of the ESP packet.
    /// </summary>
    /// <exception cref="ArgumentException">The span is too short.</exception>
    /// <exception cref="InvalidOperationException">The sequence number space is used up: rekey.</exception>
    public int SealInPlace(Span<byte> packet, int innerLength, byte nextHeader)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(innerLength);
        int ciphertextLength = EspPadding.PaddedLength(innerLength, transforms.Alignment);
        int total = transforms.PayloadOffset + ciphertextLength + transforms.IcvLength;
        if (packet.Length < total)
        {
            throw new ArgumentException($"an ESP packet for {innerLength} octets takes {total}; the span has {packet.Length}", nameof(packet));
        }

        ulong sequenceNumber = NextSequenceNumber();

        // SPI | Sequence Number (low 32 bits) (RFC 4303 §2.1, §2.2)
        BinaryPrimitives.WriteUInt32BigEndian(packet, Spi);
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(4), (uint)sequenceNumber);

        Span<byte> iv = packet.Slice(EspTransforms.HeaderLength, transforms.IvLength);
        if (transforms.CounterIv)
        {
            BinaryPrimitives.WriteUInt64BigEndian(iv, sequenceNumber ^ BinaryPrimitives.ReadUInt64BigEndian(ivMask));
        }
        else if (transforms.RandomIv)
        {
            random.Fill(iv);
        }

        // Payload | Padding | Pad Length | Next Header, encrypted in place (RFC 4303 §3.3.2).
        Span<byte> payload = packet.Slice(transforms.PayloadOffset, ciphertextLength);
        EspPadding.Write(payload, innerLength, nextHeader);
        Span<byte> icv = packet.Slice(transforms.PayloadOffset + ciphertextLength, transforms.IcvLength);

        if (transforms.IsAead)
        {
            Span<byte> aad = stackalloc byte[12];
            aad = aad.Slice(0, transforms.WriteAssociatedData(Spi, sequenceNumber, aad));
            transforms.CipherKey.Encrypt(iv, payload, payload, icv, aad);
        }
        else
        {
            transforms.CipherKey.Encrypt(iv, payload, payload, default, default);
            ComputeIcv(packet.Slice(0, total), sequenceNumber);
        }

        Interlocked.Increment(ref packets);
        Interlocked.Add(ref bytes, innerLength);
        return total;
    }

    /// <summary>
    /// The ICV over SPI .. Next Header (RFC 4303 §3.3.4), with ESN's high 32 bits appended
    /// (§3.3.2.2). The seqhi octets are written for a moment where the ICV goes (every ICV is at
    /// least 4 octets), so the authenticated data is contiguous and nothing is copied.
    /// </summary>
    private void ComputeIcv(Span<byte> packet, ulong sequenceNumber)
    {
        IIntegrityKey key = transforms.IntegrityKey!;
        int authenticatedLength = packet.Length - transforms.IcvLength;
        Span<byte> icv = packet.Slice(authenticatedLength);
        if (!transforms.ExtendedSequenceNumbers)
        {
            key.Compute(packet.Slice(0, authenticatedLength), icv);
            return;
        }

        Span<byte> computed = stackalloc byte[64];
        computed = computed.Slice(0, transforms.IcvLength);
        BinaryPrimitives.WriteUInt32BigEndian(icv, (uint)(sequenceNumber >> 32));
        key.Compute(packet.Slice(0, authenticatedLength + 4), computed);
        computed.CopyTo(icv);
    }

    /// <summary>Claims the next sequence number; never cycles (RFC 4303 §3.3.3).</summary>
    private ulong NextSequenceNumber()
    {
        ulong current = Volatile.Read(ref lastSequenceNumber);
        while (true)
        {
            if (current >= maxSequenceNumber)
            {
                throw new InvalidOperationException($"ESP SA 0x{Spi:x8} has used every sequence number; it must be rekeyed (RFC 4303 §3.3.3)");
            }

            ulong seen = Interlocked.CompareExchange(ref lastSequenceNumber, current + 1, current);
            if (seen == current)
            {
                return current + 1;
            }

            current = seen;
        }
    }

    /// <summary>For tests of counter exhaustion and ESN wrap: the next packet gets <paramref name="last"/> + 1.</summary>
    internal void SetLastSequenceNumber(ulong last) => Volatile.Write(ref lastSequenceNumber, last);

    /// <summary>Zeroes the keys and the IV mask; the SA cannot seal afterwards.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        transforms.Dispose();
        EspTransforms.Zero(ivMask);
    }
}
