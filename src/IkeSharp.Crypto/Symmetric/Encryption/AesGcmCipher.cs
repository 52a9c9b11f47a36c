using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_GCM_8/12/16 (RFC 4106 for ESP, RFC 5282 for IKEv2) with a 128-, 192- or 256-bit key.
/// The key material is the AES key followed by a 4-octet salt (RFC 4106 §8.1); each packet
/// carries an 8-octet IV, and the 12-octet GCM nonce is salt | IV (RFC 4106 §4). The ICV is the
/// GCM tag cut to 8, 12 or 16 octets.
/// </summary>
/// <remarks>
/// The BCL's <see cref="AesGcm"/> does all the work for 12- and 16-octet ICVs. It refuses tags
/// shorter than 12 octets, so for the 8-octet ICV it still encrypts (a shorter GCM tag is the
/// leftmost part of the full one, NIST SP 800-38D §7.1) but BouncyCastle checks the 8-octet tag.
/// </remarks>
public sealed class AesGcmCipher : IEncryptionAlgorithm
{
    internal const int SaltLength = 4;
    private const int FullTag = 16;

    public AesGcmCipher(int keyBits, int icvLength)
    {
        if (keyBits is not (128 or 192 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(keyBits), keyBits, "AES keys are 128, 192 or 256 bits");
        }

        Id = icvLength switch
        {
            8 => EncryptionAlgorithm.AesGcm8,
            12 => EncryptionAlgorithm.AesGcm12,
            16 => EncryptionAlgorithm.AesGcm16,
            _ => throw new ArgumentOutOfRangeException(nameof(icvLength), icvLength, "AES-GCM ICVs are 8, 12 or 16 octets (RFC 4106 §6)"),
        };
        KeyBits = keyBits;
        IcvLength = icvLength;
    }

    public EncryptionAlgorithm Id { get; }

    public int KeyBits { get; }

    public int KeyMaterialLength => (KeyBits / 8) + SaltLength;

    public int IvLength => 8;

    public int BlockSize => 1;

    public bool IsAead => true;

    public int IcvLength { get; }

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial)
    {
        CipherArguments.CheckKeyMaterial(this, keyMaterial);
        return new Key(this, keyMaterial);
    }

    public override string ToString() => TransformKeywords.ToKeyword(Id, KeyBits);

    private sealed class Key : SaltedAeadKey
    {
        private readonly AesGcm gcm;

        // Only for the 8-octet ICV, which the BCL cannot verify.
        private readonly GcmBlockCipher? shortTagCipher;
        private readonly KeyParameter? shortTagKey;

        public Key(AesGcmCipher algorithm, ReadOnlySpan<byte> keyMaterial)
            : base(algorithm, keyMaterial, SaltLength)
        {
            ReadOnlySpan<byte> key = KeyPart(keyMaterial, SaltLength);
            bool shortTag = algorithm.IcvLength < 12;
            gcm = new AesGcm(key, shortTag ? FullTag : algorithm.IcvLength);
            if (shortTag)
            {
                shortTagCipher = new GcmBlockCipher(AesUtilities.CreateEngine());
                shortTagKey = new KeyParameter(key);
            }
        }

        protected override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
        {
            if (shortTagCipher is null)
            {
                gcm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                return;
            }

            Span<byte> fullTag = stackalloc byte[FullTag];
            gcm.Encrypt(nonce, plaintext, ciphertext, fullTag, associatedData);
            fullTag.Slice(0, tag.Length).CopyTo(tag);
        }

        protected override void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            if (shortTagCipher is null)
            {
                gcm.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                return;
            }

            OpenShortTag(nonce, ciphertext, tag, plaintext, associatedData);
        }

        /// <summary>BouncyCastle's GCM with a 64-bit MAC; it compares tags in constant time.</summary>
        private void OpenShortTag(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            shortTagCipher!.Init(false, new AeadParameters(shortTagKey!, Algorithm.IcvLength * 8, nonce.ToArray()));
            shortTagCipher.ProcessAadBytes(associatedData);
            int written = shortTagCipher.ProcessBytes(ciphertext, plaintext);
            written += shortTagCipher.ProcessBytes(tag, plaintext.Slice(written));
            try
            {
                shortTagCipher.DoFinal(plaintext.Slice(written));
            }
            catch (InvalidCipherTextException)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                throw new AuthenticationTagMismatchException();
            }
        }

        /// <summary>
        /// Frees the BCL key (the base zeroes the salt). BouncyCastle's copies of the key (the
        /// KeyParameter and the AES round keys of the 8-octet-ICV path) offer no way to clear them.
        /// </summary>
        protected override void DisposeCipher() => gcm.Dispose();
    }
}
