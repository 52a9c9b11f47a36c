using System.Numerics;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// MODP groups (RFC 2409 §6 groups 1-2, RFC 3526 groups 5 and 14-18). Public values are g^x mod p,
/// big-endian and left-padded to the prime's length (RFC 7296 §3.4); the peer's value must lie in
/// 2..p-2 (RFC 7296 §2.12 and NIST SP 800-56A's check); the secret is padded to the same length.
/// The primes come from BouncyCastle's table of the RFC groups.
/// </summary>
public sealed class ModpGroup : DiffieHellmanKem
{
    private readonly BigInteger p;
    private readonly BigInteger g;
    private readonly int exponentBits;
    private readonly int length;

    private ModpGroup(KeyExchangeMethod id, Org.BouncyCastle.Crypto.Parameters.DHParameters parameters, int exponentBits, bool weak)
    {
        Id = id;
        p = new BigInteger(parameters.P.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);
        g = new BigInteger(parameters.G.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);
        this.exponentBits = exponentBits;
        length = parameters.P.ToByteArrayUnsigned().Length;
        IsWeak = weak;
    }

    public override KeyExchangeMethod Id { get; }

    public override int PublicValueLength => length;

    public override bool IsWeak { get; }

    /// <summary>The prime, for tests.</summary>
    public BigInteger Prime => p;

    // Exponents of at least twice the group's estimated strength (RFC 3526 §8), as strongSwan sizes them.
    public static ModpGroup Modp768 { get; } = new(KeyExchangeMethod.Modp768, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc2409_768, 160, weak: true);

    public static ModpGroup Modp1024 { get; } = new(KeyExchangeMethod.Modp1024, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc2409_1024, 160, weak: true);

    public static ModpGroup Modp1536 { get; } = new(KeyExchangeMethod.Modp1536, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc3526_1536, 192, weak: true);

    public static ModpGroup Modp2048 { get; } = new(KeyExchangeMethod.Modp2048, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc3526_2048, 256, weak: false);

    public static ModpGroup Modp3072 { get; } = new(KeyExchangeMethod.Modp3072, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc3526_3072, 256, weak: false);

    public static ModpGroup Modp4096 { get; } = new(KeyExchangeMethod.Modp4096, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc3526_4096, 304, weak: false);

    public static ModpGroup Modp6144 { get; } = new(KeyExchangeMethod.Modp6144, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc3526_6144, 352, weak: false);

    public static ModpGroup Modp8192 { get; } = new(KeyExchangeMethod.Modp8192, Org.BouncyCastle.Crypto.Agreement.DHStandardGroups.rfc3526_8192, 400, weak: false);

    protected override DhKeyPair Generate(IRandomSource random)
    {
        byte[] x = new byte[exponentBits / 8];
        BigInteger exponent;
        do
        {
            random.Fill(x);
            exponent = new BigInteger(x, isUnsigned: true, isBigEndian: true);
        }
        while (exponent < 2);

        CryptographicOperations.ZeroMemory(x);
        return new Pair(this, exponent);
    }

    private byte[] Pad(BigInteger value)
    {
        byte[] result = new byte[length];
        int written = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(result.AsSpan(length - written), out _, isUnsigned: true, isBigEndian: true);
        return result;
    }

    private sealed class Pair(ModpGroup group, BigInteger exponent) : DhKeyPair
    {
        private BigInteger x = exponent;

        public override byte[] PublicValue { get; } = group.Pad(BigInteger.ModPow(group.g, exponent, group.p));

        public override string? Derive(ReadOnlySpan<byte> peerPublic, out SecretBytes? secret)
        {
            secret = null;
            var y = new BigInteger(peerPublic, isUnsigned: true, isBigEndian: true);
            if (y < 2 || y > group.p - 2)
            {
                return "the peer's public value is outside 2..p-2 (RFC 7296 §2.12): a degenerate or hostile value";
            }

            byte[] shared = group.Pad(BigInteger.ModPow(y, x, group.p));
            secret = new SecretBytes(shared);
            CryptographicOperations.ZeroMemory(shared);
            return null;
        }

        public override void Dispose() => x = BigInteger.Zero;
    }
}
