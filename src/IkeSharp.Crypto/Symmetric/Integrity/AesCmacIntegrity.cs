namespace IkeSharp.Crypto.Symmetric.Integrity;

/// <summary>
/// AUTH_AES_CMAC_96 (RFC 4494): AES-CMAC (RFC 4493) with a 16-octet key, the ICV its first 12
/// octets (RFC 4494 §2.1). The subkeys K1 and K2 are derived once per SA and direction.
/// </summary>
public sealed class AesCmacIntegrity : IIntegrityAlgorithm
{
    public IntegrityAlgorithm Id => IntegrityAlgorithm.AesCmac96;

    public int KeyLength => AesCbcMac.BlockSize;

    public int IcvLength => 12;

    public IIntegrityKey CreateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"{Id.ToIanaName()} takes a {KeyLength}-octet key; {key.Length} given", nameof(key));
        }

        return new TruncatedMacKey(AesCbcMac.ForCmac(key), IcvLength, Id);
    }

    public override string ToString() => Id.ToKeyword();
}
