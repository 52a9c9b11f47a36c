using System.Buffers.Binary;
using System.Security.Cryptography;
using IkeSharp.Crypto;
using IkeSharp.Esp;
using IkeSharp.Wire;

namespace IkeSharp.Fuzz;

/// <summary>
/// <c>esp</c>: what arrives on UDP 4500. Each record (see <see cref="Records"/>) is a flag octet
/// and a UDP payload, which goes through the classifier (EspInUdp.Classify): an IKE message is
/// decoded, an ESP packet is opened by the SA its SPI names (EspSaTable.Open, EspInboundSa.Open).
/// The SAs: the two of the fixture captures (AES-GCM-128, AES-CBC-256 with HMAC-SHA2-256-128), and
/// two ENCR_NULL ones with HMAC-SHA2-256-128, without and with ESN, for which the harness can
/// authenticate what the fuzzer writes, so padding and the replay window are reached. Flag bits:
/// 0-1 = 1 or 2, the payload gets the SPI and a valid ICV of the NULL SA without or with ESN;
/// bit 2, the inner buffer is one octet too small. Input octet 0, bit 0: a 32-packet replay window
/// instead of 1024.
/// </summary>
internal static class EspTarget
{
    public const uint GcmSpi = 0x7a4f3178;
    public const uint CbcSpi = 0x5f9e3a5b;
    public const uint NullSpi = 0x0000e5e5;
    public const uint NullEsnSpi = 0x0000e5e6;

    public static readonly byte[] NullIntegrityKey = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    public static void Run(byte[] input)
    {
        if (input.Length < 1)
        {
            return;
        }

        AlgorithmRegistry r = AlgorithmRegistry.Default;
        IIntegrityAlgorithm sha256 = r.Integrity(IntegrityAlgorithm.HmacSha2_256_128)!;
        int window = (input[0] & 1) != 0 ? 32 : ReplayWindow.DefaultSize;
        using var gcm = new EspInboundSa(GcmSpi, r.EspEncryption(EncryptionAlgorithm.AesGcm16, 128)!,
            Convert.FromHexString("68ba9832edc5405fade9959ff8771466259ba668"), null, [], false, window);
        using var cbc = new EspInboundSa(CbcSpi, r.EspEncryption(EncryptionAlgorithm.AesCbc, 256)!,
            Convert.FromHexString("a362d6c4481e3bd29133aae14e69e0f99fda4de802d0a0a87b590afb434ad188"), sha256,
            Convert.FromHexString("f94f90691de67c671224004fbbc7d6b0ab45681eb77a0d570120a68ce2112f27"), false, window);
        using var plain = new EspInboundSa(NullSpi, r.EspEncryption(EncryptionAlgorithm.Null, 0)!, [], sha256, NullIntegrityKey, false, window);
        using var plainEsn = new EspInboundSa(NullEsnSpi, r.EspEncryption(EncryptionAlgorithm.Null, 0)!, [], sha256, NullIntegrityKey, true, window);
        var table = new EspSaTable();
        foreach (EspInboundSa sa in (EspInboundSa[])[gcm, cbc, plain, plainEsn])
        {
            table.TryAdd(sa);
        }

        foreach (ReadOnlyMemory<byte> record in Records.Split(input.AsMemory(1)))
        {
            if (record.Length == 0)
            {
                continue;
            }

            byte flags = record.Span[0];
            byte[] payload = record.Span[1..].ToArray();
            if ((flags & 3) is 1 or 2 && payload.Length >= 8)
            {
                payload = Authenticate((flags & 3) == 2 ? plainEsn : plain, payload);
            }

            switch (EspInUdp.Classify(payload))
            {
                case UdpEncapsulatedKind.Ike:
                    if (EspInUdp.TryGetIkeMessage(payload, out ReadOnlySpan<byte> ike))
                    {
                        _ = IkeMessage.Decode(ike.ToArray());
                    }

                    break;
                case UdpEncapsulatedKind.Esp:
                    if (!EspSaTable.TryReadSpi(payload, out uint spi) || !table.TryGet(spi, out EspInboundSa? target))
                    {
                        break;
                    }

                    int size = target.MaxInnerLength(payload.Length);
                    byte[] inner = new byte[(flags & 4) != 0 ? Math.Max(0, size - 1) : size];
                    EspOpenResult result = table.Open(payload, inner);
                    if (result.IsOk && (result.Length > inner.Length || result.Length < 0))
                    {
                        throw new InvalidOperationException($"{result} does not fit the {inner.Length}-octet buffer");
                    }

                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// <paramref name="packet"/> with the SPI of <paramref name="sa"/> and an ICV appended that
    /// verifies: HMAC-SHA2-256-128 over the packet, with ESN the high 32 bits of the sequence
    /// number the SA will infer (RFC 4303 §3.3.2.2).
    /// </summary>
    public static byte[] Authenticate(EspInboundSa sa, ReadOnlySpan<byte> packet)
    {
        byte[] result = new byte[packet.Length + 16];
        packet.CopyTo(result);
        BinaryPrimitives.WriteUInt32BigEndian(result, sa.Spi);
        byte[] authenticated = result[..packet.Length];
        if (sa.ExtendedSequenceNumbers)
        {
            ulong sequenceNumber = sa.ReplayWindow.InferSequenceNumber(BinaryPrimitives.ReadUInt32BigEndian(result.AsSpan(4)));
            authenticated = [.. authenticated, (byte)(sequenceNumber >> 56), (byte)(sequenceNumber >> 48), (byte)(sequenceNumber >> 40), (byte)(sequenceNumber >> 32)];
        }

        HMACSHA256.HashData(NullIntegrityKey, authenticated).AsSpan(0, 16).CopyTo(result.AsSpan(packet.Length));
        return result;
    }
}
