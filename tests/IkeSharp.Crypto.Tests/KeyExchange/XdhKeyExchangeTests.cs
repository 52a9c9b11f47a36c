using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto.Tests.KeyExchange;

public class XdhKeyExchangeTests
{
    private static readonly VectorFile Rfc7748 = VectorFile.Load("rfc7748-xdh.txt");

    [Theory]
    [InlineData("x25519-5.2-1")]
    [InlineData("x25519-5.2-2")]
    [InlineData("x448-5.2-1")]
    [InlineData("x448-5.2-2")]
    public void Rfc_7748_section_5_2_scalar_multiplications(string section)
    {
        // The responder's secret is X(its private key, the initiator's share): replay k as the
        // private key and hand in u as the share.
        VectorFile.Section v = Rfc7748[section];
        KeyExchangeResult result = KeyExchangeAlgorithms.Get(v.Method)!.Respond(v.Bytes("u"), new ReplayRandom(v.Bytes("k")));
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(v.Bytes("out"), result.SharedSecret!.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData("x25519-5.2-iterated", 1000)]
    [InlineData("x448-5.2-iterated", 1)] // 1000 X448 runs take seconds; the single runs cover it.
    public void Rfc_7748_section_5_2_iterated(string section, int iterations)
    {
        VectorFile.Section v = Rfc7748[section];
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(v.Method)!;
        byte[] k = v.Bytes("base");
        byte[] u = v.Bytes("base");
        for (int i = 1; i <= iterations; i++)
        {
            using SecretBytes r = algorithm.Respond(u, new ReplayRandom(k)).SharedSecret!;
            u = k;
            k = r.ReadOnlySpan.ToArray();
            if (i == 1)
            {
                Assert.Equal(v.Bytes("after1"), k);
            }
        }

        if (iterations == 1000)
        {
            Assert.Equal(v.Bytes("after1000"), k);
        }
    }

    [Theory]
    [InlineData("x25519-6.1")]
    [InlineData("x448-6.2")]
    public void Rfc_7748_section_6_diffie_hellman_for_both_roles(string section)
    {
        VectorFile.Section v = Rfc7748[section];
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(v.Method)!;
        using IKeyExchangeInitiator alice = algorithm.Initiate(new ReplayRandom(v.Bytes("alicePrivate")));
        Assert.Equal(v.Bytes("alicePublic"), alice.Share.ToArray());

        KeyExchangeResult bob = algorithm.Respond(v.Bytes("alicePublic"), new ReplayRandom(v.Bytes("bobPrivate")));
        Assert.True(bob.IsSuccess, bob.Error);
        Assert.Equal(v.Bytes("bobPublic"), bob.ResponderShare.ToArray());
        Assert.Equal(v.Bytes("K"), bob.SharedSecret!.ReadOnlySpan.ToArray());
        Assert.Equal(v.Bytes("K"), alice.Finish(v.Bytes("bobPublic")).SharedSecret!.ReadOnlySpan.ToArray());
    }

    public static TheoryData<KeyExchangeMethod, string> SmallOrderPoints => new()
    {
        // u = 0 and u = 1, and the two points of order 8 on Curve25519 (the list libsodium refuses),
        // each in the encoding RFC 7748 §5 decodes. RFC 7748 §6.1: the result is all zeros.
        { KeyExchangeMethod.Curve25519, "0000000000000000000000000000000000000000000000000000000000000000" },
        { KeyExchangeMethod.Curve25519, "0100000000000000000000000000000000000000000000000000000000000000" },
        { KeyExchangeMethod.Curve25519, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800" },
        { KeyExchangeMethod.Curve25519, "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157" },
        { KeyExchangeMethod.Curve25519, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
        { KeyExchangeMethod.Curve25519, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
        { KeyExchangeMethod.Curve448, new string('0', 112) },
        { KeyExchangeMethod.Curve448, "01" + new string('0', 110) },
        // p - 1 for Curve448, the point of order 2.
        { KeyExchangeMethod.Curve448, "fe" + new string('f', 54) + "fe" + new string('f', 54) },
    };

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void Small_order_points_fail_on_the_all_zero_secret_in_both_roles(KeyExchangeMethod method, string hex)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        byte[] share = Hex.Parse(hex);
        KeyExchangeResult responder = algorithm.Respond(share, new DeterministicRandom(21));
        Assert.False(responder.IsSuccess);
        Assert.Null(responder.SharedSecret);
        Assert.Contains("small order", responder.Error, StringComparison.Ordinal);
        Assert.Contains("all zeros", responder.Error, StringComparison.Ordinal);

        using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(22));
        Assert.Equal(responder.Error, initiator.Finish(share).Error);
    }

    [Theory]
    [InlineData(KeyExchangeMethod.Curve25519, 31, "the peer's curve25519 share is 31 octets; it must be 32")]
    [InlineData(KeyExchangeMethod.Curve25519, 33, "the peer's curve25519 share is 33 octets; it must be 32")]
    [InlineData(KeyExchangeMethod.Curve25519, 0, "the peer's curve25519 share is 0 octets; it must be 32")]
    [InlineData(KeyExchangeMethod.Curve448, 55, "the peer's curve448 share is 55 octets; it must be 56")]
    [InlineData(KeyExchangeMethod.Curve448, 32, "the peer's curve448 share is 32 octets; it must be 56")]
    public void Wrong_lengths_fail_with_a_reason_in_both_roles(KeyExchangeMethod method, int length, string expected)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        byte[] share = new byte[length];
        new DeterministicRandom(23).Fill(share);
        KeyExchangeResult responder = algorithm.Respond(share, new DeterministicRandom(24));
        Assert.StartsWith(expected, responder.Error, StringComparison.Ordinal);
        using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(25));
        Assert.Equal(responder.Error, initiator.Finish(share).Error);
    }

