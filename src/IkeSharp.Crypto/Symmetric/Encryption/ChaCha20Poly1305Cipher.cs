using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_CHACHA20_POLY1305 (RFC 7634) for ESP and IKEv2: the RFC 8439 AEAD with a 256-bit key and
/// no Key Length attribute (RFC 7634 §4). The key material is 32 octets of key and a 4-octet salt;
/// each packet carries an 8-octet IV, and the 12-octet nonce is salt | IV (RFC 7634 §2). The ICV is
/// the 16-octet Poly1305 tag.
/// </summary>
public sealed class ChaCha20Poly1305Cipher : IEncryptionAlgorithm
{
    internal const int SaltLength = 4;
    private const int KeyLength = 32;

    public EncryptionAlgorithm Id => EncryptionAlgorithm.Chacha20Poly1305;

    /// <summary>0: the transform has no Key Length attribute; the key is always 256 bits.</summary>
    public int KeyBits => 0;

    public int KeyMaterialLength => KeyLength + SaltLength;

    public int IvLength => 8;

    public int BlockSize => 1;

    public bool IsAead => true;

    public int IcvLength => 16;

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial)
    {
        CipherArguments.CheckKeyMaterial(this, keyMaterial);
        return new Key(this, keyMaterial);
    }

    public override string ToString() => TransformKeywords.ToKeyword(Id, null);

    private sealed class Key(ChaCha20Poly1305Cipher algorithm, ReadOnlySpan<byte> keyMaterial) : SaltedAeadKey(algorithm, keyMaterial[KeyLength..])
    {
        private readonly ChaCha20Poly1305 aead = new(keyMaterial[..KeyLength]);

        protected override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
            aead.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

        protected override void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData) =>
            aead.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);

        protected override void DisposeCipher() => aead.Dispose();
    }
}
