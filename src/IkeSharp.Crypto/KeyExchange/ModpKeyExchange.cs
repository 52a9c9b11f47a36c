using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Finite-field Diffie-Hellman over a MODP group (RFC 7296 §2.14 and §3.4; groups of RFC 2409,
/// RFC 3526 and RFC 5114). A share is g^x mod p and the shared secret g^xy mod p, both big-endian
/// and left-padded with zeros to the prime's length. A peer's value y is accepted only if it has
/// exactly that length and 1 &lt; y &lt; p-1 (RFC 6989 §2.1); for the RFC 5114 groups, whose
/// p-1 has small factors, also only if y^q = 1 mod p (RFC 6989 §2.2, the first option, which
/// NIST SP 800-56A §5.6.2.4 requires too). Secret exponents are fresh for every exchange.
/// </summary>
public sealed class ModpKeyExchange : KeyExchangeAlgorithm
{
    private const string Layout = "big-endian, left-padded to the prime's length, RFC 7296 §3.4";

    private readonly ModularExponentiation engine;

    /// <summary>The prime made ready for the engine once, at the first exchange of this group, and shared by every later one (and thread).</summary>
    private readonly Lazy<PreparedModulus> prime;

    internal ModpKeyExchange(ModpGroup group, bool isWeak)
        : this(group, isWeak, ModularExponentiation.Default)
    {
    }

    internal ModpKeyExchange(ModpGroup group, bool isWeak, ModularExponentiation engine)
        : base(group.Id, group.Name, isWeak)
    {
        Group = group;
        this.engine = engine;
        prime = new(() => engine.Prepare(group.PrimeBytes), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ModpGroup Group { get; }

    /// <summary>"OpenSSL" or "BigInteger": which engine computes the exponentiations.</summary>
    public string EngineName => engine.Name;

    public override int InitiatorShareLength => Group.PrimeLength;

    public override int ResponderShareLength => Group.PrimeLength;

    public override IKeyExchangeInitiator Initiate(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        byte[] exponent = DrawExponent(random);
        byte[] share = new byte[Group.PrimeLength];
        engine.ModPow(Group.GeneratorBytes, exponent, prime.Value, share);
        return new Initiator(this, exponent, share);
    }

    public override KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (Check(initiatorShare) is { } error)
        {
            return KeyExchangeResult.Fail(error);
        }

        byte[] exponent = DrawExponent(random);
        try
        {
            byte[] share = new byte[Group.PrimeLength];
            engine.ModPow(Group.GeneratorBytes, exponent, prime.Value, share);
            return Agree(initiatorShare, exponent, share);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(exponent);
        }
    }

    /// <summary>Why <paramref name="peerShare"/> is not an acceptable public value, or null if it is.</summary>
    internal string? Check(ReadOnlySpan<byte> peerShare)
    {
        if (peerShare.Length != Group.PrimeLength)
        {
            return WrongLength(peerShare.Length, Group.PrimeLength, Layout);
        }

        // Both sides are fixed-length big-endian, so comparing octet strings compares numbers.
        const string Range = "RFC 6989 §2.1 requires 1 < y < p-1";
        if (!peerShare.ContainsAnyExcept((byte)0))
        {
            return $"the peer's {Name} share is 0; {Range}";
        }

        if (peerShare.SequenceEqual(Group.OneBytes))
        {
            return $"the peer's {Name} share is 1; {Range}";
        }

        int vsPMinus1 = peerShare.SequenceCompareTo(Group.PrimeMinusOneBytes);
        if (vsPMinus1 == 0)
        {
            return $"the peer's {Name} share is p-1; {Range}";
        }

        if (vsPMinus1 > 0)
        {
            return $"the peer's {Name} share is not below the prime p; {Range}";
        }

        if (Group.SubgroupOrderBytes is { } q)
        {
            Span<byte> power = Group.PrimeLength <= 512 ? stackalloc byte[Group.PrimeLength] : new byte[Group.PrimeLength];
            engine.ModPow(peerShare, q, prime.Value, power);
            if (!power.SequenceEqual(Group.OneBytes))
            {
                return $"the peer's {Name} share is not in the subgroup of order q (y^q mod p is not 1); RFC 6989 §2.2 requires it";
            }
        }

        return null;
    }

    /// <param name="responderShare">The responder's own share to hand back, or empty for the initiator.</param>
    private KeyExchangeResult Agree(ReadOnlySpan<byte> peerShare, ReadOnlySpan<byte> exponent, ReadOnlyMemory<byte> responderShare)
    {
        var secret = new SecretBytes(Group.PrimeLength);
        engine.ModPow(peerShare, exponent, prime.Value, secret.Span);
        if (secret.ReadOnlySpan.SequenceEqual(Group.OneBytes))
        {
            // Cannot happen for a checked y and a fresh exponent; refuse rather than key an SA with it.
            secret.Dispose();
            return KeyExchangeResult.Fail($"the {Name} shared secret came out as 1; refusing it");
        }

        return new KeyExchangeResult(secret, responderShare, null);
    }

    private byte[] DrawExponent(IRandomSource random)
    {
        if (Group.SubgroupOrderBytes is { } q)
        {
            byte[] x = new byte[q.Length];
            RandomScalar.Below(q, random, x);
            return x;
        }

        byte[] exponent = new byte[Group.ExponentBits / 8];
        RandomScalar.AtLeastTwo(random, exponent);
        return exponent;
    }

    private sealed class Initiator(ModpKeyExchange algorithm, byte[] exponent, byte[] share) : IKeyExchangeInitiator
    {
        private bool disposed;

        public ReadOnlyMemory<byte> Share => share;

        public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (algorithm.Check(responderShare) is { } error)
            {
                return KeyExchangeResult.Fail(error);
            }

            return algorithm.Agree(responderShare, exponent, ReadOnlyMemory<byte>.Empty);
        }

        public void Dispose()
        {
            CryptographicOperations.ZeroMemory(exponent);
            disposed = true;
        }
    }
}
