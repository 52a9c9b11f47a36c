using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Prf;

/// <summary>
/// PRF_AES128_CMAC (RFC 4615): AES-CMAC (RFC 4493) over a key of any length. RFC 4615 §3: a
/// 16-octet key is used as it is; any other length is first turned into AES-CMAC(0^128, key).
/// Output and preferred key length are 16 octets.
/// </summary>
public sealed class AesCmacPrf : IPrf
{
    private const int Size = AesCbcMac.BlockSize;

    public PseudorandomFunction Id => PseudorandomFunction.Aes128Cmac;

    public int OutputLength => Size;

    public int KeyLength => Size;

    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.Length != Size)
        {
            throw new ArgumentException($"{Id.ToIanaName()} writes {Size} octets; the buffer has {output.Length}", nameof(output));
        }

        Span<byte> blockKey = stackalloc byte[Size];
        try
        {
            if (key.Length == Size)
            {
                key.CopyTo(blockKey);
            }
            else
            {
                using AesCbcMac derive = AesCbcMac.ForCmac(stackalloc byte[Size]);
                derive.Compute(key, blockKey);
            }

            using AesCbcMac mac = AesCbcMac.ForCmac(blockKey);
            mac.Compute(data, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blockKey);
        }
    }

    public override string ToString() => Id.ToKeyword();
}
