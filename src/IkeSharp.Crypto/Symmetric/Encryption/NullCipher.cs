namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_NULL (RFC 2410): ESP with integrity but no confidentiality. Never for IKE (RFC 7296 §3.3.2
/// lists it for ESP only), so it is reachable only through
/// <see cref="AlgorithmRegistry.EspEncryption"/> and only when a configuration names it.
/// No IV, block size 1 (RFC 2410 §2), no key.
/// </summary>
public sealed class NullCipher : IEncryptionAlgorithm
{
    internal NullCipher()
    {
    }

    public EncryptionAlgorithm Id => EncryptionAlgorithm.Null;

    public int KeyBits => 0;

    public int KeyMaterialLength => 0;

    public int IvLength => 0;

    public int BlockSize => 1;

    public bool IsAead => false;

    public int IcvLength => 0;

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial)
    {
        CipherArguments.CheckKeyMaterial(this, keyMaterial);
        return new Key(this);
    }

    public override string ToString() => TransformKeywords.ToKeyword(Id, null);

    private sealed class Key(NullCipher algorithm) : UnauthenticatedKey(algorithm)
    {
        public override void Dispose()
        {
        }

        protected override void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool encrypt) => input.CopyTo(output);
    }
}
