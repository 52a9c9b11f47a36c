using System.Security.Cryptography;
using IkeSharp.Crypto.Symmetric.Prf;

namespace IkeSharp.Crypto.Symmetric.Integrity;

/// <summary>
/// AUTH_HMAC_SHA1_96 (RFC 2404: 20-octet key, ICV is the first 12 octets of HMAC-SHA-1) and
/// AUTH_HMAC_SHA2_256_128, _384_192, _512_256 (RFC 4868 §2.1.1 and §2.3: the key is as long as the
/// hash output, the ICV is its first half). The ICV is compared in constant time.
/// </summary>
public sealed class HmacIntegrity : IIntegrityAlgorithm
{
    private readonly PseudorandomFunction hash;
    private readonly int hashLength;

    public HmacIntegrity(IntegrityAlgorithm id)
    {
        (hash, hashLength, KeyLength, IcvLength) = id switch
        {
            IntegrityAlgorithm.HmacSha1_96 => (PseudorandomFunction.HmacSha1, 20, 20, 12),
            IntegrityAlgorithm.HmacSha2_256_128 => (PseudorandomFunction.HmacSha2_256, 32, 32, 16),
            IntegrityAlgorithm.HmacSha2_384_192 => (PseudorandomFunction.HmacSha2_384, 48, 48, 24),
            IntegrityAlgorithm.HmacSha2_512_256 => (PseudorandomFunction.HmacSha2_512, 64, 64, 32),
            _ => throw new ArgumentOutOfRangeException(nameof(id), id, "HMAC integrity here is SHA1-96, SHA2-256-128, SHA2-384-192 or SHA2-512-256"),
        };
        Id = id;
    }

    public IntegrityAlgorithm Id { get; }

    public int KeyLength { get; }

    public int IcvLength { get; }

    public IIntegrityKey CreateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"{Id.ToIanaName()} takes a {KeyLength}-octet key; {key.Length} given", nameof(key));
        }

        return new Key(this, key.ToArray());
    }

    public override string ToString() => Id.ToKeyword();

    private sealed class Key(HmacIntegrity algorithm, byte[] key) : IIntegrityKey
    {
        public int IcvLength => algorithm.IcvLength;

        public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
        {
            if (icv.Length != algorithm.IcvLength)
            {
                throw new ArgumentException($"{algorithm.Id.ToIanaName()} writes a {algorithm.IcvLength}-octet ICV; the buffer has {icv.Length}", nameof(icv));
            }

            Span<byte> full = stackalloc byte[64];
            full = full.Slice(0, algorithm.hashLength);
            HmacPrf.Hmac(algorithm.hash, key, data, full);
            full.Slice(0, icv.Length).CopyTo(icv);
            CryptographicOperations.ZeroMemory(full);
        }

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
        {
            if (icv.Length != algorithm.IcvLength)
            {
                return false;
            }

            Span<byte> full = stackalloc byte[64];
            full = full.Slice(0, algorithm.hashLength);
            HmacPrf.Hmac(algorithm.hash, key, data, full);
            bool equal = CryptographicOperations.FixedTimeEquals(full.Slice(0, icv.Length), icv);
            CryptographicOperations.ZeroMemory(full);
            return equal;
        }

        public void Dispose() => CryptographicOperations.ZeroMemory(key);
    }
}
