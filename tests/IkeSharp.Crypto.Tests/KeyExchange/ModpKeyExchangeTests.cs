using System.Numerics;
using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto.Tests.KeyExchange;

public class ModpKeyExchangeTests
{
    private static readonly VectorFile Rfc5114 = VectorFile.Load("rfc5114-dh.txt");

    public static TheoryData<string, string> Rfc5114ModpVectors => new()
    {
        { "rfc5114-A.1", "OpenSSL" }, { "rfc5114-A.2", "OpenSSL" }, { "rfc5114-A.3", "OpenSSL" },
        { "rfc5114-A.1", "BigInteger" }, { "rfc5114-A.2", "BigInteger" }, { "rfc5114-A.3", "BigInteger" },
    };

    public static TheoryData<string> GroupNames => [.. ModpGroupTests.Groups.Select(row => (string)row[0])];

    internal static ModpKeyExchange Algorithm(ModpGroup group, string engine) => engine switch
    {
        "OpenSSL" => new ModpKeyExchange(group, isWeak: false, new OpenSslModularExponentiation()),
        _ => new ModpKeyExchange(group, isWeak: false, new BigIntegerModularExponentiation()),
    };

    [Theory]
    [MemberData(nameof(Rfc5114ModpVectors))]
    public void Rfc_5114_appendix_a_vectors_come_out_for_both_roles(string name, string engine)
    {
        if (engine == "OpenSSL" && !OpenSslModularExponentiation.IsAvailable)
        {
            return;
        }

        VectorFile.Section v = Rfc5114[name];
        var group = ((ModpKeyExchange)KeyExchangeAlgorithms.Get(v.Method)!).Group;
        ModpKeyExchange algorithm = Algorithm(group, engine);

        using IKeyExchangeInitiator initiator = algorithm.Initiate(new ReplayRandom(v.Bytes("xA")));
        Assert.Equal(v.Bytes("yA"), initiator.Share.ToArray());

        KeyExchangeResult responder = algorithm.Respond(v.Bytes("yA"), new ReplayRandom(v.Bytes("xB")));
        Assert.True(responder.IsSuccess, responder.Error);
        Assert.Equal(v.Bytes("yB"), responder.ResponderShare.ToArray());
        Assert.Equal(v.Bytes("Z"), responder.SharedSecret!.ReadOnlySpan.ToArray());

        KeyExchangeResult finished = initiator.Finish(v.Bytes("yB"));
        Assert.True(finished.IsSuccess, finished.Error);
        Assert.Equal(v.Bytes("Z"), finished.SharedSecret!.ReadOnlySpan.ToArray());
        Assert.True(finished.ResponderShare.IsEmpty);
    }

    [Fact]
    public void The_default_engine_is_openssl_wherever_libcrypto_3_loads()
    {
        bool loads = System.Runtime.InteropServices.NativeLibrary.TryLoad("libcrypto.so.3", out _);
        Assert.Equal(loads, OpenSslModularExponentiation.IsAvailable);
        Assert.Equal(loads ? "OpenSSL" : "BigInteger", ((ModpKeyExchange)KeyExchangeAlgorithms.Get(KeyExchangeMethod.Modp2048)!).EngineName);
    }

