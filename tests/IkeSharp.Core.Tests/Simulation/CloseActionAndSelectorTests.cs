using System.Net;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// swanctl.conf's close_action, the cause carried by deletion events (what close_action and
/// dpd_action = trap act on), "dynamic" traffic selectors, and the triggering packet's selectors
/// going first in an acquired negotiation (RFC 7296 §2.9).
/// </summary>
public class CloseActionAndSelectorTests
{
    private static Func<ConnectionConfig, ConnectionConfig> Child(Func<ChildConfig, ChildConfig> tweak) =>
        c => c with { Children = [tweak(c.Children[0])] };

    private static string[] Texts(IEnumerable<TrafficSelector> selectors) => [.. selectors.Select(s => s.ToString())];

    [Fact]
    public void Close_action_start_creates_the_child_sa_again_when_the_peer_deletes_it()
    {
        Pair p = Pair.Create(61, Child(ch => ch with { CloseAction = CloseAction.Start }));
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        uint first = p.Alice.Events.OfType<ChildSaInstalled>().Single().SpiIn;

        IkeSaInfo bobSa = p.Bob.Engine.IkeSas.Single();
        p.Bob.Engine.Execute(new DeleteChildSa(bobSa.SpiR, bobSa.Children.Single().SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();

        ChildSaDeleted deleted = p.Alice.Events.OfType<ChildSaDeleted>().Single();
        Assert.Equal(first, deleted.SpiIn);
        Assert.Equal(SaCloseCause.Peer, deleted.Cause);
        Assert.Equal(SaCloseCause.Local, p.Bob.Events.OfType<ChildSaDeleted>().Single().Cause);

        // Alice set it up again in the same IKE SA; both ends hold one, the same pair of SPIs.
        ChildSaInstalled again = p.Alice.Events.OfType<ChildSaInstalled>().Last();
        Assert.NotEqual(first, again.SpiIn);
        Assert.Single(p.Alice.Engine.IkeSas);
        Assert.Equal(again.SpiIn, p.Alice.Engine.IkeSas[0].Children.Single().SpiIn);
        Assert.Equal(again.SpiOut, p.Bob.Engine.IkeSas[0].Children.Single().SpiIn);
        Assert.Equal(2, p.Bob.Events.OfType<ChildSaInstalled>().Count());
    }

    [Fact]
    public void Close_action_none_leaves_the_child_sa_deleted()
    {
        Pair p = Pair.Create(62);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        IkeSaInfo bobSa = p.Bob.Engine.IkeSas.Single();
        p.Bob.Engine.Execute(new DeleteChildSa(bobSa.SpiR, bobSa.Children.Single().SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();

        Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>());
        Assert.Empty(p.Alice.Engine.IkeSas.Single().Children);
        Assert.Empty(p.Bob.Engine.IkeSas.Single().Children);
    }

    [Fact]
    public void Close_action_start_sets_the_connection_up_again_when_the_peer_deletes_the_ike_sa()
    {
        Pair p = Pair.Create(63, Child(ch => ch with { CloseAction = CloseAction.Start }));
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        ulong firstSpi = p.Alice.Engine.IkeSas.Single().SpiI;

        p.Bob.Engine.Execute(new DeleteIkeSa(p.Bob.Engine.IkeSas.Single().SpiR), p.Net.Now);
        p.Net.RunUntilQuiet();

        IkeSaDeleted deleted = p.Alice.Events.OfType<IkeSaDeleted>().Single();
        Assert.Equal(SaCloseCause.Peer, deleted.Cause);
        Assert.Equal(SaCloseCause.Peer, p.Alice.Events.OfType<ChildSaDeleted>().Single().Cause);
        Assert.Equal(2, p.Alice.Events.OfType<IkeSaEstablished>().Count());
        IkeSaInfo fresh = p.Alice.Engine.IkeSas.Single();
        Assert.NotEqual(firstSpi, fresh.SpiI);
        Assert.Single(fresh.Children);
        Assert.Equal(fresh.SpiI, p.Bob.Engine.IkeSas.Single().SpiI);
    }

    [Fact]
    public void A_peer_that_stops_answering_is_reported_as_a_dead_peer()
    {
        Pair p = Pair.Create(64, c => c with { DpdDelay = TimeSpan.FromSeconds(10) });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        p.Net.Loss = 1.0;
        p.Net.RunUntilQuiet(until: p.Net.Now + 200_000);

        // Running until quiet with DPD on passes many IKE rekeys first (each deletes the old SA as
        // Replaced); the SA that dies at last is the one the dead peer took.
        Assert.Empty(p.Alice.Engine.IkeSas);
        Assert.Equal(SaCloseCause.DeadPeer, p.Alice.Events.OfType<IkeSaDeleted>().Last().Cause);
        Assert.Equal(SaCloseCause.DeadPeer, p.Alice.Events.OfType<ChildSaDeleted>().Last().Cause);
        Assert.All(p.Alice.Events.OfType<IkeSaDeleted>().SkipLast(1), d => Assert.Equal(SaCloseCause.Replaced, d.Cause));
    }

    [Fact]
    public void Our_own_delete_and_a_rekey_are_not_taken_for_the_peer_closing()
    {
        Pair p = Pair.Create(65);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        IkeSaInfo sa = p.Alice.Engine.IkeSas.Single();
        p.Alice.Engine.Execute(new RekeyChildSa(sa.SpiI, sa.Children.Single().SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.All(p.Alice.Events.OfType<ChildSaDeleted>(), d => Assert.Equal(SaCloseCause.Replaced, d.Cause));
        Assert.All(p.Bob.Events.OfType<ChildSaDeleted>(), d => Assert.Equal(SaCloseCause.Replaced, d.Cause));

        p.Alice.Engine.Execute(new DeleteIkeSa(sa.SpiI), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Equal(SaCloseCause.Local, p.Alice.Events.OfType<IkeSaDeleted>().Single().Cause);
        Assert.Equal(SaCloseCause.Peer, p.Bob.Events.OfType<IkeSaDeleted>().Single().Cause);
    }

    [Fact]
    public void Dynamic_selectors_stand_for_the_ike_addresses_at_both_ends()
    {
        static ConnectionConfig Dynamic(ConnectionConfig c) =>
            c with { Children = [c.Children[0] with { LocalTs = [], RemoteTs = [], LocalTsDynamic = true, RemoteTsDynamic = true }] };
        Pair p = Pair.Create(66, Dynamic, Dynamic);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        ChildSaInstalled alice = p.Alice.Events.OfType<ChildSaInstalled>().Single();
        ChildSaInstalled bob = p.Bob.Events.OfType<ChildSaInstalled>().Single();
        Assert.Equal(["10.99.0.1/32"], Texts(alice.LocalTs));
        Assert.Equal(["10.99.0.2/32"], Texts(alice.RemoteTs));
        Assert.Equal(Texts(alice.LocalTs), Texts(bob.RemoteTs));
        Assert.Equal(Texts(alice.RemoteTs), Texts(bob.LocalTs));
    }

    [Fact]
    public void A_dynamic_responder_refuses_selectors_for_another_host()
    {
        // Bob's remote_ts = dynamic means Alice's address only; her 10.1.0.0/24 does not fit.
        Pair p = Pair.Create(67, null, c => c with { Children = [c.Children[0] with { RemoteTs = [], RemoteTsDynamic = true }] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Empty(p.Alice.Events.OfType<ChildSaInstalled>());
        Assert.Contains(p.Bob.Events.OfType<NegotiationFailed>(), f => f.Reason.Contains("10.99.0.1/32", StringComparison.Ordinal));
        Assert.Single(p.Alice.Engine.IkeSas);
    }

    [Fact]
    public void The_triggering_packet_leads_the_proposed_selectors_and_survives_narrowing()
    {
        var source = TrafficSelector.Range(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.7"), 6, 40000, 40000);
        var destination = TrafficSelector.Range(IPAddress.Parse("10.2.0.9"), IPAddress.Parse("10.2.0.9"), 6, 443, 443);

        // Bob allows only a narrower remote side than Alice proposes; the triggering host is inside it.
        Pair p = Pair.Create(68, null, c => c with { Children = [c.Children[0] with { RemoteTs = [TrafficSelector.Subnet("10.1.0.0/28")] }] });
        p.Alice.Engine.Execute(new Initiate("site-b", "net") { Trigger = new TriggeringPacket(source, destination) }, 0);
        p.Net.RunUntilQuiet();

        ChildSaInstalled alice = p.Alice.Events.OfType<ChildSaInstalled>().Single();
        ChildSaInstalled bob = p.Bob.Events.OfType<ChildSaInstalled>().Single();
        Assert.Equal(["10.1.0.7/32[tcp/40000]", "10.1.0.0/28"], Texts(alice.LocalTs));
        Assert.Equal(["10.2.0.9/32[tcp/443]", "10.2.0.0/24"], Texts(alice.RemoteTs));
        Assert.Equal(Texts(alice.LocalTs), Texts(bob.RemoteTs));
        Assert.Equal(Texts(alice.RemoteTs), Texts(bob.LocalTs));
    }

    [Fact]
    public void A_trigger_also_leads_a_child_sa_created_in_an_existing_ike_sa()
    {
        var source = TrafficSelector.Range(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.7"));
        var destination = TrafficSelector.Range(IPAddress.Parse("10.2.0.9"), IPAddress.Parse("10.2.0.9"));
        Pair p = Pair.Create(69);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        p.Alice.Engine.Execute(new CreateChildSa(p.Alice.Engine.IkeSas[0].SpiI, "net") { Trigger = new TriggeringPacket(source, destination) }, p.Net.Now);
        p.Net.RunUntilQuiet();

        ChildSaInstalled second = p.Bob.Events.OfType<ChildSaInstalled>().Last();
        Assert.Equal(2, p.Bob.Events.OfType<ChildSaInstalled>().Count());
        Assert.Equal(["10.1.0.7/32", "10.1.0.0/24"], Texts(second.RemoteTs));
        Assert.Equal(["10.2.0.9/32", "10.2.0.0/24"], Texts(second.LocalTs));
    }
}

public class EngineDisposeTests
{
    [Fact]
    public void Disposing_an_engine_forgets_every_sa_and_its_timers()
    {
        Pair p = Pair.Create(70);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 10_000);
        Assert.Equal(1, p.Alice.Engine.IkeSaCount);
        Assert.Equal(1, p.Alice.Engine.ChildSaCount);

        p.Alice.Engine.Dispose();
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
        Assert.Equal(0, p.Alice.Engine.ChildSaCount);
        Assert.Null(p.Alice.Engine.NextDeadline);
        Assert.False(p.Alice.Engine.TryPollTransmit(out _));
    }
}

public class EventOrderTests
{
    [Fact]
    public void Both_ends_report_the_ike_sa_established_before_the_child_sa_it_carries()
    {
        Pair p = Pair.Create(71);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 10_000);
        foreach (SimNode node in new[] { p.Alice, p.Bob })
        {
            List<IkeEvent> events = [.. node.Events];
            int established = events.FindIndex(e => e is IkeSaEstablished);
            int installed = events.FindIndex(e => e is ChildSaInstalled);
            Assert.True(established >= 0 && installed > established, string.Join(", ", events.Select(e => e.GetType().Name)));
        }
    }
}
