using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_GCM_8/12/16 (RFC 4106 for ESP, RFC 5282 for IKEv2) with a 128-, 192- or 256-bit key.
/// The key material is the AES key followed by a 4-octet salt (RFC 4106 §8.1); each packet
/// carries an 8-octet IV, and the 12-octet GCM nonce is salt | IV (RFC 4106 §4). The ICV is the
/// GCM tag cut to 8, 12 or 16 octets.
/// </summary>
/// <remarks>
/// For 12- and 16-octet ICVs, OpenSSL's EVP interface does the work directly where libcrypto.so.3
/// is there (<see cref="OpenSslAesGcm"/>, without the per-call overhead of the BCL's wrapper), else
/// the BCL's <see cref="AesGcm"/>. It refuses tags
/// shorter than 12 octets, so for the 8-octet ICV it encrypts with the full tag and keeps its
/// leftmost octets (a shorter GCM tag is the leftmost part of the full one, NIST SP 800-38D §5.2.1.2),
/// and to verify it decrypts with the GCM keystream (CTR from inc32(J_0), SP 800-38D §7.2) and
/// encrypts the plaintext again for the full tag of the received ciphertext.
/// </remarks>
public sealed class AesGcmCipher(int keyBits, int icvLength) : AesEncryptionAlgorithm(
    ByIcvLength(icvLength, EncryptionAlgorithm.AesGcm8, EncryptionAlgorithm.AesGcm12, EncryptionAlgorithm.AesGcm16, "AES-GCM ICVs are 8, 12 or 16 octets (RFC 4106 §6)"),
    keyBits,
    SaltLength,
    ivLength: 8,
    blockSize: 1,
    icvLength)
{
    internal const int SaltLength = 4;
    private const int FullTag = 16;

    private protected override ICipherKey CreateCheckedKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) => new Key(this, key, salt);

    /// <summary>
    /// One AES-GCM key per SA and direction; no allocation per packet; one thread at a time. The
    /// cipher context (OpenSSL's EVP_CIPHER_CTX, ~1 KB of native memory) is made at the first
    /// packet: a daemon holding 100,000 Child SAs that carry no traffic holds none.
    /// </summary>
    private sealed class Key : SaltedAeadKey
    {
        private readonly byte[] key;
        private readonly int tagLength;
        private readonly bool useNative;
        private AesGcm? cipher;
        private OpenSslAesGcm? nativeCipher;

        // Only for the 8-octet ICV, which the BCL cannot verify: the GCM keystream, and room for
        // the ciphertext made again (sized for ESP packets; grows once for a longer IKE message).
        private readonly AesBlockCipher? keystream;
        private byte[] again = [];

        public Key(AesGcmCipher algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
            : base(algorithm, salt)
        {
            bool shortTag = algorithm.IcvLength < 12;
            this.key = key.ToArray();
            tagLength = shortTag ? FullTag : algorithm.IcvLength;
            useNative = !shortTag && OpenSslAesGcm.IsAvailable;
            if (shortTag)
            {
                keystream = new AesBlockCipher(key, decrypts: false);
                again = new byte[AesBlockCipher.PacketScratchBlocks * AesBlockCipher.BlockSize];
            }
        }

        private AesGcm Gcm => cipher ??= new AesGcm(key, tagLength);

        // OpenSSL's EVP interface directly, for the 12- and 16-octet ICVs: made at the first packet too.
        private OpenSslAesGcm? Native => useNative ? nativeCipher ??= new OpenSslAesGcm(key, tagLength) : null;

        protected override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
        {
            if (Native is { } native)
            {
                native.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                return;
            }

            if (keystream is null)
            {
                Gcm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                return;
            }

            Span<byte> fullTag = stackalloc byte[FullTag];
            Gcm.Encrypt(nonce, plaintext, ciphertext, fullTag, associatedData);
            fullTag[..tag.Length].CopyTo(tag);
        }

        protected override void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            if (Native is { } native)
            {
                native.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                return;
            }

            if (keystream is null)
            {
                Gcm.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                return;
            }

            OpenShortTag(keystream, nonce, ciphertext, tag, plaintext, associatedData);
        }

        protected override void DisposeCipher()
        {
            cipher?.Dispose();
            nativeCipher?.Dispose();
            CryptographicOperations.ZeroMemory(key);
            keystream?.Dispose();
        }

        /// <summary>
        /// P = C ^ AES(nonce | 2, 3, ...) (J_0 = nonce | 1 for a 96-bit IV, SP 800-38D §7.2); then
        /// GCM-encrypting P gives C again and its full tag, whose first octets must equal the ICV.
        /// </summary>
        private void OpenShortTag(AesBlockCipher ctr, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            Span<byte> counter = stackalloc byte[AesBlockCipher.BlockSize];
            Span<byte> fullTag = stackalloc byte[FullTag];
            counter.Clear();
            nonce.CopyTo(counter);
            counter[^1] = 2;
            ctr.Ctr(counter, ciphertext, plaintext);
            if (again.Length < ciphertext.Length)
            {
                again = new byte[ciphertext.Length];
            }

            Gcm.Encrypt(nonce, plaintext, again.AsSpan(0, ciphertext.Length), fullTag, associatedData);
            if (!CryptographicOperations.FixedTimeEquals(fullTag[..tag.Length], tag))
            {
                CryptographicOperations.ZeroMemory(plaintext);
                throw new AuthenticationTagMismatchException();
            }
        }
    }
}
