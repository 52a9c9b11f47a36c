using IkeSharp.Core.Engine;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// Simultaneous Child SA rekeys (RFC 7296 §2.8.1): both ends rekey the same Child SA; whichever way
/// the four messages interleave, both must end with the same single Child SA, the one not made
/// with the lowest of the four nonces.
/// </summary>
public class RekeyCollisionTests
{
    /// <summary>Orderings: requests crossing on the wire, or one exchange finishing before the other request arrives.</summary>
    public static TheoryData<string, long, long, long> Orderings => new()
    {
        { "requests cross, equal latency", 0, 10, 10 },
        { "requests cross, bob's exchange slower", 0, 5, 40 },
        { "alice finishes first, then bob's request", 0, 1, 1 },
        { "bob starts 3 ms later", 3, 5, 5 },
        { "bob starts 30 ms later, after alice's request arrived", 30, 10, 10 },
    };

    [Theory]
    [MemberData(nameof(Orderings))]
    public void Simultaneous_child_rekeys_leave_one_child_sa_at_both_ends(string ordering, long bobDelay, long minLatency, long maxLatency)
    {
        int collisions = 0;
        for (int seed = 1; seed <= 200; seed++)
        {
            var net = new SimNetwork(seed) { MinDelay = minLatency, MaxDelay = maxLatency };
            Pair p = Pair.Create(seed, net: net);
            p.Alice.Engine.Execute(new Initiate("site-b"), 0);
            net.RunUntilQuiet();
            uint aliceIn = p.Alice.Engine.IkeSas[0].Children[0].SpiIn;
            uint bobIn = p.Bob.Engine.IkeSas[0].Children[0].SpiIn;

            long t = net.Now;
            p.Alice.Engine.Execute(new RekeyChildSa(p.Alice.Engine.IkeSas[0].SpiI, aliceIn), t);
            if (bobDelay == 0)
            {
                p.Bob.Engine.Execute(new RekeyChildSa(p.Bob.Engine.IkeSas[0].SpiR, bobIn), t);
            }
            else
            {
                net.RunUntilQuiet(until: t + bobDelay);
                if (p.Bob.Engine.IkeSas[0].Children.Any(c => c.SpiIn == bobIn))
                {
                    try
                    {
                        p.Bob.Engine.Execute(new RekeyChildSa(p.Bob.Engine.IkeSas[0].SpiR, bobIn), net.Now);
                    }
                    catch (ArgumentException)
                    {
                        // Bob already answered Alice's rekey: the old Child SA is marked rekeyed, no collision.
                    }
                }
            }

            net.RunUntilQuiet();
            var alice = p.Alice.Engine.IkeSas.Single().Children.Select(c => (c.SpiIn, c.SpiOut)).ToList();
            var bob = p.Bob.Engine.IkeSas.Single().Children.Select(c => (c.SpiOut, c.SpiIn)).ToList();
            Assert.True(alice.Count == 1 && bob.Count == 1 && alice[0] == bob[0],
                $"seed {seed}: alice {string.Join(",", alice)} bob {string.Join(",", bob)}");
            Assert.DoesNotContain(alice, c => c.SpiIn == aliceIn);
            if (p.Alice.Events.OfType<ChildSaInstalled>().Count() == 3)
            {
                collisions++;
            }
        }

        // When both start together, every run is a real collision: two new Child SAs per end, one deleted.
        if (bobDelay == 0)
        {
            Assert.True(collisions == 200, $"{ordering}: only {collisions} of 200 runs collided");
        }
    }

    [Theory]
    [MemberData(nameof(Orderings))]
    public void Simultaneous_ike_rekeys_leave_one_ike_sa_with_the_child_sa_at_both_ends(string ordering, long bobDelay, long minLatency, long maxLatency)
    {
        int collisions = 0;
        for (int seed = 1; seed <= 200; seed++)
        {
            var net = new SimNetwork(seed) { MinDelay = minLatency, MaxDelay = maxLatency };
            Pair p = Pair.Create(seed, net: net);
            p.Alice.Engine.Execute(new Initiate("site-b"), 0);
            net.RunUntilQuiet();
            (uint In, uint Out) child = (p.Alice.Engine.IkeSas[0].Children[0].SpiIn, p.Alice.Engine.IkeSas[0].Children[0].SpiOut);

            long t = net.Now;
            p.Alice.Engine.Execute(new RekeyIkeSa(p.Alice.Engine.IkeSas[0].SpiI), t);
            if (bobDelay > 0)
            {
                net.RunUntilQuiet(until: t + bobDelay);
            }

            if (p.Bob.Engine.IkeSas.Count == 1)
            {
                p.Bob.Engine.Execute(new RekeyIkeSa(p.Bob.Engine.IkeSas[0].SpiR), net.Now);
            }

            net.RunUntilQuiet();
            Assert.True(p.Alice.Engine.IkeSas.Count == 1 && p.Bob.Engine.IkeSas.Count == 1,
                $"{ordering}, seed {seed}: alice {string.Join(" ", p.Alice.Engine.IkeSas.Select(s => $"{s.SpiI:x}/{s.SpiR:x}:{s.State}:{s.Children.Count}"))} " +
                $"bob {string.Join(" ", p.Bob.Engine.IkeSas.Select(s => $"{s.SpiI:x}/{s.SpiR:x}:{s.State}:{s.Children.Count}"))} " +
                $"alice events {string.Join(",", p.Alice.Events.Select(e => e.GetType().Name))} bob events {string.Join(",", p.Bob.Events.Select(e => e.GetType().Name))} dropped {string.Join(",", p.Alice.Engine.Dropped.Concat(p.Bob.Engine.Dropped))}");
            IkeSaInfo alice = Assert.Single(p.Alice.Engine.IkeSas);
            IkeSaInfo bob = Assert.Single(p.Bob.Engine.IkeSas);
            Assert.True((alice.SpiI, alice.SpiR) == (bob.SpiI, bob.SpiR), $"{ordering}, seed {seed}: alice {alice.SpiI:x}/{alice.SpiR:x}, bob {bob.SpiI:x}/{bob.SpiR:x}");
            Assert.Equal(child, (alice.Children.Single().SpiIn, alice.Children.Single().SpiOut));
            Assert.Equal((child.Out, child.In), (bob.Children.Single().SpiIn, bob.Children.Single().SpiOut));

            // A request that crosses the Delete of its IKE SA may arrive after the SA is gone: dropping it is right.
            Assert.True(p.Alice.Engine.Dropped.Keys.All(k => k == "unknown IKE SPI"), $"{ordering}, seed {seed}: dropped {string.Join(", ", p.Alice.Engine.Dropped)}");
            if (p.Alice.Events.OfType<IkeSaDeleted>().Count() + p.Bob.Events.OfType<IkeSaDeleted>().Count() >= 3)
            {
                collisions++;
            }
        }

        // With requests crossing at equal latency, every run is a collision: a redundant IKE SA is made
        // and removed (by its creator, or after the grace period when the creator never saw its rekey
        // complete). With unequal latency one rekey may finish before the other request arrives.
        if (bobDelay == 0 && minLatency == maxLatency)
        {
            Assert.True(collisions == 200, $"{ordering}: only {collisions} of 200 runs collided");
        }
    }
}
