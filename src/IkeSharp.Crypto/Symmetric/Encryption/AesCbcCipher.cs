using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_CBC (RFC 3602) with a 128-, 192- or 256-bit key, for the SK payload (RFC 7296 §3.14)
/// and ESP. The IV is a full 16-octet block carried in the packet (RFC 3602 §2.1) and must be
/// unpredictable; the plaintext is padded to whole blocks by the caller (RFC 3602 §2.4). No ICV of
/// its own: an integrity transform goes with it.
/// </summary>
public sealed class AesCbcCipher : IEncryptionAlgorithm
{
    private const int Block = 16;

    public AesCbcCipher(int keyBits)
    {
        if (keyBits is not (128 or 192 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(keyBits), keyBits, "AES keys are 128, 192 or 256 bits");
        }

        KeyBits = keyBits;
    }

    public EncryptionAlgorithm Id => EncryptionAlgorithm.AesCbc;

    public int KeyBits { get; }

    public int KeyMaterialLength => KeyBits / 8;

    public int IvLength => Block;

    public int BlockSize => Block;

    public bool IsAead => false;

    public int IcvLength => 0;

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial)
    {
        CipherArguments.CheckKeyMaterial(this, keyMaterial);
        return new Key(this, keyMaterial);
    }

    public override string ToString() => TransformKeywords.ToKeyword(Id, KeyBits);

    /// <summary>One AES instance, keyed once; CBC runs through the BCL's one-shot methods.</summary>
    private sealed class Key : ICipherKey
    {
        private readonly AesCbcCipher algorithm;
        private readonly Aes aes = Aes.Create();

        public Key(AesCbcCipher algorithm, ReadOnlySpan<byte> key)
        {
            this.algorithm = algorithm;
            aes.SetKey(key);
        }

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
        {
            CipherArguments.CheckEncrypt(algorithm, iv, plaintext, ciphertext, tag);
            aes.EncryptCbc(plaintext, iv, ciphertext, PaddingMode.None);
        }

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            if (!CipherArguments.DecryptLengthsValid(algorithm, iv, ciphertext, tag, plaintext))
            {
                return false;
            }

            aes.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
            return true;
        }

        public void Dispose() => aes.Dispose();
    }
}
