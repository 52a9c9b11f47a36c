namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// Length rules shared by every <see cref="ICipherKey"/>. Encrypting is our own doing, so a wrong
/// length there is a bug and throws; decrypting handles a peer's bytes, so a wrong length is a
/// plain <c>false</c>.
/// </summary>
internal static class CipherArguments
{
    public static void CheckKeyMaterial(IEncryptionAlgorithm algorithm, ReadOnlySpan<byte> keyMaterial)
    {
        if (keyMaterial.Length != algorithm.KeyMaterialLength)
        {
            throw new ArgumentException(
                $"{algorithm.Id.ToIanaName()} with a {algorithm.KeyBits}-bit key takes {algorithm.KeyMaterialLength} octets of key material; {keyMaterial.Length} given",
                nameof(keyMaterial));
        }
    }

    public static void CheckEncrypt(IEncryptionAlgorithm algorithm, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        if (iv.Length != algorithm.IvLength)
        {
            throw new ArgumentException($"{algorithm.Id.ToIanaName()} takes a {algorithm.IvLength}-octet IV; {iv.Length} given", nameof(iv));
        }

        if (ciphertext.Length != plaintext.Length)
        {
            throw new ArgumentException($"ciphertext buffer of {ciphertext.Length} octets for {plaintext.Length} octets of plaintext", nameof(ciphertext));
        }

        if (tag.Length != algorithm.IcvLength)
        {
            throw new ArgumentException($"{algorithm.Id.ToIanaName()} writes a {algorithm.IcvLength}-octet tag; the buffer has {tag.Length}", nameof(tag));
        }

        if (plaintext.Length % algorithm.BlockSize != 0)
        {
            throw new ArgumentException($"{algorithm.Id.ToIanaName()} encrypts whole {algorithm.BlockSize}-octet blocks; {plaintext.Length} octets given (pad first)", nameof(plaintext));
        }
    }

    /// <summary>True when the lengths of a received message fit the algorithm.</summary>
    public static bool DecryptLengthsValid(IEncryptionAlgorithm algorithm, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext) =>
        iv.Length == algorithm.IvLength &&
        tag.Length == algorithm.IcvLength &&
        plaintext.Length == ciphertext.Length &&
        ciphertext.Length % algorithm.BlockSize == 0;

    /// <summary>The AEAD nonce salt | IV (RFC 4106 §4, RFC 4309 §4, RFC 7634 §2).</summary>
    public static void WriteNonce(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        salt.CopyTo(nonce);
        iv.CopyTo(nonce.Slice(salt.Length));
    }
}
