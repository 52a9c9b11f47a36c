using IkeSharp.Core.Engine;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>Byte and packet limits reported by the data plane (RFC 4301 §4.4.2.1): soft rekeys, hard deletes.</summary>
public class LifetimeLimitTests
{
    [Fact]
    public void Soft_limit_rekeys_the_child_sa_and_hard_limit_deletes_it_at_both_ends()
    {
        Pair p = Pair.Create(seed: 31);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        ChildSaInstalled first = Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>());

        p.Alice.Engine.Execute(new ChildSaLimitReached(first.SpiIn, Hard: false), p.Net.Now);
        p.Net.RunUntilQuiet();
        ChildSaRekeyed rekeyed = Assert.Single(p.Alice.Events.OfType<ChildSaRekeyed>());
        Assert.Equal(first.SpiIn, rekeyed.OldSpiIn);
        Assert.Equal(1, p.Alice.Engine.ChildSaCount);
        Assert.Equal(1, p.Bob.Engine.ChildSaCount);

        // A second soft report for the already replaced SA does nothing.
        p.Alice.Engine.Execute(new ChildSaLimitReached(first.SpiIn, Hard: false), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Single(p.Alice.Events.OfType<ChildSaRekeyed>());

        p.Alice.Engine.Execute(new ChildSaLimitReached(rekeyed.NewSpiIn, Hard: true), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Contains(p.Alice.Events.OfType<ChildSaDeleted>(), d => d.SpiIn == rekeyed.NewSpiIn);
        Assert.Contains(p.Bob.Events.OfType<ChildSaDeleted>(), d => d.SpiOut == rekeyed.NewSpiIn);
        Assert.Equal(0, p.Alice.Engine.ChildSaCount);
        Assert.Equal(0, p.Bob.Engine.ChildSaCount);
        Assert.Equal(1, p.Alice.Engine.IkeSaCount);
    }
}
