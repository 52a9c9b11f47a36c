namespace IkeSharp.Crypto.Symmetric.Integrity;

/// <summary>
/// AUTH_AES_XCBC_96 (RFC 3566): AES-XCBC-MAC with a 16-octet key, the ICV its first 12 octets
/// (RFC 3566 §4 and §5). The key's subkeys K1..K3 are derived once per SA and direction.
/// </summary>
public sealed class AesXcbcIntegrity : IIntegrityAlgorithm
{
    public IntegrityAlgorithm Id => IntegrityAlgorithm.AesXcbc96;

    public int KeyLength => AesCbcMac.BlockSize;

    public int IcvLength => 12;

    public IIntegrityKey CreateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"{Id.ToIanaName()} takes a {KeyLength}-octet key; {key.Length} given", nameof(key));
        }

        return new TruncatedMacKey(AesCbcMac.ForXcbc(key), IcvLength, Id);
    }

    public override string ToString() => Id.ToKeyword();
}
