using System.Numerics;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>Secret scalars and exponents drawn from the injected random source.</summary>
internal static class RandomScalar
{
    // With a working source the chance of rejecting this many draws in a row is below 2^-100
    // for every bound used here (the worst, brainpoolP256r1's order, rejects about one in three).
    private const int MaxAttempts = 100;

    /// <summary>
    /// Fills <paramref name="scalar"/> (as long as <paramref name="bound"/>) with a uniform value in
    /// [1, bound-1] by rejection sampling: draw as many bits as the bound has, keep the draw if it is
    /// in range. A source that returns the same octets every time (a test replaying a published
    /// private key) gives exactly those octets back when they are in range.
    /// </summary>
    public static void Below(ReadOnlySpan<byte> bound, IRandomSource random, Span<byte> scalar)
    {
        if (scalar.Length != bound.Length || bound.IsEmpty || bound[0] == 0)
        {
            throw new ArgumentException("the bound must be minimal-length big-endian and the scalar as long");
        }

        int topBits = 32 - BitOperations.LeadingZeroCount((uint)bound[0]);
        byte topMask = (byte)((1 << topBits) - 1);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            random.Fill(scalar);
            scalar[0] &= topMask;
            if (scalar.SequenceCompareTo(bound) < 0 && scalar.ContainsAnyExcept((byte)0))
            {
                return;
            }
        }

        CryptographicOperations.ZeroMemory(scalar);
        throw new CryptographicException($"the random source gave {MaxAttempts} out-of-range values in a row; it is broken");
    }

    /// <summary>Fills <paramref name="exponent"/> with random octets, redrawing the values 0 and 1.</summary>
    public static void AtLeastTwo(IRandomSource random, Span<byte> exponent)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            random.Fill(exponent);
            if (exponent[..^1].ContainsAnyExcept((byte)0) || exponent[^1] > 1)
            {
                return;
            }
        }

        throw new CryptographicException($"the random source gave {MaxAttempts} exponents of 0 or 1 in a row; it is broken");
    }
}
