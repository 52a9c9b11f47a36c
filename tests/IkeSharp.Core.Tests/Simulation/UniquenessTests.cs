using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>INITIAL_CONTACT (RFC 7296 §2.4) and strongSwan's unique policy, seen from the responder.</summary>
public class UniquenessTests
{
    private static Pair TwoSas(int seed, UniquePolicy bobPolicy, bool aliceSendsInitialContact)
    {
        Pair p = Pair.Create(seed, c => c with { SendInitialContact = aliceSendsInitialContact }, c => c with { Unique = bobPolicy });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
        p.Net.RunUntilQuiet();
        return p;
    }

    [Fact]
    public void Initial_contact_replaces_the_older_sa_by_default()
    {
        Pair p = TwoSas(30, UniquePolicy.No, aliceSendsInitialContact: true);
        Assert.Single(p.Bob.Engine.IkeSas);
        Assert.Equal(p.Bob.Events.OfType<IkeSaEstablished>().Last().SpiR, p.Bob.Engine.IkeSas[0].SpiR);
        Assert.Contains(p.Bob.Events.OfType<IkeSaDeleted>(), e => e.Reason.Contains("INITIAL_CONTACT", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_initial_contact_both_are_kept_as_a_load_generator_needs()
    {
        Pair p = TwoSas(31, UniquePolicy.No, aliceSendsInitialContact: false);
        Assert.Equal(2, p.Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void Unique_never_ignores_initial_contact()
    {
        Assert.Equal(2, TwoSas(32, UniquePolicy.Never, aliceSendsInitialContact: true).Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void Unique_replace_deletes_the_old_sa_with_a_delete_the_peer_sees()
    {
        Pair p = TwoSas(33, UniquePolicy.Replace, aliceSendsInitialContact: false);
        Assert.Single(p.Bob.Engine.IkeSas);
        Assert.Single(p.Alice.Engine.IkeSas);
        Assert.Equal(p.Alice.Engine.IkeSas[0].SpiI, p.Bob.Engine.IkeSas[0].SpiI);
    }

    [Fact]
    public void Unique_keep_refuses_the_second_sa()
    {
        Pair p = TwoSas(34, UniquePolicy.Keep, aliceSendsInitialContact: false);
        Assert.Single(p.Bob.Engine.IkeSas);
        Assert.Equal(p.Bob.Events.OfType<IkeSaEstablished>().First().SpiR, p.Bob.Engine.IkeSas[0].SpiR);
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Contains(p.Alice.Events.OfType<AuthFailed>(), e => e.Reason.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal));
    }

    [Fact]
    public void Dpd_action_restart_brings_the_connection_back_after_the_peer_vanishes()
    {
        Pair p = Pair.Create(35, c => c with { DpdDelay = TimeSpan.FromSeconds(10), Children = [c.Children[0] with { DpdAction = DpdAction.Restart }] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        // The link dies while Bob deletes his side: he gives up on his Delete and forgets the SA;
        // Alice's liveness checks go unanswered too.
        p.Bob.Engine.Execute(new DeleteIkeSa(p.Bob.Engine.IkeSas[0].SpiR), p.Net.Now);
        p.Net.Loss = 1.0;
        p.Net.RunUntilQuiet(until: p.Net.Now + 170_000);
        p.Net.Loss = 0;
        Assert.Empty(p.Bob.Engine.IkeSas);
        Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());
        p.Net.RunUntilQuiet(until: p.Net.Now + 400_000);

        Assert.Equal(2, p.Alice.Events.OfType<IkeSaEstablished>().Count());
        Assert.Single(p.Alice.Engine.IkeSas);
        Assert.Single(p.Bob.Engine.IkeSas);
        Assert.Equal(p.Alice.Engine.IkeSas[0].SpiI, p.Bob.Engine.IkeSas[0].SpiI);
    }
}
