using System.Net;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>Two engines, alice (10.99.0.1, lan 10.1.0.0/24) and bob (10.99.0.2, lan 10.2.0.0/24), as in the lab.</summary>
internal sealed class Pair
{
    public static readonly IPAddress AliceAddress = IPAddress.Parse("10.99.0.1");
    public static readonly IPAddress BobAddress = IPAddress.Parse("10.99.0.2");

    public static readonly Transform[] IkeProposal =
        [Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Prf(PseudorandomFunction.HmacSha2_256), Transform.KeyExchange(KeyExchangeMethod.Curve25519)];

    public static readonly Transform[] EspProposal = [Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Esn(SequenceNumbers.NoEsn)];

    public required SimNetwork Net { get; init; }

    public required SimNode Alice { get; init; }

    public required SimNode Bob { get; init; }

    public static ConnectionConfig Config(string name, IPAddress local, IPAddress remote, string localLan, string remoteLan, Func<ConnectionConfig, ConnectionConfig>? tweak = null)
    {
        var config = new ConnectionConfig
        {
            Name = name,
            LocalAddrs = [local],
            RemoteAddrs = [remote],
            Proposals = [IkeProposal],
            Local = new AuthConfig(AuthKind.Psk, local.ToString()),
            Remote = new AuthConfig(AuthKind.Psk, remote.ToString()),
            Children =
            [
                new ChildConfig
                {
                    Name = "net",
                    LocalTs = [TrafficSelector.Subnet(localLan)],
                    RemoteTs = [TrafficSelector.Subnet(remoteLan)],
                    EspProposals = [EspProposal],
                },
            ],
        };
        return tweak is null ? config : tweak(config);
    }

    public static Pair Create(int seed, Func<ConnectionConfig, ConnectionConfig>? aliceTweak = null, Func<ConnectionConfig, ConnectionConfig>? bobTweak = null,
        string alicePsk = "swlab-demo-psk-0123456789", string bobPsk = "swlab-demo-psk-0123456789", SimNetwork? net = null, EngineOptions? bobOptions = null,
        ICredentialStore? aliceCredentials = null, ICredentialStore? bobCredentials = null, EngineOptions? aliceOptions = null)
    {
        net ??= new SimNetwork(seed);
        IAlgorithmProvider algorithms = AlgorithmRegistry.Default;
        var alice = new IkeEngine([Config("site-b", AliceAddress, BobAddress, "10.1.0.0/24", "10.2.0.0/24", aliceTweak)],
            aliceCredentials ?? new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(alicePsk), "10.99.0.1", "10.99.0.2"), algorithms, new DeterministicRandom((ulong)seed * 2), aliceOptions);
        var bob = new IkeEngine([Config("site-a", BobAddress, AliceAddress, "10.2.0.0/24", "10.1.0.0/24", bobTweak)],
            bobCredentials ?? new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(bobPsk), "10.99.0.1", "10.99.0.2"), algorithms, new DeterministicRandom(((ulong)seed * 2) + 1), bobOptions);
        return new Pair { Net = net, Alice = net.Add(AliceAddress, alice), Bob = net.Add(BobAddress, bob) };
    }
}