    [Theory]
    [MemberData(nameof(GroupNames))]
    public void OpenSsl_and_BigInteger_compute_the_same_shares_and_secrets(string name)
    {
        if (!OpenSslModularExponentiation.IsAvailable)
        {
            return;
        }

        ModpGroup group = ModpGroupTests.ByName(name);
        ModpKeyExchange fast = Algorithm(group, "OpenSSL");
        ModpKeyExchange portable = Algorithm(group, "BigInteger");

        using IKeyExchangeInitiator a = fast.Initiate(new DeterministicRandom(1));
        using IKeyExchangeInitiator b = portable.Initiate(new DeterministicRandom(1));
        Assert.Equal(a.Share.ToArray(), b.Share.ToArray());

        KeyExchangeResult ra = fast.Respond(a.Share.Span, new DeterministicRandom(2));
        KeyExchangeResult rb = portable.Respond(b.Share.Span, new DeterministicRandom(2));
        Assert.True(ra.IsSuccess, ra.Error);
        Assert.True(rb.IsSuccess, rb.Error);
        Assert.Equal(ra.ResponderShare.ToArray(), rb.ResponderShare.ToArray());
        Assert.Equal(ra.SharedSecret!.ReadOnlySpan.ToArray(), rb.SharedSecret!.ReadOnlySpan.ToArray());

        // Each side finishes with the other engine's share: the same secret again.
        Assert.Equal(ra.SharedSecret.ReadOnlySpan.ToArray(), b.Finish(ra.ResponderShare.Span).SharedSecret!.ReadOnlySpan.ToArray());
        Assert.Equal(rb.SharedSecret.ReadOnlySpan.ToArray(), a.Finish(rb.ResponderShare.Span).SharedSecret!.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData("modp2048")]
    [InlineData("modp2048s256")]
    public void A_prepared_prime_gives_the_same_powers_as_the_prime_in_octets_from_several_threads_at_once(string name)
    {
        if (!OpenSslModularExponentiation.IsAvailable)
        {
            return;
        }

        // The prime's BIGNUM and Montgomery context are made once per group and shared: OpenSSL
        // only reads them, so exponentiations on several threads must not disturb each other.
        ModpGroup group = ModpGroupTests.ByName(name);
        var engine = new OpenSslModularExponentiation();
        using PreparedModulus prepared = engine.Prepare(group.PrimeBytes);
        byte[][] exponents = [.. Enumerable.Range(1, 8).Select(seed =>
        {
            byte[] x = new byte[48];
            new DeterministicRandom((ulong)seed).Fill(x);
            return x;
        })];
        byte[][] expected = [.. exponents.Select(x =>
        {
            byte[] r = new byte[group.PrimeLength];
            engine.ModPow(group.GeneratorBytes, x, group.PrimeBytes, r);
            return r;
        })];

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            byte[] r = new byte[group.PrimeLength];
            engine.ModPow(group.GeneratorBytes, exponents[i % 8], prepared, r);
            Assert.Equal(expected[i % 8], r);
        });

