using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>reauth_time (RFC 7296 §2.8.3): a new IKE SA with fresh authentication replaces the old one.</summary>
public class ReauthenticationTests
{
    [Fact]
    public void Reauth_time_replaces_the_ike_sa_with_a_freshly_authenticated_one_carrying_the_child_sa()
    {
        static ConnectionConfig Reauth(ConnectionConfig c) => c with { RekeyTime = TimeSpan.Zero, ReauthTime = TimeSpan.FromMinutes(10) };
        static ConnectionConfig NoLifetimes(ConnectionConfig c) => c with { RekeyTime = TimeSpan.Zero };

        Pair p = Pair.Create(51, Reauth, NoLifetimes);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 60_000);
        IkeSaEstablished first = Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());

        // rand_time defaults to over_time (60 s), so the reauthentication comes between 9 and 10 minutes.
        p.Net.RunUntilQuiet(until: 11 * 60_000);

        Assert.Equal(2, p.Alice.Events.OfType<IkeSaEstablished>().Count());
        Assert.Equal(2, p.Bob.Events.OfType<IkeSaEstablished>().Count());
        Assert.Contains(p.Alice.Events.OfType<IkeSaDeleted>(), d => d.SpiI == first.SpiI);
        Assert.Contains(p.Bob.Events.OfType<IkeSaDeleted>(), d => d.SpiI == first.SpiI);
        IkeSaInfo alice = Assert.Single(p.Alice.Engine.IkeSas);
        IkeSaInfo bob = Assert.Single(p.Bob.Engine.IkeSas);
        Assert.NotEqual(first.SpiI, alice.SpiI);
        Assert.Equal((alice.SpiI, alice.SpiR), (bob.SpiI, bob.SpiR));
        Assert.Equal(Assert.Single(alice.Children).SpiIn, Assert.Single(bob.Children).SpiOut);
        Assert.Equal(2, p.Alice.Events.OfType<ChildSaInstalled>().Count());
    }
}
