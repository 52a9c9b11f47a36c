using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// Deletes that cross other exchanges (RFC 7296 §1.4.1, §2.25): both ends delete at once, or one
/// rekeys while the other deletes. Whatever the interleaving, both ends end without the SA.
/// </summary>
public class DeleteCollisionTests
{
    public static TheoryData<string, long, long, long> Orderings => new()
    {
        { "at once, equal latency", 0, 10, 10 },
        { "at once, unequal latency", 0, 2, 40 },
        { "bob 3 ms later", 3, 5, 5 },
        { "bob 30 ms later", 30, 10, 10 },
    };

    private static Pair Established(int seed, long min, long max)
    {
        var net = new SimNetwork(seed) { MinDelay = min, MaxDelay = max };
        Pair p = Pair.Create(seed, net: net);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        net.RunUntilQuiet();
        return p;
    }

    private static void Later(Pair p, long delay, Action action)
    {
        if (delay > 0)
        {
            p.Net.RunUntilQuiet(until: p.Net.Now + delay);
        }

        action();
    }

    [Theory]
    [MemberData(nameof(Orderings))]
    public void Both_ends_delete_the_ike_sa_at_once(string ordering, long bobDelay, long min, long max)
    {
        for (int seed = 1; seed <= 100; seed++)
        {
            Pair p = Established(seed, min, max);
            p.Alice.Engine.Execute(new DeleteIkeSa(p.Alice.Engine.IkeSas[0].SpiI), p.Net.Now);
            Later(p, bobDelay, () =>
            {
                if (p.Bob.Engine.IkeSas.Count == 1 && p.Bob.Engine.IkeSas[0].State == Sa.IkeSaState.Established)
                {
                    p.Bob.Engine.Execute(new DeleteIkeSa(p.Bob.Engine.IkeSas[0].SpiR), p.Net.Now);
                }
            });
            p.Net.RunUntilQuiet();
            Assert.True(p.Alice.Engine.IkeSaCount == 0 && p.Bob.Engine.IkeSaCount == 0, $"{ordering}, seed {seed}: alice {p.Alice.Engine.IkeSaCount}, bob {p.Bob.Engine.IkeSaCount}");
            Assert.Single(p.Alice.Events.OfType<ChildSaDeleted>());
            Assert.Single(p.Bob.Events.OfType<ChildSaDeleted>());
        }
    }

    [Theory]
    [MemberData(nameof(Orderings))]
    public void A_child_rekey_crossing_a_delete_of_the_ike_sa_leaves_nothing(string ordering, long bobDelay, long min, long max)
    {
        for (int seed = 1; seed <= 100; seed++)
        {
            Pair p = Established(seed, min, max);
            p.Alice.Engine.Execute(new RekeyChildSa(p.Alice.Engine.IkeSas[0].SpiI, p.Alice.Engine.IkeSas[0].Children[0].SpiIn), p.Net.Now);
            Later(p, bobDelay, () =>
            {
                if (p.Bob.Engine.IkeSas.Count == 1 && p.Bob.Engine.IkeSas[0].State == Sa.IkeSaState.Established)
                {
                    p.Bob.Engine.Execute(new DeleteIkeSa(p.Bob.Engine.IkeSas[0].SpiR), p.Net.Now);
                }
            });
            p.Net.RunUntilQuiet();
            Assert.True(p.Alice.Engine.IkeSaCount == 0 && p.Bob.Engine.IkeSaCount == 0, $"{ordering}, seed {seed}: alice {p.Alice.Engine.IkeSaCount}, bob {p.Bob.Engine.IkeSaCount}");
        }
    }

    [Theory]
    [MemberData(nameof(Orderings))]
    public void Both_ends_delete_the_same_child_sa_at_once(string ordering, long bobDelay, long min, long max)
    {
        for (int seed = 1; seed <= 100; seed++)
        {
            Pair p = Established(seed, min, max);
            p.Alice.Engine.Execute(new DeleteChildSa(p.Alice.Engine.IkeSas[0].SpiI, p.Alice.Engine.IkeSas[0].Children[0].SpiIn), p.Net.Now);
            Later(p, bobDelay, () =>
            {
                if (p.Bob.Engine.IkeSas[0].Children.Count == 1)
                {
                    p.Bob.Engine.Execute(new DeleteChildSa(p.Bob.Engine.IkeSas[0].SpiR, p.Bob.Engine.IkeSas[0].Children[0].SpiIn), p.Net.Now);
                }
            });
            p.Net.RunUntilQuiet();
            Assert.True(p.Alice.Engine.IkeSas.Single().Children.Count == 0 && p.Bob.Engine.IkeSas.Single().Children.Count == 0, $"{ordering}, seed {seed}");
            Assert.Single(p.Alice.Events.OfType<ChildSaDeleted>());
            Assert.Single(p.Bob.Events.OfType<ChildSaDeleted>());
        }
    }

    [Fact]
    public void Transport_mode_is_negotiated_with_use_transport_mode()
    {
        Pair p = Pair.Create(40, c => c with { Children = [c.Children[0] with { Mode = IpsecMode.Transport }] }, c => c with { Children = [c.Children[0] with { Mode = IpsecMode.Transport }] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        Assert.Equal(IpsecMode.Transport, Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>()).Mode);
        Assert.Equal(IpsecMode.Transport, Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>()).Mode);

        // A responder configured for tunnel mode ignores the request and the initiator falls back to tunnel.
        Pair q = Pair.Create(41, c => c with { Children = [c.Children[0] with { Mode = IpsecMode.Transport }] });
        q.Alice.Engine.Execute(new Initiate("site-b"), 0);
        q.Net.RunUntilQuiet();
        Assert.Equal(IpsecMode.Tunnel, Assert.Single(q.Alice.Events.OfType<ChildSaInstalled>()).Mode);
        Assert.Equal(IpsecMode.Tunnel, Assert.Single(q.Bob.Events.OfType<ChildSaInstalled>()).Mode);
    }
}
