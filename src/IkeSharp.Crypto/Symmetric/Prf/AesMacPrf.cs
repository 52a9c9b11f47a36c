using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Prf;

/// <summary>
/// The two AES-MAC PRFs (PRF_AES128_XCBC, RFC 4434; PRF_AES128_CMAC, RFC 4615): the MAC, untruncated,
/// over a key of any length that is first brought to 16 octets by each RFC's rule. Output and
/// preferred key length are 16 octets.
/// </summary>
/// <remarks>
/// IKE keys a PRF anew for every call (nonces, SKEYSEED, SK_d, SK_p in turn, RFC 7296 §2.14), so
/// each call makes its AES contexts and frees them; it is not on the per-packet path.
/// </remarks>
public abstract class AesMacPrf : IPrf
{
    private const int Size = AesCbcMac.BlockSize;

    // The data PRFs see is short (nonces, SPIs, identities), so a small scratch per call is enough.
    private const int ScratchBlocks = 16;

    private protected AesMacPrf(PseudorandomFunction id) => Id = id;

    public PseudorandomFunction Id { get; }

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
            else if (ShortensWithMac(key.Length))
            {
                using AesCbcMac shortener = CreateMac(stackalloc byte[Size], ScratchBlocks);
                shortener.Compute(key, blockKey);
            }
            else
            {
                blockKey.Clear();
                key.CopyTo(blockKey);
            }

            using AesCbcMac mac = CreateMac(blockKey, ScratchBlocks);
            mac.Compute(data, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blockKey);
        }
    }

    public override string ToString() => Id.ToKeyword();

    /// <summary>Whether a key of this length (not 16) becomes MAC(0^128, key) rather than being zero-padded.</summary>
    private protected abstract bool ShortensWithMac(int keyLength);

    private protected abstract AesCbcMac CreateMac(ReadOnlySpan<byte> key, int scratchBlocks);
}

/// <summary>
/// PRF_AES128_CMAC (RFC 4615): AES-CMAC (RFC 4493). RFC 4615 §3: a 16-octet key is used as it is;
/// any other length is first turned into AES-CMAC(0^128, key).
/// </summary>
public sealed class AesCmacPrf() : AesMacPrf(PseudorandomFunction.Aes128Cmac)
{
    private protected override bool ShortensWithMac(int keyLength) => true;

    private protected override AesCbcMac CreateMac(ReadOnlySpan<byte> key, int scratchBlocks) => AesCbcMac.ForCmac(key, scratchBlocks);
}

/// <summary>
/// PRF_AES128_XCBC (RFC 4434): AES-XCBC-MAC-96 (RFC 3566) without the truncation. RFC 4434 §2: a
/// 16-octet key is used as it is; a shorter one is padded on the right with zero octets; a longer
/// one is first shortened to AES-XCBC-PRF-128(0^128, key).
/// </summary>
public sealed class AesXcbcPrf() : AesMacPrf(PseudorandomFunction.Aes128Xcbc)
{
    private protected override bool ShortensWithMac(int keyLength) => keyLength > AesCbcMac.BlockSize;

    private protected override AesCbcMac CreateMac(ReadOnlySpan<byte> key, int scratchBlocks) => AesCbcMac.ForXcbc(key, scratchBlocks);
}
