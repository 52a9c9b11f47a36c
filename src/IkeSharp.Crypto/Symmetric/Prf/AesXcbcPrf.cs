using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Prf;

/// <summary>
/// PRF_AES128_XCBC (RFC 4434): AES-XCBC-MAC-96 (RFC 3566) without the truncation, over a key of
/// any length. RFC 4434 §2: a 16-octet key is used as it is; a shorter one is padded on the right
/// with zero octets; a longer one is first shortened to AES-XCBC-PRF-128(0^128, key). Output and
/// preferred key length are 16 octets.
/// </summary>
public sealed class AesXcbcPrf : IPrf
{
    private const int Size = AesCbcMac.BlockSize;

    public PseudorandomFunction Id => PseudorandomFunction.Aes128Xcbc;

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
            if (key.Length > Size)
            {
                using AesCbcMac shortener = AesCbcMac.ForXcbc(stackalloc byte[Size]);
                shortener.Compute(key, blockKey);
            }
            else
            {
                blockKey.Clear();
                key.CopyTo(blockKey);
            }

            using AesCbcMac mac = AesCbcMac.ForXcbc(blockKey);
            mac.Compute(data, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blockKey);
        }
    }

    public override string ToString() => Id.ToKeyword();
}
