using System.Net;
using BenchmarkDotNet.Attributes;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Bench;

/// <summary>
/// One complete IKE_SA_INIT + IKE_AUTH with one Child SA, PSK, x25519, aes128gcm16-prfsha256, both
/// engines in one thread with datagrams handed across directly (no sockets): the engine's CPU and
/// allocations per established SA, initiator and responder together.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static readonly IPAddress A = IPAddress.Parse("10.99.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.99.0.2");
    private ConnectionConfig alice = null!;
    private ConnectionConfig bob = null!;
    private SharedKeyStore keys = null!;
    private readonly SystemRandom random = new();

    private static ConnectionConfig Config(string name, IPAddress local, IPAddress remote, string localLan, string remoteLan) => new()
    {
        Name = name,
        LocalAddrs = [local],
        RemoteAddrs = [remote],
        Proposals = [[Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Prf(PseudorandomFunction.HmacSha2_256), Transform.KeyExchange(KeyExchangeMethod.Curve25519)]],
        Local = new AuthConfig(AuthKind.Psk, local.ToString()),
        Remote = new AuthConfig(AuthKind.Psk, remote.ToString()),
        SendInitialContact = false,
        Children = [new ChildConfig
        {
            Name = "net",
            LocalTs = [TrafficSelector.Subnet(localLan)],
            RemoteTs = [TrafficSelector.Subnet(remoteLan)],
            EspProposals = [[Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Esn(SequenceNumbers.NoEsn)]],
        }],
    };

    [GlobalSetup]
    public void Setup()
    {
        alice = Config("b", A, B, "10.1.0.0/24", "10.2.0.0/24");
        bob = Config("a", B, A, "10.2.0.0/24", "10.1.0.0/24");
        keys = new SharedKeyStore().Add("swlab-demo-psk-0123456789"u8.ToArray(), "10.99.0.1", "10.99.0.2");
    }

    [Benchmark]
    public int EstablishIkeSaWithChildSa()
    {
        using var initiator = new IkeEngine([alice], keys, AlgorithmRegistry.Default, random);
        using var responder = new IkeEngine([bob], keys, AlgorithmRegistry.Default, random);
        initiator.Execute(new Initiate("b"), 0);
        bool moved = true;
        while (moved)
        {
            moved = false;
            while (initiator.TryPollTransmit(out Transmit t))
            {
                responder.HandleDatagram(0, t.Remote, t.Local, t.Datagram);
                moved = true;
            }

            while (responder.TryPollTransmit(out Transmit t))
            {
                initiator.HandleDatagram(0, t.Remote, t.Local, t.Datagram);
                moved = true;
            }
        }

        int established = 0;
        while (initiator.TryPollEvent(out IkeEvent e))
        {
            if (e is ChildSaInstalled c)
            {
                established++;
                c.EncryptionKeyIn.Dispose();
                c.EncryptionKeyOut.Dispose();
            }
        }

        while (responder.TryPollEvent(out IkeEvent e))
        {
            if (e is ChildSaInstalled c)
            {
                c.EncryptionKeyIn.Dispose();
                c.EncryptionKeyOut.Dispose();
            }
        }

        return established == 1 ? 1 : throw new InvalidOperationException("the handshake did not complete");
    }

    // ---------------------------------------------------------------- one role at a time
    //
    // With a repeatable random stream per engine, a fresh responder produces the same IKE_SA_INIT
    // response every time, so the initiator's IKE_AUTH request recorded once still decrypts and
    // verifies: replaying the initiator's messages into a fresh responder measures the responder
    // alone (and the other way round for the initiator). The stream is a cheap xorshift, so it
    // costs the engines nothing measurable; it is no CSPRNG and is for this benchmark only.

    private byte[][] initiatorMessages = [];
    private byte[][] responderMessages = [];
    private readonly IPEndPoint aliceEndpoint = new(A, 500);
    private readonly IPEndPoint bobEndpoint = new(B, 500);

    private sealed class ReplayRandom(ulong seed) : IRandomSource
    {
        private ulong state = seed;

        public void Fill(Span<byte> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                destination[i] = (byte)state;
            }
        }
    }

    [GlobalSetup(Targets = [nameof(ResponderOnly), nameof(InitiatorOnly)])]
    public void RecordHandshake()
    {
        Setup();
        var initiator = new IkeEngine([alice], keys, AlgorithmRegistry.Default, new ReplayRandom(1));
        var responder = new IkeEngine([bob], keys, AlgorithmRegistry.Default, new ReplayRandom(2));
        var fromInitiator = new List<byte[]>();
        var fromResponder = new List<byte[]>();
        initiator.Execute(new Initiate("b"), 0);
        bool moved = true;
        while (moved)
        {
            moved = false;
            while (initiator.TryPollTransmit(out Transmit t))
            {
                fromInitiator.Add(t.Datagram);
                responder.HandleDatagram(0, t.Remote, t.Local, t.Datagram);
                moved = true;
            }

            while (responder.TryPollTransmit(out Transmit t))
            {
                fromResponder.Add(t.Datagram);
                initiator.HandleDatagram(0, t.Remote, t.Local, t.Datagram);
                moved = true;
            }
        }

        initiatorMessages = [.. fromInitiator];
        responderMessages = [.. fromResponder];
        if (initiatorMessages.Length != 2 || responderMessages.Length != 2 || ResponderOnly() != 1 || InitiatorOnly() != 1)
        {
            throw new InvalidOperationException($"the recorded handshake has {initiatorMessages.Length} requests and {responderMessages.Length} responses, or does not replay");
        }
    }

    /// <summary>The responder's whole work for one IKE SA with a Child SA: IKE_SA_INIT and IKE_AUTH requests in, responses out.</summary>
    [Benchmark]
    public int ResponderOnly()
    {
        using var responder = new IkeEngine([bob], keys, AlgorithmRegistry.Default, new ReplayRandom(2));
        foreach (byte[] request in initiatorMessages)
        {
            responder.HandleDatagram(0, bobEndpoint, aliceEndpoint, request);
            while (responder.TryPollTransmit(out _))
            {
            }
        }

        return Installed(responder);
    }

    /// <summary>The initiator's whole work: requests out, the recorded responses in.</summary>
    [Benchmark]
    public int InitiatorOnly()
    {
        using var initiator = new IkeEngine([alice], keys, AlgorithmRegistry.Default, new ReplayRandom(1));
        initiator.Execute(new Initiate("b"), 0);
        foreach (byte[] response in responderMessages)
        {
            while (initiator.TryPollTransmit(out _))
            {
            }

            initiator.HandleDatagram(0, aliceEndpoint, bobEndpoint, response);
        }

        return Installed(initiator);
    }

    private static int Installed(IkeEngine engine)
    {
        int installed = 0;
        while (engine.TryPollEvent(out IkeEvent e))
        {
            if (e is ChildSaInstalled c)
            {
                installed++;
                c.EncryptionKeyIn.Dispose();
                c.EncryptionKeyOut.Dispose();
            }
        }

        return installed;
    }

    // ---------------------------------------------------------------- the crypto floor
    //
    // What a responder cannot avoid for PSK + x25519 + aes128gcm16-prfsha256 with one Child SA:
    // the key exchange, SKEYSEED and the seven SK_* keys (RFC 7296 §2.14), opening the IKE_AUTH
    // request and sealing the response (AES-GCM over their sizes), the peer's AUTH and ours (two
    // PSK MICs, §2.15), and the Child SA's KEYMAT (§2.17). The engine's overhead is the
    // responder's time above this.

    private readonly byte[] initiatorShare = new byte[32];
    private readonly byte[] ni = new byte[32];
    private readonly byte[] nr = new byte[32];
    private readonly byte[] authRequest = new byte[320];
    private readonly byte[] authResponse = new byte[240];
    private readonly byte[] signedOctets = new byte[420];
    private readonly byte[] scratch = new byte[512];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] psk = "swlab-demo-psk-0123456789"u8.ToArray();

    [GlobalSetup(Target = nameof(CryptoFloorResponder))]
    public void SetupFloor()
    {
        Setup();
        using IKeyExchangeInitiator peer = AlgorithmRegistry.Default.KeyExchange(KeyExchangeMethod.Curve25519)!.Initiate(random);
        peer.Share.Span.CopyTo(initiatorShare);
        random.Fill(ni);
        random.Fill(nr);
        random.Fill(signedOctets);
    }

    [Benchmark]
    public int CryptoFloorResponder()
    {
        IPrf prf = AlgorithmRegistry.Default.Prf(PseudorandomFunction.HmacSha2_256)!;
        IEncryptionAlgorithm gcm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesGcm16, 128)!;
        KeyExchangeResult ke = AlgorithmRegistry.Default.KeyExchange(KeyExchangeMethod.Curve25519)!.Respond(initiatorShare, random);
        using SecretBytes shared = ke.SharedSecret!;
        using SecretBytes skeyseed = Crypto.KeySchedule.IkeKeySchedule.Skeyseed(prf, ni, nr, shared.ReadOnlySpan);
        using Crypto.KeySchedule.IkeSaKeys ikeKeys = Crypto.KeySchedule.IkeKeySchedule.DeriveIkeSaKeys(prf, gcm, null, skeyseed.ReadOnlySpan, ni, nr, 1, 2);
        using ICipherKey inbound = gcm.CreateKey(ikeKeys.SkEi.ReadOnlySpan);
        using ICipherKey outbound = gcm.CreateKey(ikeKeys.SkEr.ReadOnlySpan);
        ReadOnlySpan<byte> iv = ni.AsSpan(0, 8);
        inbound.Decrypt(iv, authRequest, tag, scratch.AsSpan(0, authRequest.Length), ni);
        _ = Crypto.Auth.SharedKeyMic.Compute(prf, psk, signedOctets);
        _ = Crypto.Auth.SharedKeyMic.Compute(prf, psk, signedOctets);
        outbound.Encrypt(iv, authResponse, scratch.AsSpan(0, authResponse.Length), tag, ni);
        using Crypto.KeySchedule.ChildSaKeys child = Crypto.KeySchedule.IkeKeySchedule.DeriveChildSaKeys(prf, ikeKeys.SkD.ReadOnlySpan, 20, 0, ni, nr);
        return scratch[0];
    }
}
