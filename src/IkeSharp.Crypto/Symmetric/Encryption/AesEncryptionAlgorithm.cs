namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// What the four AES encryption transforms have in common: a Key Length attribute of 128, 192 or
/// 256 bits (RFC 7296 §3.3.5), key material that is the AES key followed by a salt or nonce of
/// their own length (none for CBC, RFC 3602; 4 octets for CTR, RFC 3686 §5.1, and GCM, RFC 4106
/// §8.1; 3 for CCM, RFC 4309 §7.1), and strongSwan's keyword with the key size.
/// </summary>
public abstract class AesEncryptionAlgorithm : IEncryptionAlgorithm
{
    // Octets after the AES key in the key material.
    private readonly int saltLength;

    private protected AesEncryptionAlgorithm(EncryptionAlgorithm id, int keyBits, int saltLength, int ivLength, int blockSize, int icvLength)
    {
        if (keyBits is not (128 or 192 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(keyBits), keyBits, "AES keys are 128, 192 or 256 bits");
        }

        Id = id;
        KeyBits = keyBits;
        this.saltLength = saltLength;
        IvLength = ivLength;
        BlockSize = blockSize;
        IcvLength = icvLength;
    }

    public EncryptionAlgorithm Id { get; }

    public int KeyBits { get; }

    public int KeyMaterialLength => (KeyBits / 8) + saltLength;

    public int IvLength { get; }

    public int BlockSize { get; }

    public bool IsAead => IcvLength > 0;

    public int IcvLength { get; }

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial)
    {
        CipherArguments.CheckKeyMaterial(this, keyMaterial);
        return CreateCheckedKey(keyMaterial[..(KeyBits / 8)], keyMaterial[(KeyBits / 8)..]);
    }

    public override string ToString() => TransformKeywords.ToKeyword(Id, KeyBits);

    /// <summary>The keyed instance, from key material of the right length split into AES key and salt.</summary>
    private protected abstract ICipherKey CreateCheckedKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt);

    /// <summary>The AEAD transform id for an ICV of 8, 12 or 16 octets (RFC 4106 §6, RFC 4309 §3.2).</summary>
    private protected static EncryptionAlgorithm ByIcvLength(int icvLength, EncryptionAlgorithm icv8, EncryptionAlgorithm icv12, EncryptionAlgorithm icv16, string rule) => icvLength switch
    {
        8 => icv8,
        12 => icv12,
        16 => icv16,
        _ => throw new ArgumentOutOfRangeException(nameof(icvLength), icvLength, rule),
    };
}
