using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.KeySchedule;

/// <summary>
/// Protection of the Encrypted payload, SK (RFC 7296 §3.14), for one direction of an IKE SA:
/// SK_ei/SK_ai for what the original initiator sends, SK_er/SK_ar for what the responder sends.
/// <code>
/// IKE header | SK header | IV | E(inner payloads | padding | pad length) | ICV
/// </code>
/// With a separate integrity transform the ICV covers everything before it (§3.14). With an AEAD
/// cipher (RFC 5282 §5.1) the tag is the ICV and the associated data is the IKE header and the SK
/// payload header; its IV is a counter, unique per key as RFC 5282 §3.1 demands.
/// </summary>
public sealed class SkPayloadProtection : IDisposable
{
    private readonly IEncryptionAlgorithm encryption;

    // The key, not a keyed cipher: a cipher context (OpenSSL's EVP_CIPHER_CTX behind AesGcm, ~1 KB
    // of native memory each) per direction of every IKE SA was a large part of a daemon's memory
    // per SA, for messages that come every dpd_delay at most. Keying one per message costs a few
    // microseconds (docs/performance.md).
    private readonly SecretBytes encryptionKey;
    private readonly IIntegrityKey? integrity;
    private readonly IRandomSource random;
    private ulong ivCounter;

    public SkPayloadProtection(IEncryptionAlgorithm encryption, ReadOnlySpan<byte> encryptionKey, IIntegrityAlgorithm? integrityAlgorithm, ReadOnlySpan<byte> integrityKey, IRandomSource random)
    {
        if (!encryption.IsAead && integrityAlgorithm is null)
        {
            throw new ArgumentException($"{encryption.Id.ToIanaName()} needs an integrity algorithm", nameof(integrityAlgorithm));
        }

        this.encryption = encryption;
        this.random = random;
        this.encryptionKey = new SecretBytes(encryptionKey);
        encryption.CreateKey(encryptionKey).Dispose(); // checks the key length now, not at the first message
        integrity = encryption.IsAead ? null : integrityAlgorithm!.CreateKey(integrityKey);
    }

    private int IcvLength => encryption.IsAead ? encryption.IcvLength : integrity!.IcvLength;

    private int PaddedLength(int innerLength)
    {
        int block = Math.Max(1, encryption.BlockSize);
        int withPadLength = innerLength + 1;
        return (withPadLength + block - 1) / block * block;
    }

    /// <summary>Octets of the whole protected message for this inner chain.</summary>
    public int SealedLength(IReadOnlyList<Payload> inner) =>
        IkeHeader.EncodedLength + Payload.HeaderLength + encryption.IvLength + PaddedLength(PayloadChain.EncodedLength(inner)) + IcvLength;

    /// <summary>Builds the protected message into <paramref name="destination"/>; returns its length.</summary>
    public int Seal(ulong spiI, ulong spiR, ExchangeType exchange, IkeFlags flags, uint messageId, IReadOnlyList<Payload> inner, Span<byte> destination)
    {
        int innerLength = PayloadChain.EncodedLength(inner);
        int padded = PaddedLength(innerLength);
        int ivLength = encryption.IvLength;
        int icvLength = IcvLength;
        int total = IkeHeader.EncodedLength + Payload.HeaderLength + ivLength + padded + icvLength;
        if (destination.Length < total)
        {
            throw new ArgumentException($"the protected message needs {total} octets, the destination has {destination.Length}", nameof(destination));
        }

        destination = destination.Slice(0, total);
        new IkeHeader(spiI, spiR, PayloadType.Encrypted, IkeHeader.Version2, exchange, flags, messageId, (uint)total).Write(destination);
        Span<byte> skHeader = destination.Slice(IkeHeader.EncodedLength, Payload.HeaderLength);
        skHeader[0] = (byte)PayloadChain.FirstType(inner);
        skHeader[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(skHeader.Slice(2), (ushort)(total - IkeHeader.EncodedLength));

        int ivStart = IkeHeader.EncodedLength + Payload.HeaderLength;
        Span<byte> iv = destination.Slice(ivStart, ivLength);
        if (encryption.IsAead)
        {
            // RFC 5282 §3.1: the IV must never repeat under one key; a counter guarantees it.
            BinaryPrimitives.WriteUInt64BigEndian(iv, ++ivCounter);
        }
        else
        {
            // CBC needs an unpredictable IV (RFC 7296 §3.14).
            random.Fill(iv);
        }

        byte[] plaintext = ArrayPool<byte>.Shared.Rent(padded);
        using ICipherKey cipher = encryption.CreateKey(encryptionKey.ReadOnlySpan);
        try
        {
            Span<byte> pt = plaintext.AsSpan(0, padded);
            PayloadChain.Write(inner, pt);
            pt.Slice(innerLength, padded - innerLength - 1).Clear();
            pt[padded - 1] = (byte)(padded - innerLength - 1);
            Span<byte> ciphertext = destination.Slice(ivStart + ivLength, padded);
            Span<byte> icv = destination.Slice(total - icvLength, icvLength);
            if (encryption.IsAead)
            {
                cipher.Encrypt(iv, pt, ciphertext, icv, destination.Slice(0, ivStart));
            }
            else
            {
                cipher.Encrypt(iv, pt, ciphertext, default, default);
                integrity!.Compute(destination.Slice(0, total - icvLength), icv);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, padded));
            ArrayPool<byte>.Shared.Return(plaintext);
        }

        return total;
    }