        // And the portable engine's answer is the same number.
        byte[] portable = new byte[group.PrimeLength];
        new BigIntegerModularExponentiation().ModPow(group.GeneratorBytes, exponents[0], group.PrimeBytes, portable);
        Assert.Equal(expected[0], portable);
    }

    [Theory]
    [InlineData("modp768", 32)]
    [InlineData("modp1024", 32)]
    [InlineData("modp1536", 32)]
    [InlineData("modp2048", 48)]
    [InlineData("modp3072", 56)]
    [InlineData("modp4096", 64)]
    [InlineData("modp6144", 72)]
    [InlineData("modp8192", 80)]
    [InlineData("modp1024s160", 20)]
    [InlineData("modp2048s224", 28)]
    [InlineData("modp2048s256", 32)]
    public void Exponents_have_the_documented_size(string name, int octets)
    {
        var recorder = new RecordingRandom();
        using IKeyExchangeInitiator initiator = KeyExchangeAlgorithms.All.Single(a => a.Name == name).Initiate(recorder);
        // The RFC 5114 groups draw from [1, q-1] by rejection, so a draw may be repeated.
        Assert.NotEmpty(recorder.Requests);
        Assert.All(recorder.Requests, length => Assert.Equal(octets, length));
    }

    [Fact]
    public void Shares_and_secrets_are_left_padded_to_the_prime_length()
    {
        // RFC 7296 §3.4: "prepending zero bits to the value if necessary". Find a share whose
        // leading octet is zero (one in 256) and check both roles still agree on it.
        KeyExchangeAlgorithm modp768 = KeyExchangeAlgorithms.Get(KeyExchangeMethod.Modp768)!;
        for (ulong seed = 0; seed < 5000; seed++)
        {
            using IKeyExchangeInitiator initiator = modp768.Initiate(new DeterministicRandom(seed));
            Assert.Equal(96, initiator.Share.Length);
            if (initiator.Share.Span[0] != 0)
            {
                continue;
            }

            KeyExchangeResult responder = modp768.Respond(initiator.Share.Span, new DeterministicRandom(seed + 1));
            Assert.True(responder.IsSuccess, responder.Error);
            Assert.Equal(96, responder.SharedSecret!.Length);
            Assert.Equal(responder.SharedSecret.ReadOnlySpan.ToArray(), initiator.Finish(responder.ResponderShare.Span).SharedSecret!.ReadOnlySpan.ToArray());
            return;
        }

        Assert.Fail("no share with a leading zero octet in 5000 seeds");
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "modp2048", "zero", "share is 0" },
        { "modp2048", "one", "share is 1" },
        { "modp2048", "p-1", "share is p-1" },
        { "modp2048", "p", "not below the prime" },
        { "modp2048", "p+1", "not below the prime" },
        { "modp2048", "all-ff", "not below the prime" },
        { "modp2048", "short", "is 255 octets; it must be 256" },
        { "modp2048", "long", "is 257 octets; it must be 256" },
        { "modp2048", "empty", "is 0 octets; it must be 256" },
        { "modp1024s160", "one", "share is 1" },
        { "modp1024s160", "p-1", "share is p-1" },
        { "modp1024s160", "two", "not in the subgroup of order q" },
        { "modp2048s224", "two", "not in the subgroup of order q" },
        { "modp2048s256", "p-1", "share is p-1" },
        { "modp2048s256", "two", "not in the subgroup of order q" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Bad_peer_values_fail_with_a_reason_in_both_roles(string name, string value, string expected)
    {
        ModpKeyExchange algorithm = (ModpKeyExchange)KeyExchangeAlgorithms.All.Single(a => a.Name == name);
        BigInteger p = algorithm.Group.Prime;
        int length = algorithm.Group.PrimeLength;
        byte[] share = value switch
        {
            "zero" => new byte[length],
            "one" => ModpGroup.ToFixedLength(1, length),
            "two" => ModpGroup.ToFixedLength(2, length),
            "p-1" => ModpGroup.ToFixedLength(p - 1, length),
            "p" => ModpGroup.ToFixedLength(p, length),
            "p+1" => ModpGroup.ToFixedLength(p + 1, length),
            "all-ff" => Enumerable.Repeat((byte)0xFF, length).ToArray(),
            "short" => new byte[length - 1],
            "long" => ModpGroup.ToFixedLength(2, length + 1),
            _ => [],
        };

        KeyExchangeResult responder = algorithm.Respond(share, new DeterministicRandom(3));
        Assert.False(responder.IsSuccess);
        Assert.Null(responder.SharedSecret);
        Assert.Contains(expected, responder.Error, StringComparison.Ordinal);
        Assert.StartsWith($"the peer's {name} share", responder.Error, StringComparison.Ordinal);

        using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(4));
        KeyExchangeResult finished = initiator.Finish(share);
        Assert.False(finished.IsSuccess);
        Assert.Equal(responder.Error, finished.Error);
    }

    [Fact]
    public void A_failed_finish_leaves_the_initiator_usable_for_a_later_valid_share()
    {
        // RFC 6989 §2.5: a receiver may drop a message with an invalid KE payload and wait for a
        // legitimate one, so a refusal must not consume the initiator's secret.
        KeyExchangeAlgorithm modp2048 = KeyExchangeAlgorithms.Get(KeyExchangeMethod.Modp2048)!;
        using IKeyExchangeInitiator initiator = modp2048.Initiate(new DeterministicRandom(5));
        Assert.False(initiator.Finish(new byte[256]).IsSuccess);
        KeyExchangeResult responder = modp2048.Respond(initiator.Share.Span, new DeterministicRandom(6));
        Assert.Equal(responder.SharedSecret!.ReadOnlySpan.ToArray(), initiator.Finish(responder.ResponderShare.Span).SharedSecret!.ReadOnlySpan.ToArray());
    }

    private sealed class RecordingRandom : IRandomSource
    {
        private readonly DeterministicRandom inner = new(7);

        public List<int> Requests { get; } = [];

        public void Fill(Span<byte> destination)
        {
            Requests.Add(destination.Length);
            inner.Fill(destination);
        }
    }
}
