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
        var initiator = new IkeEngine([alice], keys, AlgorithmRegistry.Default, random);
        var responder = new IkeEngine([bob], keys, AlgorithmRegistry.Default, random);
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
}
