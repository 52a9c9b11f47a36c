using IkeSharp.Daemon.Control;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>
/// A remote selector that covers the IKE peer (a 0.0.0.0/0 full tunnel) must not capture the peer's
/// own IKE and ESP: the data plane asks the clear side to keep the peer outside before it routes the
/// selector, and lets go of it after the last route that needed it (strongSwan's exclude route).
/// </summary>
public class PeerExclusionTests
{
    private static LoopbackPair Pair(int port, string aliceRemoteTs, UserspaceDataPlaneTests.QueueInterface aliceInner, UserspaceDataPlaneTests.QueueInterface bobInner) =>
        LoopbackPair.Start(port,
            aliceTweak: c => c with { Encap = true, Children = [c.Children[0] with { RemoteTs = [TrafficSelector.Subnet(aliceRemoteTs)] }] },
            bobTweak: c => c with { Children = [c.Children[0] with { LocalTs = [TrafficSelector.Subnet(aliceRemoteTs)] }] },
            aliceDataPlane: host => new UserspaceDataPlane(aliceInner, host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));

    /// <summary>
    /// Waits until at least <paramref name="count"/> route changes were made (they follow the SA's
    /// events, on the daemon's threads), then a little longer, so one too many would show too.
    /// </summary>
    private static async Task Settled(UserspaceDataPlaneTests.QueueInterface inner, int count)
    {
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(inner.Routes.Count >= count));
        await Task.Delay(100);
    }

    [Fact]
    public async Task A_full_tunnel_keeps_the_peer_outside_before_its_route_and_lets_go_after_it()
    {
        var aliceInner = new UserspaceDataPlaneTests.QueueInterface();
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        await using LoopbackPair p = Pair(21830, "0.0.0.0/0", aliceInner, bobInner);

        ControlReply up = await p.Alice.UpAsync("to-bob", 10);
        Assert.True(up.Ok, up.Message);
        await Settled(aliceInner, 2);
        Assert.Equal(["!127.0.0.2", "+0.0.0.0/0"], aliceInner.Routes);

        // Bob's remote selector (10.1.0.0/24) does not hold Alice's address: no exclusion there.
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(!bobInner.Routes.IsEmpty));
        Assert.Equal(["+10.1.0.0/24"], bobInner.Routes);

        ControlReply down = await p.Alice.DownAsync("to-bob", 10);
        Assert.True(down.Ok, down.Message);
        await Settled(aliceInner, 4);
        Assert.Equal(["!127.0.0.2", "+0.0.0.0/0", "-0.0.0.0/0", "~127.0.0.2"], aliceInner.Routes);
    }

    [Fact]
    public async Task A_rekeyed_full_tunnel_keeps_one_exclusion_until_the_last_sa_goes()
    {
        var aliceInner = new UserspaceDataPlaneTests.QueueInterface();
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        await using LoopbackPair p = Pair(21840, "0.0.0.0/0", aliceInner, bobInner);
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);

        // A Child SA rekey overlaps the old and the new SA: the route and the exclusion are shared, not redone.
        ControlReply rekey = await p.Alice.RekeyAsync("to-bob", child: true);
        Assert.True(rekey.Ok, rekey.Message);
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(p.AliceEvents.OfType<Core.Engine.ChildSaDeleted>().Any()));

        Assert.True((await p.Alice.DownAsync("to-bob", 10)).Ok);
        await Settled(aliceInner, 4);
        Assert.Equal(["!127.0.0.2", "+0.0.0.0/0", "-0.0.0.0/0", "~127.0.0.2"], aliceInner.Routes);
    }

    [Fact]
    public async Task A_selector_that_is_the_peer_alone_gets_no_route_into_the_tunnel()
    {
        var aliceInner = new UserspaceDataPlaneTests.QueueInterface();
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        await using LoopbackPair p = Pair(21850, "127.0.0.2/32", aliceInner, bobInner);
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);

        // Its IKE and ESP would enter the tunnel they carry: only the exclusion, as strongSwan's kernel-libipsec refuses the route.
        await Settled(aliceInner, 1);
        Assert.Equal(["!127.0.0.2"], aliceInner.Routes);
        Assert.True((await p.Alice.DownAsync("to-bob", 10)).Ok);
        await Settled(aliceInner, 2);
        Assert.Equal(["!127.0.0.2", "~127.0.0.2"], aliceInner.Routes);
    }

    /// <summary>Sends nothing: the trap tests below only install and remove policies.</summary>
    private sealed class NoTransport : IEspTransport
    {
        public bool SendUdp(IPEndPoint local, System.Net.SocketAddress remote, ReadOnlySpan<byte> esp) => false;

        public int SendUdp(IPEndPoint local, IkeSharp.Daemon.Transport.DatagramBatch batch) => 0;

        public bool SendRaw(System.Net.SocketAddress remote, ReadOnlySpan<byte> esp) => false;
    }

    [Fact]
    public void A_full_tunnel_trap_keeps_the_connections_peers_outside_until_it_is_removed()
    {
        var inner = new UserspaceDataPlaneTests.QueueInterface();
        using var plane = new UserspaceDataPlane(inner, new NoTransport(), new Crypto.SystemRandom(), NullLogger.Instance);

        // remote_addrs holds one peer inside 0.0.0.0/0 and one IPv6 peer outside every selector.
        Assert.True(plane.InstallTrap("gw", "net", [TrafficSelector.Subnet("10.1.0.0/24")], [TrafficSelector.Subnet("0.0.0.0/0")],
            [IPAddress.Parse("203.0.113.9"), IPAddress.Parse("2001:db8::9")]));
        Assert.Equal(["!203.0.113.9", "+0.0.0.0/0"], inner.Routes);

        plane.RemoveTraps("gw");
        Assert.Equal(["!203.0.113.9", "+0.0.0.0/0", "-0.0.0.0/0", "~203.0.113.9"], inner.Routes);
    }
}