    public byte[] Seal(ulong spiI, ulong spiR, ExchangeType exchange, IkeFlags flags, uint messageId, IReadOnlyList<Payload> inner)
    {
        byte[] result = new byte[SealedLength(inner)];
        Seal(spiI, spiR, exchange, flags, messageId, inner, result);
        return result;
    }

    /// <summary>
    /// Verifies and decrypts the SK payload of <paramref name="message"/>, decoded from
    /// <paramref name="datagram"/>, and decodes the inner chain. A wrong ICV or bad padding is an
    /// error result, never an exception.
    /// </summary>
    public DecodeResult<Payload[]> Open(ReadOnlyMemory<byte> datagram, IkeMessage message)
    {
        if (message.Encrypted is not { } sk)
        {
            return new DecodeError(DecodeErrorCode.InvalidValue, "the message has no Encrypted payload", IkeHeader.EncodedLength);
        }

        int ivLength = encryption.IvLength;
        int icvLength = IcvLength;
        int bodyStart = datagram.Length - sk.Body.Length;
        int ciphertextLength = sk.Body.Length - ivLength - icvLength;
        int block = Math.Max(1, encryption.BlockSize);
        if (ciphertextLength < 1 || ciphertextLength % block != 0)
        {
            return new DecodeError(DecodeErrorCode.BadLength,
                $"SK payload of {sk.Body.Length} octets cannot hold a {ivLength}-octet IV, a {icvLength}-octet ICV and whole {block}-octet blocks", bodyStart, PayloadType.Encrypted);
        }

        ReadOnlySpan<byte> bytes = datagram.Span;
        ReadOnlySpan<byte> iv = bytes.Slice(bodyStart, ivLength);
        ReadOnlySpan<byte> ciphertext = bytes.Slice(bodyStart + ivLength, ciphertextLength);
        ReadOnlySpan<byte> icv = bytes.Slice(datagram.Length - icvLength, icvLength);
        if (!encryption.IsAead && !integrity!.Verify(bytes.Slice(0, datagram.Length - icvLength), icv))
        {
            return new DecodeError(DecodeErrorCode.IntegrityCheckFailed, "the ICV does not verify (wrong SK_a key, or the message was altered)", datagram.Length - icvLength, PayloadType.Encrypted);
        }

        byte[] plaintext = new byte[ciphertextLength];
        bool ok;
        using (ICipherKey cipher = encryption.CreateKey(encryptionKey.ReadOnlySpan))
        {
            ok = encryption.IsAead
                ? cipher.Decrypt(iv, ciphertext, icv, plaintext, bytes.Slice(0, bodyStart))
                : cipher.Decrypt(iv, ciphertext, default, plaintext, default);
        }

        if (!ok)
        {
            return new DecodeError(DecodeErrorCode.IntegrityCheckFailed,
                encryption.IsAead ? "the AEAD tag does not verify (wrong SK_e key, or the message was altered)" : "decryption failed", datagram.Length - icvLength, PayloadType.Encrypted);
        }

        int padLength = plaintext[^1];
        if (padLength + 1 > plaintext.Length)
        {
            return new DecodeError(DecodeErrorCode.BadLength, $"Pad Length {padLength} exceeds the {plaintext.Length - 1} decrypted octets", bodyStart + ivLength + ciphertextLength - 1, PayloadType.Encrypted);
        }

        return PayloadChain.Decode(sk.FirstInnerPayload, plaintext.AsMemory(0, plaintext.Length - padLength - 1), bodyStart + ivLength, allowEncrypted: false);
    }

    public void Dispose()
    {
        encryptionKey.Dispose();
        integrity?.Dispose();
    }
}
