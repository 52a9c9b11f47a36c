using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Integrity;

/// <summary>An AES-XCBC or AES-CMAC key whose ICV is the MAC cut to its first octets, compared in constant time.</summary>
internal sealed class TruncatedMacKey(AesCbcMac mac, int icvLength, IntegrityAlgorithm id) : IIntegrityKey
{
    public int IcvLength => icvLength;

    public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        if (icv.Length != icvLength)
        {
            throw new ArgumentException($"{id.ToIanaName()} writes a {icvLength}-octet ICV; the buffer has {icv.Length}", nameof(icv));
        }

        Span<byte> full = stackalloc byte[AesCbcMac.BlockSize];
        mac.Compute(data, full);
        full.Slice(0, icvLength).CopyTo(icv);
        CryptographicOperations.ZeroMemory(full);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
    {
        if (icv.Length != icvLength)
        {
            return false;
        }

        Span<byte> full = stackalloc byte[AesCbcMac.BlockSize];
        mac.Compute(data, full);
        bool equal = CryptographicOperations.FixedTimeEquals(full.Slice(0, icvLength), icv);
        CryptographicOperations.ZeroMemory(full);
        return equal;
    }

    public void Dispose() => mac.Dispose();
}
