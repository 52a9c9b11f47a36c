using System.Net;
using System.Text;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Fuzz;

/// <summary>
/// Two engines as in the Core tests' Pair: alice (10.99.0.1, initiator of "site-b") and bob
/// (10.99.0.2, responder), PSK, AES-GCM-128/X25519, deterministic randomness, keys exported so the
/// harness can seal messages as the peer would. Datagrams wait in a queue per direction until
/// delivered. With <c>certificates</c> both authenticate with ECDSA certificates instead (alice as
/// moon.example.com, bob as sun.example.com, <see cref="FuzzPki"/>), so IKE_AUTH carries CERT,
/// CERTREQ and signature AUTH payloads (RFC 7296 §3.6, §3.7, RFC 7427).
/// </summary>
internal sealed class EngineLab : IDisposable
{
    public static readonly IPEndPoint AliceEndpoint = new(IPAddress.Parse("10.99.0.1"), 500);
    public static readonly IPEndPoint BobEndpoint = new(IPAddress.Parse("10.99.0.2"), 500);
    public static readonly IPEndPoint StrangerEndpoint = new(IPAddress.Parse("10.99.0.3"), 4500);

    private const string Psk = "swlab-demo-psk-0123456789";

    public EngineLab(bool certificates = false)
    {
        Certificates = certificates;
        if (certificates)
        {
            FuzzPki pki = FuzzPki.Instance;
            var options = new EngineOptions { ExportKeys = true, CalendarClock = new FixedCalendar(FuzzPki.Now) };
            Alice = new IkeEngine([Config("site-b", AliceEndpoint.Address, BobEndpoint.Address, "10.1.0.0/24", "10.2.0.0/24", Pubkey("moon.example.com", "sun.example.com"))],
                pki.Store(moon: true), AlgorithmRegistry.Default, new DeterministicRandom(2), options);
            Bob = new IkeEngine([Config("site-a", BobEndpoint.Address, AliceEndpoint.Address, "10.2.0.0/24", "10.1.0.0/24", Pubkey("sun.example.com", "moon.example.com"))],
                pki.Store(moon: false), AlgorithmRegistry.Default, new DeterministicRandom(3), options);
        }
        else
        {
            var options = new EngineOptions { ExportKeys = true };
            Alice = new IkeEngine([Config("site-b", AliceEndpoint.Address, BobEndpoint.Address, "10.1.0.0/24", "10.2.0.0/24")],
                new SharedKeyStore().Add(Encoding.UTF8.GetBytes(Psk), "10.99.0.1", "10.99.0.2"), AlgorithmRegistry.Default, new DeterministicRandom(2), options);
            Bob = new IkeEngine([Config("site-a", BobEndpoint.Address, AliceEndpoint.Address, "10.2.0.0/24", "10.1.0.0/24")],
                new SharedKeyStore().Add(Encoding.UTF8.GetBytes(Psk), "10.99.0.1", "10.99.0.2"), AlgorithmRegistry.Default, new DeterministicRandom(3), options);
        }
    }

    /// <summary>Whether the engines authenticate with certificates rather than the PSK.</summary>
    public bool Certificates { get; }

    /// <summary>auth = pubkey both ways: our certificate "own", the peer's chaining to any configured CA.</summary>
    private static (AuthConfig Local, AuthConfig Remote) Pubkey(string localId, string remoteId) =>
        (new AuthConfig(AuthKind.PublicKey, localId) { Certs = ["own"] }, new AuthConfig(AuthKind.PublicKey, remoteId));

    private IkeSaKeysExported? sealedWith;
    private SkPayloadProtection? senderI;
    private SkPayloadProtection? senderR;

    public IkeEngine Alice { get; }

    public IkeEngine Bob { get; }

    public long Now { get; set; } = 1_000_000;

    /// <summary>The keys of the newest IKE SA either engine derived.</summary>
    public IkeSaKeysExported? Keys { get; private set; }

