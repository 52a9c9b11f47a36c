using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Crypto;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// EngineOptions.KeyExchangeReuseTime ([daemon] ke_reuse_time): the responder may reuse its own
/// Diffie-Hellman value for a short time (RFC 7296 §2.12), then erases it; off by default.
/// </summary>
public class KeyExchangeReuseTests
{
    private const string Psk = "swlab-demo-psk-0123456789";

    /// <summary>Alice (initiator) and Bob (responder, with <paramref name="bobOptions"/>), Bob's key exchange methods counted by <paramref name="tracker"/>.</summary>
    private static Pair Create(int seed, EngineOptions? bobOptions, TrackingAlgorithms tracker)
    {
        var net = new SimNetwork(seed);
        var alice = new IkeEngine([Pair.Config("site-b", Pair.AliceAddress, Pair.BobAddress, "10.1.0.0/24", "10.2.0.0/24", c => c with { SendInitialContact = false })],
            new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(Psk), "10.99.0.1", "10.99.0.2"), AlgorithmRegistry.Default, new DeterministicRandom((ulong)seed * 2));
        var bob = new IkeEngine([Pair.Config("site-a", Pair.BobAddress, Pair.AliceAddress, "10.2.0.0/24", "10.1.0.0/24")],
            new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(Psk), "10.99.0.1", "10.99.0.2"), tracker, new DeterministicRandom(((ulong)seed * 2) + 1), bobOptions);
        return new Pair { Net = net, Alice = net.Add(Pair.AliceAddress, alice), Bob = net.Add(Pair.BobAddress, bob) };
    }

    /// <summary>Sets up one more IKE SA (with its Child SA), letting at most a second pass.</summary>
    private static void SetUp(Pair p)
    {
        p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
        p.Net.RunUntilQuiet(until: p.Net.Now + 1000);
    }

    /// <summary>The KE data of every IKE_SA_INIT response Bob sent, in order.</summary>
    private static byte[][] ResponderShares(Pair p) =>
        [.. p.Bob.Transmitted
            .Select(t => IkeSharp.Wire.IkeMessage.Decode(t.Datagram).Value)
            .Where(m => m.ExchangeType == IkeSharp.Wire.ExchangeType.IkeSaInit && m.IsResponse)
            .Select(m => m.Payloads.OfType<KePayload>().Single().Data.ToArray())];

    [Fact]
    public void By_default_every_ike_sa_init_gets_a_fresh_responder_value()
    {
        var tracker = new TrackingAlgorithms();
        Pair p = Create(60, null, tracker);
        SetUp(p);
        SetUp(p);

        byte[][] shares = ResponderShares(p);
        Assert.Equal(2, shares.Length);
        Assert.NotEqual(shares[0], shares[1]);
        Assert.Equal(2, p.Bob.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.ReusedKeyPairsMade);
        Assert.Equal(2, tracker.Responds);
        Assert.Empty(tracker.Pairs);
    }

    [Fact]
    public void Within_the_reuse_time_the_responder_sends_the_same_value_and_after_it_a_new_one()
    {
        var tracker = new TrackingAlgorithms();
        Pair p = Create(61, new EngineOptions { KeyExchangeReuseTime = TimeSpan.FromSeconds(60) }, tracker);
        SetUp(p);
        SetUp(p);
        Assert.Equal(2, p.Bob.Engine.IkeSaCount);
        Assert.Equal(2, p.Bob.Events.OfType<ChildSaInstalled>().Count());

        // Past the reuse time (the engine's deadline for it brings the erasure on time), then a third SA.
        p.Net.RunUntilQuiet(until: p.Net.Now + 61_000);
        SetUp(p);

        byte[][] shares = ResponderShares(p);
        Assert.Equal(3, shares.Length);
        Assert.Equal(shares[0], shares[1]);
        Assert.NotEqual(shares[1], shares[2]);
        Assert.Equal(3, p.Bob.Engine.IkeSaCount);
        Assert.Equal(2, p.Bob.Engine.ReusedKeyPairsMade);
        Assert.Equal(0, tracker.Responds);

        // Each SA still has keys of its own: the nonces and SPIs differ, so SKEYSEED does.
        Assert.Equal(3, p.Alice.Events.OfType<ChildSaInstalled>().Select(c => c.SpiOut).Distinct().Count());
    }

    [Fact]
    public void A_reused_value_is_erased_when_its_time_is_up_even_without_another_exchange()
    {
        var tracker = new TrackingAlgorithms();
        Pair p = Create(62, new EngineOptions { KeyExchangeReuseTime = TimeSpan.FromSeconds(30) }, tracker);
        SetUp(p);
        TrackingInitiator pair = Assert.Single(tracker.Pairs);
        Assert.False(pair.Disposed);

        // No IKE_SA_INIT comes: the engine's own deadline erases the value.
        Assert.True(p.Bob.Engine.NextDeadline <= 30_000 + 1000);
        p.Net.RunUntilQuiet(until: p.Net.Now + 31_000);
        Assert.True(pair.Disposed);
    }

    [Fact]
    public void Disposing_the_engine_erases_a_kept_value()
    {
        var tracker = new TrackingAlgorithms();
        Pair p = Create(63, new EngineOptions { KeyExchangeReuseTime = TimeSpan.FromMinutes(5) }, tracker);
        SetUp(p);
        TrackingInitiator pair = Assert.Single(tracker.Pairs);
        p.Bob.Engine.Dispose();
        Assert.True(pair.Disposed);
    }

    [Fact]
    public void A_reuse_time_beyond_five_minutes_is_refused()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new IkeEngine([], new SharedKeyStore(), AlgorithmRegistry.Default, new DeterministicRandom(1),
            new EngineOptions { KeyExchangeReuseTime = TimeSpan.FromMinutes(6) }));
        Assert.Contains("KeyExchangeReuseTime", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The default registry, with the key exchange methods wrapped so each key pair can be watched.</summary>
    private sealed class TrackingAlgorithms : IAlgorithmProvider
    {
        public List<TrackingInitiator> Pairs { get; } = [];

        public int Responds { get; set; }

        public IEncryptionAlgorithm? Encryption(EncryptionAlgorithm id, int keyBits) => AlgorithmRegistry.Default.Encryption(id, keyBits);

        public IPrf? Prf(PseudorandomFunction id) => AlgorithmRegistry.Default.Prf(id);

        public IIntegrityAlgorithm? Integrity(IntegrityAlgorithm id) => AlgorithmRegistry.Default.Integrity(id);

        public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) =>
            AlgorithmRegistry.Default.KeyExchange(id) is { } inner ? new TrackingMethod(inner, this) : null;
    }

    private sealed class TrackingMethod(IKeyExchangeAlgorithm inner, TrackingAlgorithms tracker) : IKeyExchangeAlgorithm
    {
        public KeyExchangeMethod Id => inner.Id;

        public int InitiatorShareLength => inner.InitiatorShareLength;

        public int ResponderShareLength => inner.ResponderShareLength;

        public IKeyExchangeInitiator Initiate(IRandomSource random)
        {
            var pair = new TrackingInitiator(inner.Initiate(random));
            tracker.Pairs.Add(pair);
            return pair;
        }

        public KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
        {
            tracker.Responds++;
            return inner.Respond(initiatorShare, random);
        }
    }

    private sealed class TrackingInitiator(IKeyExchangeInitiator inner) : IKeyExchangeInitiator
    {
        public bool Disposed { get; private set; }

        public ReadOnlyMemory<byte> Share => inner.Share;

        public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare) => inner.Finish(responderShare);

        public void Dispose()
        {
            inner.Dispose();
            Disposed = true;
        }
    }
}
