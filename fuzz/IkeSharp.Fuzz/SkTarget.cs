using System.Buffers.Binary;
using System.Security.Cryptography;
using IkeSharp.Crypto;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Fuzz;

/// <summary>
/// <c>sk</c>: SK payload verification, decryption and inner decoding (SkPayloadProtection.Open)
/// with the initiator-to-responder keys of the two fixture captures (ikev2_decryption_table.*).
/// Input octet 0 chooses: bit 0 clear, the rest is a whole datagram (an attacker without the key);
/// bit 0 set, octet 1 is the first inner payload type, octet 2 the exchange type and the rest the
/// plaintext (inner chain, padding, Pad Length), which the harness encrypts and authenticates as a
/// peer holding the key would, so padding and the inner chain are reached. Bit 1 picks the SA:
/// clear AES-CBC-256 with HMAC-SHA2-256-128, set AES-GCM-128 with a 16-octet ICV.
/// </summary>
internal static class SkTarget
{
    public sealed record KnownSa(ulong SpiI, ulong SpiR, EncryptionAlgorithm Encryption, int KeyBits, IntegrityAlgorithm Integrity, byte[] SkEi, byte[] SkAi)
    {
        public SkPayloadProtection Inbound()
        {
            AlgorithmRegistry r = AlgorithmRegistry.Default;
            return new SkPayloadProtection(r.Encryption(Encryption, KeyBits)!, SkEi, Integrity == IntegrityAlgorithm.None ? null : r.Integrity(Integrity), SkAi, new DeterministicRandom(1));
        }
    }

    /// <summary>tests/IkeSharp.Wire.Tests/Fixtures/ikev2_decryption_table.aes256_sha256_modp2048.</summary>
    public static readonly KnownSa Cbc = new(0xe28307929cc6b390, 0xb1e9f2b72a8286c0, EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128,
        Convert.FromHexString("4b44c15f21c98f29679af7a28145d2fbef3a50f7da7e0acb9df0ff9f95f8a8d5"),
        Convert.FromHexString("4dac003c3654f0528e4b6e3a427d36000f69b6a9b5d855b104ffc577f01e886a"));

    /// <summary>tests/IkeSharp.Wire.Tests/Fixtures/ikev2_decryption_table.aes128gcm16_prfsha256_x25519.</summary>
    public static readonly KnownSa Gcm = new(0x314c86bcd9814506, 0xccbcb30e060250e4, EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None,
        Convert.FromHexString("af66e3606823a5435f76970856636d69a9cfa460"), []);

    public static void Run(byte[] input)
    {
        if (input.Length < 1)
        {
            return;
        }

        KnownSa sa = (input[0] & 2) == 0 ? Cbc : Gcm;
        byte[] datagram;
        if ((input[0] & 1) == 0)
        {
            datagram = input[1..];
        }
        else if (input.Length >= 3)
        {
            datagram = Craft(sa, (PayloadType)input[1], (ExchangeType)input[2], 1, input.AsSpan(3));
        }
        else
        {
            return;
        }

        DecodeResult<IkeMessage> decoded = IkeMessage.Decode(datagram);
        if (!decoded.TryGetValue(out IkeMessage message))
        {
            return;
        }

        using SkPayloadProtection inbound = sa.Inbound();
        DecodeResult<Payload[]> opened = inbound.Open(datagram, message);
        if (!opened.TryGetValue(out Payload[] inner))
        {
            _ = opened.Error!.ToString();
            return;
        }

        _ = ExchangeRules.CheckInner(message.ExchangeType, message.IsResponse, inner);
        _ = PayloadChain.FindUnsupportedCritical(inner);
        foreach (Payload payload in inner)
        {
            _ = payload.ToString();
        }
    }

    /// <summary>
    /// An initiator's request whose SK payload holds <paramref name="plaintext"/> (cut to whole
    /// cipher blocks, at least one), encrypted and authenticated with <paramref name="sa"/>'s keys.
    /// </summary>
    public static byte[] Craft(KnownSa sa, PayloadType firstInner, ExchangeType exchange, uint messageId, ReadOnlySpan<byte> plaintext)
    {
        bool gcm = sa.Encryption == EncryptionAlgorithm.AesGcm16;
        int ivLength = gcm ? 8 : 16;
        int icvLength = 16;
        int length = gcm ? Math.Max(1, plaintext.Length) : Math.Max(16, plaintext.Length / 16 * 16);
        byte[] pt = new byte[length];
        plaintext.Slice(0, Math.Min(length, plaintext.Length)).CopyTo(pt);
        int total = IkeHeader.EncodedLength + Payload.HeaderLength + ivLength + length + icvLength;
        byte[] datagram = new byte[total];
        new IkeHeader(sa.SpiI, sa.SpiR, PayloadType.Encrypted, IkeHeader.Version2, exchange, IkeFlags.Initiator, messageId, (uint)total).Write(datagram);
        Span<byte> sk = datagram.AsSpan(IkeHeader.EncodedLength);
        sk[0] = (byte)firstInner;
        BinaryPrimitives.WriteUInt16BigEndian(sk.Slice(2), (ushort)(total - IkeHeader.EncodedLength));
        int ivStart = IkeHeader.EncodedLength + Payload.HeaderLength;
        Span<byte> iv = datagram.AsSpan(ivStart, ivLength);
        iv.Fill(0x5a);
        Span<byte> ciphertext = datagram.AsSpan(ivStart + ivLength, length);
        Span<byte> icv = datagram.AsSpan(total - icvLength);
        if (gcm)
        {
            // RFC 5282 §4: the nonce is the 4-octet salt from the end of SK_e and the 8-octet IV.
            byte[] nonce = [.. sa.SkEi.AsSpan(sa.SkEi.Length - 4), .. iv];
            using var aes = new AesGcm(sa.SkEi.AsSpan(0, sa.SkEi.Length - 4), icvLength);
            aes.Encrypt(nonce, pt, ciphertext, icv, datagram.AsSpan(0, ivStart));
        }
        else
        {
            using var aes = Aes.Create();
            aes.Key = sa.SkEi;
            aes.EncryptCbc(pt, iv, ciphertext, PaddingMode.None);
            HMACSHA256.HashData(sa.SkAi, datagram.AsSpan(0, total - icvLength)).AsSpan(0, icvLength).CopyTo(icv);
        }

        return datagram;
    }
}
