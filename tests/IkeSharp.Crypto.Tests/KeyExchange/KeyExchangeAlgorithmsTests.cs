using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto.Tests.KeyExchange;

public class KeyExchangeAlgorithmsTests
{
    public static TheoryData<KeyExchangeMethod, string, int, bool> Supported => new()
    {
        // Method, strongSwan keyword, share octets (the sizes strongSwan's
        // key_exchange_verify_pubkey expects), weak.
        { KeyExchangeMethod.Modp768, "modp768", 96, true },
        { KeyExchangeMethod.Modp1024, "modp1024", 128, true },
        { KeyExchangeMethod.Modp1536, "modp1536", 192, true },
        { KeyExchangeMethod.Modp2048, "modp2048", 256, false },
        { KeyExchangeMethod.Modp3072, "modp3072", 384, false },
        { KeyExchangeMethod.Modp4096, "modp4096", 512, false },
        { KeyExchangeMethod.Modp6144, "modp6144", 768, false },
        { KeyExchangeMethod.Modp8192, "modp8192", 1024, false },
        { KeyExchangeMethod.Ecp256, "ecp256", 64, false },
        { KeyExchangeMethod.Ecp384, "ecp384", 96, false },
        { KeyExchangeMethod.Ecp521, "ecp521", 132, false },
        { KeyExchangeMethod.Modp1024s160, "modp1024s160", 128, true },
        { KeyExchangeMethod.Modp2048s224, "modp2048s224", 256, false },
        { KeyExchangeMethod.Modp2048s256, "modp2048s256", 256, false },
        { KeyExchangeMethod.Brainpool256, "ecp256bp", 64, false },
        { KeyExchangeMethod.Brainpool384, "ecp384bp", 96, false },
        { KeyExchangeMethod.Brainpool512, "ecp512bp", 128, false },
        { KeyExchangeMethod.Curve25519, "curve25519", 32, false },
        { KeyExchangeMethod.Curve448, "curve448", 56, false },
    };

    public static TheoryData<KeyExchangeMethod> SupportedMethods => [.. Supported.Select((object[] row) => (KeyExchangeMethod)row[0])];

    [Theory]
    [MemberData(nameof(Supported))]
    public void Every_supported_method_has_its_name_sizes_and_weakness(KeyExchangeMethod method, string name, int shareLength, bool weak)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        Assert.Equal(method, algorithm.Id);
        Assert.Equal(name, algorithm.Name);
        Assert.Equal(name, algorithm.ToString());
        Assert.Equal(shareLength, algorithm.InitiatorShareLength);
        Assert.Equal(shareLength, algorithm.ResponderShareLength);
        Assert.Equal(weak, algorithm.IsWeak);
        Assert.Same(algorithm, KeyExchangeAlgorithms.Get(method));
    }

    [Theory]
    [InlineData(KeyExchangeMethod.None)]
    [InlineData(KeyExchangeMethod.Ecp192)]
    [InlineData(KeyExchangeMethod.Ecp224)]
    [InlineData(KeyExchangeMethod.Brainpool224)]
    [InlineData(KeyExchangeMethod.Gost3410_2012_256)]
    [InlineData(KeyExchangeMethod.MlKem768)]
    [InlineData((KeyExchangeMethod)3)]
    [InlineData((KeyExchangeMethod)65535)]
    public void Unsupported_methods_give_null(KeyExchangeMethod method) => Assert.Null(KeyExchangeAlgorithms.Get(method));

    [Fact]
    public void All_lists_each_supported_method_once_in_iana_order()
    {
        Assert.Equal(Supported.Select((object[] row) => (KeyExchangeMethod)row[0]).Order(), KeyExchangeAlgorithms.All.Select(a => a.Id));
    }

    [Theory]
    [MemberData(nameof(SupportedMethods))]
    public void Both_roles_derive_the_same_secret_for_many_seeds(KeyExchangeMethod method)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        int seeds = algorithm.InitiatorShareLength > 256 ? 4 : 40;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (ulong seed = 0; seed < (ulong)seeds; seed++)
        {
            using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(seed));
            Assert.Equal(algorithm.InitiatorShareLength, initiator.Share.Length);
            KeyExchangeResult responder = algorithm.Respond(initiator.Share.Span, new DeterministicRandom(~seed));
            Assert.True(responder.IsSuccess, responder.Error);
            Assert.Equal(algorithm.ResponderShareLength, responder.ResponderShare.Length);
            KeyExchangeResult finished = initiator.Finish(responder.ResponderShare.Span);
            Assert.True(finished.IsSuccess, finished.Error);
            Assert.True(finished.ResponderShare.IsEmpty);
            Assert.Equal(responder.SharedSecret!.ReadOnlySpan.ToArray(), finished.SharedSecret!.ReadOnlySpan.ToArray());
            Assert.True(seen.Add(Convert.ToHexString(finished.SharedSecret.ReadOnlySpan)), "a secret repeated across seeds");
            responder.SharedSecret.Dispose();
            finished.SharedSecret.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(SupportedMethods))]
    public void The_same_seed_gives_the_same_share_and_different_seeds_different_shares(KeyExchangeMethod method)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        using IKeyExchangeInitiator a = algorithm.Initiate(new DeterministicRandom(42));
        using IKeyExchangeInitiator b = algorithm.Initiate(new DeterministicRandom(42));
        using IKeyExchangeInitiator c = algorithm.Initiate(new DeterministicRandom(43));
        Assert.Equal(a.Share.ToArray(), b.Share.ToArray());
        Assert.NotEqual(a.Share.ToArray(), c.Share.ToArray());
    }

    [Theory]
    [MemberData(nameof(SupportedMethods))]
    public void Random_bytes_of_any_length_never_throw(KeyExchangeMethod method)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(50));
        var fuzz = new DeterministicRandom(51);
        int rounds = algorithm.InitiatorShareLength > 256 ? 6 : 60;
        byte[] pick = new byte[4];
        for (int i = 0; i < rounds; i++)
        {
            fuzz.Fill(pick);
            // Half the time the right length (the interesting case), otherwise any length near it.
            int length = (pick[0] & 1) == 0
                ? algorithm.InitiatorShareLength
                : (int)(BitConverter.ToUInt16(pick, 1) % (2 * algorithm.InitiatorShareLength + 3));
            byte[] share = new byte[length];
            fuzz.Fill(share);

            KeyExchangeResult responder = algorithm.Respond(share, new DeterministicRandom((ulong)i));
            KeyExchangeResult finished = initiator.Finish(share);
            Assert.Equal(responder.IsSuccess, finished.IsSuccess);
            if (!responder.IsSuccess)
            {
                Assert.False(string.IsNullOrWhiteSpace(responder.Error));
                Assert.Null(responder.SharedSecret);
                Assert.StartsWith("the peer's " + algorithm.Name, responder.Error, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Finish_after_dispose_is_a_programming_error()
    {
        foreach (KeyExchangeAlgorithm algorithm in KeyExchangeAlgorithms.All.Where(a => a.InitiatorShareLength <= 256))
        {
            IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(60));
            byte[] share = initiator.Share.ToArray();
            initiator.Dispose();
            Assert.Throws<ObjectDisposedException>(() => initiator.Finish(share));
        }
    }
}
