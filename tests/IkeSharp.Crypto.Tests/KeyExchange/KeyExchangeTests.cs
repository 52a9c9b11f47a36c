using System.Numerics;
using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto.Tests.KeyExchange;

public class KeyExchangeTests
{
    private static Dictionary<string, byte[]> Vector(string file) => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Vectors", file))
        .Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('=')).ToDictionary(kv => kv[0], kv => Convert.FromHexString(kv[1]));

    public static TheoryData<KeyExchangeMethod> Methods => new(AlgorithmRegistry.Default.KeyExchangeMethods.Select(k => k.Id));

    [Fact]
    public void X25519_matches_rfc_7748_section_6_1()
    {
        Dictionary<string, byte[]> v = Vector("Rfc7748X25519.txt");
        using DhKeyPair alice = MontgomeryCurve.X25519.FromScalar(v["alice_private"]);
        using DhKeyPair bob = MontgomeryCurve.X25519.FromScalar(v["bob_private"]);
        Assert.Equal(v["alice_public"], alice.PublicValue);
        Assert.Equal(v["bob_public"], bob.PublicValue);
        Assert.Null(alice.Derive(bob.PublicValue, out SecretBytes? s1));
        Assert.Null(bob.Derive(alice.PublicValue, out SecretBytes? s2));
        Assert.Equal(v["shared"], s1!.ReadOnlySpan.ToArray());
        Assert.Equal(v["shared"], s2!.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Ecp256_matches_rfc_5903_section_8_1()
    {
        Dictionary<string, byte[]> v = Vector("Rfc5903Ecp256.txt");
        using DhKeyPair i = EcpGroup.Ecp256.FromScalar(v["i"]);
        using DhKeyPair r = EcpGroup.Ecp256.FromScalar(v["r"]);
        Assert.Equal([.. v["gix"], .. v["giy"]], i.PublicValue);
        Assert.Equal([.. v["grx"], .. v["gry"]], r.PublicValue);
        Assert.Null(i.Derive(r.PublicValue, out SecretBytes? secret));
        Assert.Equal(v["girx"], secret!.ReadOnlySpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Both_roles_derive_the_same_secret(KeyExchangeMethod method)
    {
        IKeyExchangeAlgorithm ke = AlgorithmRegistry.Default.KeyExchange(method)!;
        for (ulong seed = 1; seed <= (method >= KeyExchangeMethod.Modp4096 && method <= KeyExchangeMethod.Modp8192 ? 2ul : 8ul); seed++)
        {
            using IKeyExchangeInitiator initiator = ke.Initiate(new DeterministicRandom(seed));
            Assert.Equal(ke.InitiatorShareLength, initiator.Share.Length);
            KeyExchangeResult responder = ke.Respond(initiator.Share.Span, new DeterministicRandom(seed + 1000));
            Assert.True(responder.IsSuccess, responder.Error);
            Assert.Equal(ke.ResponderShareLength, responder.ResponderShare.Length);
            KeyExchangeResult finished = initiator.Finish(responder.ResponderShare.Span);
            Assert.True(finished.IsSuccess, finished.Error);
            Assert.Equal(responder.SharedSecret!.ReadOnlySpan.ToArray(), finished.SharedSecret!.ReadOnlySpan.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Bad_peer_values_fail_with_a_reason_and_never_throw(KeyExchangeMethod method)
    {
        IKeyExchangeAlgorithm ke = AlgorithmRegistry.Default.KeyExchange(method)!;
        int n = ke.InitiatorShareLength;
        var rng = new Random((int)method);
        byte[][] bad =
        [
            [],
            new byte[n - 1],
            new byte[n + 1],
            new byte[n],                                  // zero: MODP 0, the ECP point (0,0), X25519's small-order zero
            Enumerable.Repeat((byte)0xff, n).ToArray(),   // MODP value >= p, ECP coordinates >= p
        ];
        foreach (byte[] share in bad)
        {
            KeyExchangeResult r = ke.Respond(share, new DeterministicRandom(1));
            if (share.Length != n || ke is not MontgomeryCurve || share.All(b => b == 0))
            {
                Assert.False(r.IsSuccess, $"{method.ToKeyword()} accepted a bad {share.Length}-octet value");
                Assert.Contains(method.ToKeyword(), r.Error, StringComparison.Ordinal);
            }
        }

        // Random bytes: an ECP point is almost never on the curve; whatever happens, no exception.
        for (int i = 0; i < 20; i++)
        {
            byte[] junk = new byte[n];
            rng.NextBytes(junk);
            KeyExchangeResult r = ke.Respond(junk, new DeterministicRandom(2));
            if (ke is EcpGroup)
            {
                Assert.False(r.IsSuccess);
            }
        }
    }

    [Fact]
    public void Modp_rejects_one_and_p_minus_one()
    {
        ModpGroup group = ModpGroup.Modp2048;
        byte[] Encode(BigInteger v)
        {
            byte[] b = new byte[group.PublicValueLength];
            v.TryWriteBytes(b.AsSpan(b.Length - v.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
            return b;
        }

        Assert.False(group.Respond(Encode(BigInteger.One), new DeterministicRandom(1)).IsSuccess);
        Assert.False(group.Respond(Encode(group.Prime - 1), new DeterministicRandom(1)).IsSuccess);
        Assert.True(group.Respond(Encode(new BigInteger(2)), new DeterministicRandom(1)).IsSuccess);
        Assert.Equal(2048, (int)group.Prime.GetBitLength());
    }

    [Fact]
    public void Weak_groups_are_marked()
    {
        Assert.Equal([KeyExchangeMethod.Modp768, KeyExchangeMethod.Modp1024, KeyExchangeMethod.Modp1536],
            AlgorithmRegistry.Default.KeyExchangeMethods.Where(k => k.IsWeak).Select(k => k.Id).Order());
        Assert.Null(AlgorithmRegistry.Default.KeyExchange(KeyExchangeMethod.MlKem768));
    }

    [Fact]
    public void Randomness_is_injected_so_the_same_seed_gives_the_same_share()
    {
        foreach (DiffieHellmanKem ke in AlgorithmRegistry.Default.KeyExchangeMethods.Where(k => k is not ModpGroup || k.Id == KeyExchangeMethod.Modp2048))
        {
            using IKeyExchangeInitiator a = ke.Initiate(new DeterministicRandom(42));
            using IKeyExchangeInitiator b = ke.Initiate(new DeterministicRandom(42));
            using IKeyExchangeInitiator c = ke.Initiate(new DeterministicRandom(43));
            Assert.Equal(a.Share.ToArray(), b.Share.ToArray());
            Assert.NotEqual(a.Share.ToArray(), c.Share.ToArray());
        }
    }
}
