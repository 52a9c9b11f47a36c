using System.Security.Cryptography;

namespace IkeSharp.Crypto.Tests.KeySchedule;

/// <summary>
/// Minimal BCL-backed algorithms for the key-schedule tests, independent of the algorithm registry,
/// so the schedule is checked against strongSwan with nothing of ours underneath but prf+.
/// </summary>
internal sealed class RefHmacSha256Prf : IPrf
{
    public PseudorandomFunction Id => PseudorandomFunction.HmacSha2_256;

    public int OutputLength => 32;

    public int KeyLength => 32;

    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output) => HMACSHA256.HashData(key, data, output);
}

/// <summary>AES-GCM with a 16-octet ICV, key material = key | 4-octet salt (RFC 5282 §7.1).</summary>
internal sealed class RefAesGcm16(int keyBits) : IEncryptionAlgorithm
{
    public EncryptionAlgorithm Id => EncryptionAlgorithm.AesGcm16;

    public int KeyBits => keyBits;

    public int KeyMaterialLength => (keyBits / 8) + 4;

    public int IvLength => 8;

    public int BlockSize => 1;

    public bool IsAead => true;

    public int IcvLength => 16;

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial) => new Key(keyMaterial[..^4], keyMaterial[^4..]);

    private sealed class Key(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) : ICipherKey
    {
        private readonly AesGcm gcm = new(key, 16);
        private readonly byte[] salt = salt.ToArray();

        private byte[] Nonce(ReadOnlySpan<byte> iv) => [.. salt, .. iv];

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
            gcm.Encrypt(Nonce(iv), plaintext, ciphertext, tag, associatedData);

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            try
            {
                gcm.Decrypt(Nonce(iv), ciphertext, tag, plaintext, associatedData);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                return false;
            }
        }

        public void Dispose() => gcm.Dispose();
    }
}

internal sealed class RefAesCbc(int keyBits) : IEncryptionAlgorithm
{
    public EncryptionAlgorithm Id => EncryptionAlgorithm.AesCbc;

    public int KeyBits => keyBits;

    public int KeyMaterialLength => keyBits / 8;

    public int IvLength => 16;

    public int BlockSize => 16;

    public bool IsAead => false;

    public int IcvLength => 0;

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial) => new Key(keyMaterial);

    private sealed class Key : ICipherKey
    {
        private readonly Aes aes = Aes.Create();

        public Key(ReadOnlySpan<byte> key) => aes.Key = key.ToArray();

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
            aes.EncryptCbc(plaintext, iv, ciphertext, PaddingMode.None);

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            aes.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
            return true;
        }

        public void Dispose() => aes.Dispose();
    }
}

internal sealed class RefHmacSha256_128 : IIntegrityAlgorithm
{
    public IntegrityAlgorithm Id => IntegrityAlgorithm.HmacSha2_256_128;

    public int KeyLength => 32;

    public int IcvLength => 16;

    public IIntegrityKey CreateKey(ReadOnlySpan<byte> key) => new Key(key.ToArray());

    private sealed class Key(byte[] key) : IIntegrityKey
    {
        public int IcvLength => 16;

        public void Compute(ReadOnlySpan<byte> data, Span<byte> icv) => HMACSHA256.HashData(key, data)[..16].CopyTo(icv);

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv) => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, data)[..16], icv);

        public void Dispose() => CryptographicOperations.ZeroMemory(key);
    }
}
