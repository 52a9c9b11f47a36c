using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>Trap policies: start_action = trap and close_action = trap, acquires and their hold-back.</summary>
public class TrapPolicyTests
{
    private static IpPacketInfo Info(byte[] packet)
    {
        Assert.True(IpPacketInfo.TryRead(packet, out IpPacketInfo info));
        return info;
    }

    [Fact]
    public void A_packet_inside_a_trap_acquires_once_until_the_negotiation_ends_or_the_hold_passes()
    {
        long now = 1000;
        var traps = new TrapPolicies(() => now);
        var acquires = new List<Acquire>();
        traps.Acquired += acquires.Add;
        Assert.True(traps.Install("gw", "net", [TrafficSelector.Subnet("10.1.0.0/24")], [TrafficSelector.Subnet("10.2.0.0/24")]));

        byte[] packet = UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 10, 1);
        Assert.True(traps.Match(Info(packet)));
        Assert.True(traps.Match(Info(packet)));
        Acquire acquire = Assert.Single(acquires);
        Assert.Equal(("gw", "net"), (acquire.Connection, acquire.Child));
        Assert.Equal("10.1.0.5/32[udp/40000]", acquire.Trigger.Source.ToString());
        Assert.Equal("10.2.0.7/32[udp/9]", acquire.Trigger.Destination.ToString());

        // Outside the trap: no match, no acquire.
        Assert.False(traps.Match(Info(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.3.0.7", 10, 1))));
        Assert.False(traps.Match(Info(UserspaceDataPlaneTests.Udp4("10.9.0.5", "10.2.0.7", 10, 1))));

        traps.Completed("gw", "net");
        Assert.True(traps.Match(Info(packet)));
        Assert.Equal(2, acquires.Count);

        // No word from the negotiation: after the hold time the next packet tries again.
        now += TrapPolicies.AcquireHoldMs - 1;
        traps.Match(Info(packet));
        Assert.Equal(2, acquires.Count);
        now += 1;
        traps.Match(Info(packet));
        Assert.Equal(3, acquires.Count);

        Assert.Single(traps.Remove("gw"));
        Assert.False(traps.Match(Info(packet)));
        Assert.Empty(traps.Installed);
    }

    [Fact]
    public void A_trap_without_selectors_on_one_side_is_refused()
    {
        var traps = new TrapPolicies(() => 0);
        Assert.False(traps.Install("gw", "net", [], [TrafficSelector.Subnet("10.2.0.0/24")]));
        Assert.Empty(traps.Installed);
    }

    [Fact]
    public async Task Start_action_trap_sets_the_tunnel_up_on_the_first_packet_with_its_flow_first()
    {
        var aliceInner = new UserspaceDataPlaneTests.QueueInterface();
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        UserspaceDataPlane? alicePlane = null;
        await using LoopbackPair p = LoopbackPair.Start(21760,
            aliceTweak: c => c with { Encap = true, Children = [c.Children[0] with { StartAction = StartAction.Trap }] },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(aliceInner, host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));

        // The trap is in place with its route, and nothing is negotiated before traffic.
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(alicePlane!.Traps.Installed.Count == 1));
        Assert.Contains("+10.2.0.0/24", aliceInner.Routes);
        Assert.Empty(await p.Alice.StatusRowsAsync());
        Control.ControlReply status = await p.Alice.StatusAsync();
        Assert.Contains("to-bob/net: TRAP, 10.1.0.0/24 === 10.2.0.0/24", status.Message, StringComparison.Ordinal);
        using (var json = System.Text.Json.JsonDocument.Parse(status.StatusJson!))
        {
            System.Text.Json.JsonElement trap = Assert.Single(json.RootElement.GetProperty("trap_policies").EnumerateArray().ToArray());
            Assert.Equal("net", trap.GetProperty("child").GetString());
            Assert.Equal("10.2.0.0/24", trap.GetProperty("remote_ts").GetString());
        }

        byte[] first = UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 20, 1);
        Assert.False(alicePlane!.SendInner(first));
        Assert.Equal(1, alicePlane.TrappedPackets);
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(p.AliceEvents.OfType<ChildSaInstalled>().Any()));

        ChildSaInstalled installed = p.AliceEvents.OfType<ChildSaInstalled>().Single();
        Assert.Equal("10.1.0.5/32[udp/40000]", installed.LocalTs[0].ToString());
        Assert.Equal("10.2.0.7/32[udp/9]", installed.RemoteTs[0].ToString());
        Assert.Contains(installed.LocalTs, t => t.ToString() == "10.1.0.0/24");

        // Now the flow, and the rest of the subnet, go through the tunnel; the trap stays for later.
        Assert.True(alicePlane.SendInner(first));
        Assert.True(alicePlane.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.9", "10.2.0.3", 20, 2)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 2));
        Assert.Single(alicePlane.Traps.Installed);
        Assert.Single(p.AliceEvents.OfType<IkeSaEstablished>());
    }

    [Fact]
    public async Task Close_action_trap_leaves_a_trap_that_brings_the_child_sa_back_on_traffic()
    {
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        UserspaceDataPlane? alicePlane = null;
        await using LoopbackPair p = LoopbackPair.Start(21770,
            aliceTweak: c => c with { Encap = true, Children = [c.Children[0] with { CloseAction = CloseAction.Trap }] },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(new UserspaceDataPlaneTests.QueueInterface(), host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        Assert.Empty(alicePlane!.Traps.Installed);

        // Bob closes the Child SA: Alice keeps a trap for it instead.
        IkeSaInfo bobSa = (await p.Bob.Host.InvokeAsync((e, _) => e.IkeSas)).Single();
        await p.Bob.Host.InvokeAsync((e, now) => { e.Execute(new DeleteChildSa(bobSa.SpiR, bobSa.Children[0].SpiIn), now); return 0; });
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(alicePlane.Traps.Installed.Count == 1));
        Assert.Equal(SaCloseCause.Peer, p.AliceEvents.OfType<ChildSaDeleted>().Single().Cause);

        Assert.False(alicePlane.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 20, 1)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(p.AliceEvents.OfType<ChildSaInstalled>().Count() == 2));
        Assert.True(alicePlane.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 20, 2)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 1));

        // In the same IKE SA, created with CREATE_CHILD_SA.
        Assert.Single(p.AliceEvents.OfType<IkeSaEstablished>());
    }
}
