using System.Numerics;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// The parameters of a finite-field Diffie-Hellman group (a MODP group): the prime p, the
/// generator g, for the groups of RFC 5114 the order q of the subgroup that g generates, and the
/// size of the secret exponent we draw.
/// </summary>
public sealed class ModpGroup
{
    /// <summary>A group as RFC 5114 prints it: p, g and q in hexadecimal.</summary>
    internal ModpGroup(KeyExchangeMethod id, string name, string primeHex, string generatorHex, string subgroupOrderHex, int exponentBits)
        : this(id, name, FromHex(primeHex), FromHex(generatorHex), FromHex(subgroupOrderHex), exponentBits)
    {
    }

    internal ModpGroup(KeyExchangeMethod id, string name, BigInteger prime, BigInteger generator, BigInteger? subgroupOrder, int exponentBits)
    {
        Id = id;
        Name = name;
        Prime = prime;
        PrimeLength = prime.GetByteCount(isUnsigned: true);
        PrimeBytes = ToFixedLength(prime, PrimeLength);
        GeneratorBytes = ToFixedLength(generator, PrimeLength);
        Generator = generator;
        if (subgroupOrder is { } q)
        {
            SubgroupOrder = q;
            SubgroupOrderBytes = ToFixedLength(q, q.GetByteCount(isUnsigned: true));
        }

        ExponentBits = exponentBits;
        PrimeMinusOneBytes = ToFixedLength(Prime - 1, PrimeLength);
        OneBytes = ToFixedLength(BigInteger.One, PrimeLength);
    }

    public KeyExchangeMethod Id { get; }

    /// <summary>strongSwan's keyword: <c>modp2048</c>, <c>modp1024s160</c>.</summary>
    public string Name { get; }

    public BigInteger Prime { get; }

    public BigInteger Generator { get; }

    /// <summary>q, the prime order of the subgroup g generates (RFC 5114 groups), or null for the safe-prime groups.</summary>
    public BigInteger? SubgroupOrder { get; }

    /// <summary>Octets of p, and so of every share and of the shared secret (RFC 7296 §3.4, §2.14).</summary>
    public int PrimeLength { get; }

    /// <summary>
    /// Bits of the secret exponent for the safe-prime groups; for the RFC 5114 groups the exponent
    /// is drawn from [1, q-1] instead and this is q's bit length.
    /// </summary>
    public int ExponentBits { get; }

    internal byte[] PrimeBytes { get; }

    internal byte[] GeneratorBytes { get; }

    internal byte[]? SubgroupOrderBytes { get; }

    internal byte[] PrimeMinusOneBytes { get; }

    internal byte[] OneBytes { get; }

    public override string ToString() => Name;

    internal static byte[] ToFixedLength(BigInteger value, int length)
    {
        byte[] result = new byte[length];
        int needed = value.GetByteCount(isUnsigned: true);
        if (needed > length || !value.TryWriteBytes(result.AsSpan(length - needed), out _, isUnsigned: true, isBigEndian: true))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "the value does not fit the prime's length");
        }

        return result;
    }

    private static BigInteger FromHex(string spacedHex) =>
        new(Convert.FromHexString(string.Concat(spacedHex.Where(c => !char.IsWhiteSpace(c)))), isUnsigned: true, isBigEndian: true);
}
