using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>
/// Two daemons in this process on loopback addresses (127.0.0.1 and 127.0.0.2) with real UDP
/// sockets on unprivileged ports, each its own port pair so parallel tests do not collide.
/// </summary>
internal sealed class LoopbackPair : IAsyncDisposable
{
    public const string Psk = "loopback-test-psk-0123456789";

    public required DaemonRuntime Alice { get; init; }

    public required DaemonRuntime Bob { get; init; }

    private readonly List<IkeEvent> aliceEvents = [];
    private readonly List<IkeEvent> bobEvents = [];

    // Events are raised on each daemon's engine thread while a test reads them: a test gets a
    // snapshot taken under the same lock, never the list being appended to.
    public IReadOnlyList<IkeEvent> AliceEvents { get { lock (aliceEvents) { return [.. aliceEvents]; } } }

    public IReadOnlyList<IkeEvent> BobEvents { get { lock (bobEvents) { return [.. bobEvents]; } } }

    public static ConnectionConfig Connection(string name, string local, string remote, int port, string localLan, string remoteLan, string? proposal = null) => new()
    {
        Name = name,
        LocalAddrs = [IPAddress.Parse(local)],
        RemoteAddrs = [IPAddress.Parse(remote)],
        LocalPort = port,
        RemotePort = port,
        LocalNatTPort = port + 1,
        RemoteNatTPort = port + 1,
        Proposals = [Crypto.Proposals.ProposalParser.Parse(proposal ?? "aes128gcm16-prfsha256-x25519", SecurityProtocol.Ike, allowWeak: false).Transforms],
        Local = new AuthConfig(AuthKind.Psk, local),
        Remote = new AuthConfig(AuthKind.Psk, remote),
        Children =
        [
            new ChildConfig
            {
                Name = "net",
                LocalTs = [TrafficSelector.Subnet(localLan)],
                RemoteTs = [TrafficSelector.Subnet(remoteLan)],
                EspProposals = [Crypto.Proposals.ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp, allowWeak: false).Transforms],
            },
        ],
    };

    public static LoopbackPair Start(int port, Func<ConnectionConfig, ConnectionConfig>? aliceTweak = null, Func<ConnectionConfig, ConnectionConfig>? bobTweak = null,
        Func<EngineHost, IDataPlane>? aliceDataPlane = null, Func<EngineHost, IDataPlane>? bobDataPlane = null, string? aliceSocket = null, string bobPsk = Psk, ILoggerFactory? logs = null, string? aliceKeyLog = null, string? bobKeyLog = null)
    {
        logs ??= NullLoggerFactory.Instance;
        ConnectionConfig alice = Connection("to-bob", "127.0.0.1", "127.0.0.2", port, "10.1.0.0/24", "10.2.0.0/24");
        ConnectionConfig bob = Connection("to-alice", "127.0.0.2", "127.0.0.1", port, "10.2.0.0/24", "10.1.0.0/24");
        var aliceConfig = new RuntimeConfig([aliceTweak is null ? alice : aliceTweak(alice)], new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(Psk)), new EngineOptions()) { KeyLogPath = aliceKeyLog };
        var bobConfig = new RuntimeConfig([bobTweak is null ? bob : bobTweak(bob)], new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(bobPsk)), new EngineOptions()) { KeyLogPath = bobKeyLog };
        var pair = new LoopbackPair
        {
            Alice = DaemonRuntime.Start(aliceConfig, aliceDataPlane ?? (_ => new NullDataPlane()), logs, aliceSocket),
            Bob = DaemonRuntime.Start(bobConfig, bobDataPlane ?? (_ => new NullDataPlane()), logs, null),
        };
        pair.Alice.Host.EventRaised += e => { lock (pair.aliceEvents) { pair.aliceEvents.Add(e); } };
        pair.Bob.Host.EventRaised += e => { lock (pair.bobEvents) { pair.bobEvents.Add(e); } };
        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        await Alice.DisposeAsync();
        await Bob.DisposeAsync();
    }
}