    public Queue<byte[]> ToAlice { get; } = new();

    public Queue<byte[]> ToBob { get; } = new();

    /// <summary>Every datagram either engine sent, in order (for the seed corpus).</summary>
    public List<(bool ToBob, byte[] Datagram)> Log { get; } = [];

    public static ConnectionConfig Config(string name, IPAddress local, IPAddress remote, string localLan, string remoteLan, (AuthConfig Local, AuthConfig Remote)? auth = null) => new()
    {
        Name = name,
        LocalAddrs = [local],
        RemoteAddrs = [remote],
        Proposals = [[Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Prf(PseudorandomFunction.HmacSha2_256), Transform.KeyExchange(KeyExchangeMethod.Curve25519)]],
        Local = auth?.Local ?? new AuthConfig(AuthKind.Psk, local.ToString()),
        Remote = auth?.Remote ?? new AuthConfig(AuthKind.Psk, remote.ToString()),
        Children =
        [
            new ChildConfig
            {
                Name = "net",
                LocalTs = [TrafficSelector.Subnet(localLan)],
                RemoteTs = [TrafficSelector.Subnet(remoteLan)],
                EspProposals = [[Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Esn(SequenceNumbers.NoEsn)]],
            },
        ],
    };

    /// <summary>Moves what the engines sent into the queues and drains their events.</summary>
    public void Pump()
    {
        while (Alice.TryPollTransmit(out Transmit t))
        {
            ToBob.Enqueue(t.Datagram);
            Log.Add((true, t.Datagram));
        }

        while (Bob.TryPollTransmit(out Transmit t))
        {
            ToAlice.Enqueue(t.Datagram);
            Log.Add((false, t.Datagram));
        }

        foreach (IkeEngine engine in (IkeEngine[])[Alice, Bob])
        {
            while (engine.TryPollEvent(out IkeEvent e))
            {
                if (e is IkeSaKeysExported keys)
                {
                    Keys = keys;
                }
                else
                {
                    _ = e.ToString();
                }
            }

            _ = engine.NextDeadline;
        }
    }

    public void DeliverToBob()
    {
        Pump();
        while (ToBob.TryDequeue(out byte[]? d))
        {
            Bob.HandleDatagram(Now, BobEndpoint, AliceEndpoint, d);
        }

        Pump();
    }

    public void DeliverToAlice()
    {
        Pump();
        while (ToAlice.TryDequeue(out byte[]? d))
        {
            Alice.HandleDatagram(Now, AliceEndpoint, BobEndpoint, d);
        }

        Pump();
    }

    /// <summary>
    /// The SK protection of what one side sends on the newest IKE SA: what the harness uses to
    /// seal a message as that side would.
    /// </summary>
    public SkPayloadProtection? Sender(bool originalInitiator)
    {
        if (Keys is not { } k)
        {
            return null;
        }

        if (!ReferenceEquals(k, sealedWith))
        {
            // New keys: new protections (a GCM IV counter must not restart under the same key).
            senderI?.Dispose();
            senderR?.Dispose();
            AlgorithmRegistry r = AlgorithmRegistry.Default;
            IEncryptionAlgorithm encryption = r.Encryption(k.Encryption, k.EncryptionKeyBits)!;
            IIntegrityAlgorithm? integrity = k.Integrity == IntegrityAlgorithm.None ? null : r.Integrity(k.Integrity);
            senderI = new SkPayloadProtection(encryption, k.SkEi, integrity, k.SkAi, new DeterministicRandom(4));
            senderR = new SkPayloadProtection(encryption, k.SkEr, integrity, k.SkAr, new DeterministicRandom(5));
            sealedWith = k;
        }

        return originalInitiator ? senderI : senderR;
    }

    public void Dispose()
    {
        Alice.Dispose();
        Bob.Dispose();
        senderI?.Dispose();
        senderR?.Dispose();
    }
}
