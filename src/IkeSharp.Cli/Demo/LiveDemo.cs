using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;
using IkeSharp.Crypto.Proposals;
using IkeSharp.Daemon.Control;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Cli.Demo;

/// <summary>
/// <c>ikesharp demo</c>: two gateways in this process, each a full daemon (engine host, UDP ports,
/// userspace ESP data plane), talking over real UDP on loopback. They set up an IKE SA and a Child
/// SA, carry packets through ESP both ways, rekey both SAs, and delete; the story printed is made
/// from the events and counters, not written in advance. No root and no setup needed.
/// </summary>
internal static class LiveDemo
{
    private sealed class Lan(string name) : IInnerInterface
    {
        public string Name { get; } = name;

        public ConcurrentQueue<byte[]> Received { get; } = new();

        public void Write(ReadOnlySpan<byte> ipPacket) => Received.Enqueue(ipPacket.ToArray());
    }

    public static async Task<int> RunAsync(TextWriter output, int basePort)
    {
        var clock = Stopwatch.StartNew();
        void Say(string text) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.ElapsedMilliseconds,5} ms] {text}"));

        const string ike = "aes128gcm16-prfsha256-x25519";
        const string esp = "aes128gcm16";
        output.WriteLine("IkeSharp demo: two IKEv2 gateways in this process, talking over real UDP on loopback.");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  alice 127.0.0.1 (LAN 10.1.0.0/24)  <->  bob 127.0.0.2 (LAN 10.2.0.0/24), UDP {basePort}/{basePort + 1}"));
        output.WriteLine($"  pre-shared key, IKE {ike}, ESP {esp} in UDP (RFC 3948)");
        output.WriteLine();

        var aliceLan = new Lan("alice");
        var bobLan = new Lan("bob");
        UserspaceDataPlane? alicePlane = null;
        UserspaceDataPlane? bobPlane = null;
        byte[] psk = System.Text.Encoding.UTF8.GetBytes("ikesharp-demo-psk-" + Guid.NewGuid().ToString("N"));
        DaemonRuntime alice = DaemonRuntime.Start(
            new RuntimeConfig([Connection("bob", "127.0.0.1", "127.0.0.2", basePort, "10.1.0.0/24", "10.2.0.0/24", ike, esp)], new SharedKeyStore().Add(psk), new EngineOptions()),
            host => alicePlane = new UserspaceDataPlane(aliceLan, host, new SystemRandom(), NullLogger.Instance), NullLoggerFactory.Instance, null);
        DaemonRuntime bob = DaemonRuntime.Start(
            new RuntimeConfig([Connection("alice", "127.0.0.2", "127.0.0.1", basePort, "10.2.0.0/24", "10.1.0.0/24", ike, esp)], new SharedKeyStore().Add(psk), new EngineOptions()),
            host => bobPlane = new UserspaceDataPlane(bobLan, host, new SystemRandom(), NullLogger.Instance), NullLoggerFactory.Instance, null);
        var aliceEvents = new ConcurrentQueue<IkeEvent>();
        alice.Host.EventRaised += aliceEvents.Enqueue;
        try
        {
            Say("alice initiates: IKE_SA_INIT (proposals, key exchange, nonces, NAT detection), then IKE_AUTH (IDs, PSK AUTH, first Child SA)");
            ControlReply up = await alice.UpAsync("bob", 10).ConfigureAwait(false);
            if (!up.Ok)
            {
                output.WriteLine($"demo failed: {up.Message}");
                return 1;
            }

            IkeSaEstablished established = aliceEvents.OfType<IkeSaEstablished>().First();
            ChildSaInstalled child = aliceEvents.OfType<ChildSaInstalled>().First();
            Say($"IKE SA established: SPIs {established.SpiI:x16}_i {established.SpiR:x16}_r, {established.Proposal}; each side checked the other's AUTH");
            Say($"Child SA '{child.Child}' installed: ESP SPIs {child.SpiIn:x8} in / {child.SpiOut:x8} out, {child.Proposal}, {string.Join(",", child.LocalTs)} === {string.Join(",", child.RemoteTs)}"
                + (child.UdpEncapsulation ? $", floated to UDP {child.Local.Port} (encap)" : ""));

            int sent = await Exchange(alicePlane!, bobPlane!, aliceLan, bobLan, 100).ConfigureAwait(false);
            Say($"{sent} IP packets each way through the tunnel: sealed with {esp}, carried in UDP, opened, selector-checked and delivered on the other LAN");

            StatusReport.IkeRow row = (await alice.StatusRowsAsync().ConfigureAwait(false))[0];
            ulong spi = row.SpiI;
            uint oldChild = row.Children[0].SpiIn;
            await alice.Host.InvokeAsync((e, now) => { e.Execute(new RekeyChildSa(spi, oldChild), now); return 0; }).ConfigureAwait(false);
            ChildSaRekeyed rekeyed = await WaitFor<ChildSaRekeyed>(aliceEvents).ConfigureAwait(false);
            await WaitUntil(async () => (await alice.StatusRowsAsync().ConfigureAwait(false))[0].Children.Count == 1).ConfigureAwait(false);
            Say($"Child SA rekeyed with CREATE_CHILD_SA (REKEY_SA): {rekeyed.OldSpiIn:x8} -> {rekeyed.NewSpiIn:x8}; the old one was deleted after the new one was in");
            sent = await Exchange(alicePlane!, bobPlane!, aliceLan, bobLan, 50).ConfigureAwait(false);
            Say($"{sent} more packets each way on the new Child SA");

            await alice.Host.InvokeAsync((e, now) => { e.Execute(new RekeyIkeSa(spi), now); return 0; }).ConfigureAwait(false);
            IkeSaRekeyed ikeRekeyed = await WaitFor<IkeSaRekeyed>(aliceEvents).ConfigureAwait(false);
            await WaitUntil(async () => (await alice.StatusRowsAsync().ConfigureAwait(false)).Count == 1).ConfigureAwait(false);
            Say($"IKE SA rekeyed with CREATE_CHILD_SA: new SPIs {ikeRekeyed.NewSpiI:x16}_i {ikeRekeyed.NewSpiR:x16}_r; the Child SA moved over, the old IKE SA was deleted");
            sent = await Exchange(alicePlane!, bobPlane!, aliceLan, bobLan, 50).ConfigureAwait(false);
            Say($"{sent} more packets each way: the tunnel never stopped");

            output.WriteLine();
            output.WriteLine("alice's status (ikesharp status):");
            output.Write(Indent(StatusReport.Text(await alice.StatusRowsAsync().ConfigureAwait(false))));
            output.WriteLine();

            ControlReply down = await alice.DownAsync("bob", 10).ConfigureAwait(false);
            await WaitUntil(async () => (await bob.StatusRowsAsync().ConfigureAwait(false)).Count == 0).ConfigureAwait(false);
            Say($"alice deletes the IKE SA with an INFORMATIONAL Delete; bob answers and removes his: {down.Message}");
            int left = (await alice.StatusRowsAsync().ConfigureAwait(false)).Count + (await bob.StatusRowsAsync().ConfigureAwait(false)).Count;
            Say($"done: {left} SAs left at either end");
            return left == 0 ? 0 : 1;
        }
        finally
        {
            await alice.DisposeAsync().ConfigureAwait(false);
            await bob.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Indent(string text) => string.Concat(text.Split('\n').Select(l => l.Length == 0 ? "" : "  " + l + "\n"));

    private static ConnectionConfig Connection(string name, string local, string remote, int port, string localLan, string remoteLan, string ike, string esp) => new()
    {
        Name = name,
        LocalAddrs = [IPAddress.Parse(local)],
        RemoteAddrs = [IPAddress.Parse(remote)],
        LocalPort = port,
        RemotePort = port,
        LocalNatTPort = port + 1,
        RemoteNatTPort = port + 1,
        Encap = true,
        Proposals = [ProposalParser.Parse(ike, SecurityProtocol.Ike, allowWeak: false).Transforms],
        Local = new AuthConfig(AuthKind.Psk, local),
        Remote = new AuthConfig(AuthKind.Psk, remote),
        Children =
        [
            new ChildConfig
            {
                Name = "net",
                LocalTs = [TrafficSelector.Subnet(localLan)],
                RemoteTs = [TrafficSelector.Subnet(remoteLan)],
                EspProposals = [ProposalParser.Parse(esp, SecurityProtocol.Esp, allowWeak: false).Transforms],
            },
        ],
    };

    /// <summary>Sends <paramref name="count"/> UDP packets each way and waits until all arrive; returns the count.</summary>
    private static async Task<int> Exchange(UserspaceDataPlane alice, UserspaceDataPlane bob, Lan aliceLan, Lan bobLan, int count)
    {
        aliceLan.Received.Clear();
        bobLan.Received.Clear();
        for (int i = 0; i < count; i++)
        {
            alice.SendInner(Packet("10.1.0.10", "10.2.0.20", i));
            bob.SendInner(Packet("10.2.0.20", "10.1.0.10", i));
        }

        await WaitUntil(() => Task.FromResult(aliceLan.Received.Count >= count && bobLan.Received.Count >= count)).ConfigureAwait(false);
        return Math.Min(aliceLan.Received.Count, bobLan.Received.Count);
    }

    private static byte[] Packet(string source, string destination, int i)
    {
        byte[] p = new byte[28 + 64];
        p[0] = 0x45;
        p[3] = (byte)p.Length;
        p[8] = 64;
        p[9] = 17;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(p, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(p, 16);
        p[21] = 7;
        p[23] = 9;
        p[25] = 72;
        p[28] = (byte)i;
        return p;
    }

    private static async Task<T> WaitFor<T>(ConcurrentQueue<IkeEvent> events)
        where T : IkeEvent
    {
        await WaitUntil(() => Task.FromResult(events.OfType<T>().Any())).ConfigureAwait(false);
        return events.OfType<T>().First();
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var until = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (until.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException("the demo did not reach its next step within 10 s");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