    public static TheoryData<string, string> Section6ByEngine => new()
    {
        { "x25519-6.1", "OpenSSL" }, { "x448-6.2", "OpenSSL" },
        { "x25519-6.1", "BouncyCastle" }, { "x448-6.2", "BouncyCastle" },
    };

    private static XdhKeyExchange WithEngine(KeyExchangeMethod method, string engine)
    {
        XdhFunction function = engine == "OpenSSL" ? new OpenSslXdh() : new BouncyCastleXdh();
        return method == KeyExchangeMethod.Curve25519
            ? new XdhKeyExchange(method, "curve25519", 32, function)
            : new XdhKeyExchange(method, "curve448", 56, function);
    }

    [Fact]
    public void The_default_engine_is_openssl_wherever_libcrypto_3_loads()
    {
        bool loads = System.Runtime.InteropServices.NativeLibrary.TryLoad("libcrypto.so.3", out _);
        Assert.Equal(loads, OpenSslXdh.IsAvailable);
        Assert.Equal(loads ? "OpenSSL" : "BouncyCastle", XdhKeyExchange.Curve25519.EngineName);
        Assert.Equal(loads ? "OpenSSL" : "BouncyCastle", XdhKeyExchange.Curve448.EngineName);
    }

    [Theory]
    [MemberData(nameof(Section6ByEngine))]
    public void Each_engine_gives_the_rfc_7748_section_6_values(string section, string engine)
    {
        if (engine == "OpenSSL" && !OpenSslXdh.IsAvailable)
        {
            return;
        }

        VectorFile.Section v = Rfc7748[section];
        XdhKeyExchange algorithm = WithEngine(v.Method, engine);
        using IKeyExchangeInitiator alice = algorithm.Initiate(new ReplayRandom(v.Bytes("alicePrivate")));
        Assert.Equal(v.Bytes("alicePublic"), alice.Share.ToArray());
        KeyExchangeResult bob = algorithm.Respond(v.Bytes("alicePublic"), new ReplayRandom(v.Bytes("bobPrivate")));
        Assert.Equal(v.Bytes("bobPublic"), bob.ResponderShare.ToArray());
        Assert.Equal(v.Bytes("K"), bob.SharedSecret!.ReadOnlySpan.ToArray());
        Assert.Equal(v.Bytes("K"), alice.Finish(v.Bytes("bobPublic")).SharedSecret!.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData(KeyExchangeMethod.Curve25519)]
    [InlineData(KeyExchangeMethod.Curve448)]
    public void OpenSsl_and_BouncyCastle_agree_on_random_keys_and_refuse_the_same_small_order_points(KeyExchangeMethod method)
    {
        if (!OpenSslXdh.IsAvailable)
        {
            return;
        }

        XdhKeyExchange fast = WithEngine(method, "OpenSSL");
        XdhKeyExchange portable = WithEngine(method, "BouncyCastle");
        for (ulong seed = 1; seed <= 20; seed++)
        {
            using IKeyExchangeInitiator a = fast.Initiate(new DeterministicRandom(seed));
            using IKeyExchangeInitiator b = portable.Initiate(new DeterministicRandom(seed));
            Assert.Equal(a.Share.ToArray(), b.Share.ToArray());

            // Peer shares with the top bit set too, which RFC 7748 §5 masks.
            byte[] peer = new byte[fast.KeyLength];
            new DeterministicRandom(seed + 100).Fill(peer);
            KeyExchangeResult x = fast.Respond(peer, new DeterministicRandom(seed + 200));
            KeyExchangeResult y = portable.Respond(peer, new DeterministicRandom(seed + 200));
            Assert.True(x.IsSuccess, x.Error);
            Assert.Equal(y.ResponderShare.ToArray(), x.ResponderShare.ToArray());
            Assert.Equal(y.SharedSecret!.ReadOnlySpan.ToArray(), x.SharedSecret!.ReadOnlySpan.ToArray());
            Assert.Equal(b.Finish(peer).SharedSecret!.ReadOnlySpan.ToArray(), a.Finish(peer).SharedSecret!.ReadOnlySpan.ToArray());
        }

        foreach (string hex in SmallOrderPoints.Where(row => (KeyExchangeMethod)row[0] == method).Select(row => (string)row[1]))
        {
            KeyExchangeResult x = fast.Respond(Hex.Parse(hex), new DeterministicRandom(7));
            KeyExchangeResult y = portable.Respond(Hex.Parse(hex), new DeterministicRandom(7));
            Assert.False(x.IsSuccess);
            Assert.Equal(y.Error, x.Error);
        }
    }
}
