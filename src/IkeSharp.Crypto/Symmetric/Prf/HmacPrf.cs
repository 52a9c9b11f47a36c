using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Prf;

/// <summary>
/// PRF_HMAC_SHA1 (RFC 2104, RFC 7296 §3.3.2) and PRF_HMAC_SHA2_256/384/512 (RFC 4868 §2.1.2):
/// HMAC over the whole key, full output. The preferred key length, which sizes SK_d, SK_pi and
/// SK_pr, is the output length (RFC 7296 §2.14, RFC 4868 §2.1.2). Stateless, so one instance serves
/// every SA; <see cref="Compute"/> allocates nothing.
/// </summary>
public sealed class HmacPrf : IPrf
{
    public HmacPrf(PseudorandomFunction id)
    {
        OutputLength = id switch
        {
            PseudorandomFunction.HmacSha1 => 20,
            PseudorandomFunction.HmacSha2_256 => 32,
            PseudorandomFunction.HmacSha2_384 => 48,
            PseudorandomFunction.HmacSha2_512 => 64,
            _ => throw new ArgumentOutOfRangeException(nameof(id), id, "HMAC PRFs here are SHA-1, SHA2-256, SHA2-384 and SHA2-512"),
        };
        Id = id;
    }

    public PseudorandomFunction Id { get; }

    public int OutputLength { get; }

    public int KeyLength => OutputLength;

    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.Length != OutputLength)
        {
            throw new ArgumentException($"{Id.ToIanaName()} writes {OutputLength} octets; the buffer has {output.Length}", nameof(output));
        }

        Hmac(Id, key, data, output);
    }

    public override string ToString() => Id.ToKeyword();

    /// <summary>The full HMAC into <paramref name="output"/>, which is exactly the hash length.</summary>
    internal static void Hmac(PseudorandomFunction hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        switch (hash)
        {
            case PseudorandomFunction.HmacSha1:
#pragma warning disable CA5350 // HMAC-SHA-1 is a negotiable IKE PRF and ESP ICV (RFC 7296, RFC 2404); HMAC does not rest on SHA-1's collision resistance.
                HMACSHA1.HashData(key, data, output);
#pragma warning restore CA5350
                break;
            case PseudorandomFunction.HmacSha2_256:
                HMACSHA256.HashData(key, data, output);
                break;
            case PseudorandomFunction.HmacSha2_384:
                HMACSHA384.HashData(key, data, output);
                break;
            case PseudorandomFunction.HmacSha2_512:
                HMACSHA512.HashData(key, data, output);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(hash), hash, "not an HMAC hash here");
        }
    }
}
