using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_CCM_8/12/16 (RFC 4309 for ESP, RFC 5282 for IKEv2) with a 128-, 192- or 256-bit key.
/// The key material is the AES key followed by a 3-octet salt (RFC 4309 §7.1); each packet
/// carries an 8-octet IV, and the 11-octet CCM nonce is salt | IV, which leaves a 4-octet length
/// field (RFC 4309 §4). The ICV is the CCM tag of 8, 12 or 16 octets (RFC 4309 §3.2), all of which
/// the BCL's <see cref="AesCcm"/> accepts.
/// </summary>
public sealed class AesCcmCipher : IEncryptionAlgorithm
{
    internal const int SaltLength = 3;

    public AesCcmCipher(int keyBits, int icvLength)
    {
        if (keyBits is not (128 or 192 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(keyBits), keyBits, "AES keys are 128, 192 or 256 bits");
        }

        Id = icvLength switch
        {
            8 => EncryptionAlgorithm.AesCcm8,
            12 => EncryptionAlgorithm.AesCcm12,
            16 => EncryptionAlgorithm.AesCcm16,
            _ => throw new ArgumentOutOfRangeException(nameof(icvLength), icvLength, "AES-CCM ICVs are 8, 12 or 16 octets (RFC 4309 §3.2)"),
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

    private sealed class Key(AesCcmCipher algorithm, ReadOnlySpan<byte> keyMaterial) : SaltedAeadKey(algorithm, keyMaterial, SaltLength)
    {
        private readonly AesCcm ccm = new(KeyPart(keyMaterial, SaltLength));

        protected override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
            ccm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

        protected override void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData) =>
            ccm.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);

        protected override void DisposeCipher() => ccm.Dispose();
    }
}
