using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;

namespace IkeSharp.Core.Tests.Simulation;

public class CreateChildSaTests
{
    private static Pair Established(int seed, Func<ConnectionConfig, ConnectionConfig>? tweak = null)
    {
        Pair p = Pair.Create(seed, tweak, tweak is null ? null : c => tweak(c) with { Children = [.. tweak(c).Children.Select(ch => ch with { LocalTs = ch.RemoteTs, RemoteTs = ch.LocalTs })] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());
        return p;
    }

    private static void AssertPairedKeys(ChildSaInstalled a, ChildSaInstalled b)
    {
        Assert.Equal(a.SpiOut, b.SpiIn);
        Assert.Equal(a.SpiIn, b.SpiOut);
        Assert.Equal(a.EncryptionKeyOut.ReadOnlySpan.ToArray(), b.EncryptionKeyIn.ReadOnlySpan.ToArray());
        Assert.Equal(a.EncryptionKeyIn.ReadOnlySpan.ToArray(), b.EncryptionKeyOut.ReadOnlySpan.ToArray());
    }

    private static ChildConfig Second(string localLan, string remoteLan, params Transform[][] esp) => new()
    {
        Name = "second",
        LocalTs = [TrafficSelector.Subnet(localLan)],
        RemoteTs = [TrafficSelector.Subnet(remoteLan)],
        EspProposals = esp.Length > 0 ? esp : [Pair.EspProposal],
    };

    [Fact]
    public void A_second_child_sa_is_created_with_create_child_sa()
    {
        Pair p = Pair.Create(7,
            c => c with { Children = [.. c.Children, Second("10.1.1.0/24", "10.2.1.0/24")] },
            c => c with { Children = [.. c.Children, Second("10.2.1.0/24", "10.1.1.0/24")] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        ulong spi = p.Alice.Engine.IkeSas[0].SpiI;

        p.Alice.Engine.Execute(new CreateChildSa(spi, "second"), p.Net.Now);
        p.Net.RunUntilQuiet();
        ChildSaInstalled a = p.Alice.Events.OfType<ChildSaInstalled>().Last();
        ChildSaInstalled b = p.Bob.Events.OfType<ChildSaInstalled>().Last();
        Assert.Equal("second", a.Child);
        Assert.Equal("second", b.Child);
        AssertPairedKeys(a, b);
        Assert.Equal("10.2.1.0/24", Assert.Single(a.RemoteTs).ToString());
        Assert.Equal(2, p.Alice.Engine.IkeSas[0].Children.Count);
        Assert.Equal(2, p.Bob.Engine.IkeSas[0].Children.Count);
    }

    [Fact]
    public void A_child_sa_with_pfs_runs_its_own_key_exchange()
    {
        Transform[] pfs = [.. Pair.EspProposal, Transform.KeyExchange(KeyExchangeMethod.Ecp256)];
        Pair p = Pair.Create(8,
            c => c with { Children = [.. c.Children, Second("10.1.1.0/24", "10.2.1.0/24", pfs)] },
            c => c with { Children = [.. c.Children, Second("10.2.1.0/24", "10.1.1.0/24", pfs)] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        p.Alice.Engine.Execute(new CreateChildSa(p.Alice.Engine.IkeSas[0].SpiI, "second"), p.Net.Now);
        p.Net.RunUntilQuiet();

        ChildSaInstalled a = p.Alice.Events.OfType<ChildSaInstalled>().Last();
        Assert.Equal("aes128gcm16-ecp256", a.Proposal);
        AssertPairedKeys(a, p.Bob.Events.OfType<ChildSaInstalled>().Last());
    }

    [Fact]
    public void Pfs_group_mismatch_is_resolved_by_invalid_ke_payload()
    {
        Transform[] alicePfs = [.. Pair.EspProposal, Transform.KeyExchange(KeyExchangeMethod.Ecp256), Transform.KeyExchange(KeyExchangeMethod.Ecp384)];
        Transform[] bobPfs = [.. Pair.EspProposal, Transform.KeyExchange(KeyExchangeMethod.Ecp384)];
        Pair p = Pair.Create(9,
            c => c with { Children = [.. c.Children, Second("10.1.1.0/24", "10.2.1.0/24", alicePfs)] },
            c => c with { Children = [.. c.Children, Second("10.2.1.0/24", "10.1.1.0/24", bobPfs)] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        p.Alice.Engine.Execute(new CreateChildSa(p.Alice.Engine.IkeSas[0].SpiI, "second"), p.Net.Now);
        p.Net.RunUntilQuiet();

        ChildSaInstalled a = p.Alice.Events.OfType<ChildSaInstalled>().Last();
        Assert.Equal("second", a.Child);
        Assert.Equal("aes128gcm16-ecp384", a.Proposal);
        AssertPairedKeys(a, p.Bob.Events.OfType<ChildSaInstalled>().Last());
    }

    [Fact]
    public void Rekeying_a_child_sa_installs_the_new_one_then_deletes_the_old_at_both_ends()
    {
        Pair p = Established(10);
        ulong spi = p.Alice.Engine.IkeSas[0].SpiI;
        ChildSaInstalled old = p.Alice.Events.OfType<ChildSaInstalled>().Single();

        p.Alice.Engine.Execute(new RekeyChildSa(spi, old.SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();

        ChildSaRekeyed rekeyed = Assert.Single(p.Alice.Events.OfType<ChildSaRekeyed>());
        Assert.Equal(old.SpiIn, rekeyed.OldSpiIn);
        Assert.Single(p.Bob.Events.OfType<ChildSaRekeyed>());
        ChildSaInstalled a = p.Alice.Events.OfType<ChildSaInstalled>().Last();
        ChildSaInstalled b = p.Bob.Events.OfType<ChildSaInstalled>().Last();
        AssertPairedKeys(a, b);
        Assert.NotEqual(old.EncryptionKeyOut.ReadOnlySpan.ToArray(), a.EncryptionKeyOut.ReadOnlySpan.ToArray());
        Assert.Equal("10.2.0.0/24", Assert.Single(a.RemoteTs).ToString());

        Assert.Equal(a.SpiIn, Assert.Single(p.Alice.Engine.IkeSas[0].Children).SpiIn);
        Assert.Equal(b.SpiIn, Assert.Single(p.Bob.Engine.IkeSas[0].Children).SpiIn);
        Assert.Equal("rekeyed", Assert.Single(p.Alice.Events.OfType<ChildSaDeleted>()).Reason);
        Assert.Equal("rekeyed", Assert.Single(p.Bob.Events.OfType<ChildSaDeleted>()).Reason);
    }

    [Fact]
    public void The_responder_can_rekey_a_child_sa_too()
    {
        Pair p = Established(11);
        uint bobIn = p.Bob.Events.OfType<ChildSaInstalled>().Single().SpiIn;
        p.Bob.Engine.Execute(new RekeyChildSa(p.Bob.Engine.IkeSas[0].SpiR, bobIn), p.Net.Now);
        p.Net.RunUntilQuiet();

        AssertPairedKeys(p.Alice.Events.OfType<ChildSaInstalled>().Last(), p.Bob.Events.OfType<ChildSaInstalled>().Last());
        Assert.Single(p.Alice.Engine.IkeSas[0].Children);
        Assert.Single(p.Bob.Engine.IkeSas[0].Children);
        Assert.NotEqual(bobIn, p.Bob.Engine.IkeSas[0].Children[0].SpiIn);
    }

    [Fact]
    public void Rekeying_the_ike_sa_moves_the_child_sas_and_deletes_the_old_ike_sa()
    {
        Pair p = Established(12);
        IkeSaInfo before = p.Alice.Engine.IkeSas.Single();
        p.Alice.Engine.Execute(new RekeyIkeSa(before.SpiI), p.Net.Now);
        p.Net.RunUntilQuiet();

        IkeSaRekeyed a = Assert.Single(p.Alice.Events.OfType<IkeSaRekeyed>());
        IkeSaRekeyed b = Assert.Single(p.Bob.Events.OfType<IkeSaRekeyed>());
        Assert.Equal((a.NewSpiI, a.NewSpiR), (b.NewSpiI, b.NewSpiR));
        Assert.NotEqual(before.SpiI, a.NewSpiI);

        IkeSaInfo alice = Assert.Single(p.Alice.Engine.IkeSas);
        IkeSaInfo bob = Assert.Single(p.Bob.Engine.IkeSas);
        Assert.Equal(a.NewSpiI, alice.SpiI);
        Assert.Equal(a.NewSpiR, bob.SpiR);
        Assert.Equal(before.Children.Single().SpiIn, alice.Children.Single().SpiIn);
        Assert.Empty(p.Alice.Events.OfType<ChildSaDeleted>());
        Assert.Empty(p.Bob.Events.OfType<ChildSaDeleted>());

        // The new IKE SA works: a Child SA rekey and a liveness check through it.
        p.Alice.Engine.Execute(new RekeyChildSa(alice.SpiI, alice.Children[0].SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();
        AssertPairedKeys(p.Alice.Events.OfType<ChildSaInstalled>().Last(), p.Bob.Events.OfType<ChildSaInstalled>().Last());
        Assert.Single(p.Alice.Engine.IkeSas.Single().Children);
        Assert.Single(p.Bob.Engine.IkeSas.Single().Children);
    }

    [Fact]
    public void The_responder_can_rekey_the_ike_sa_and_becomes_its_initiator()
    {
        Pair p = Established(13);
        p.Bob.Engine.Execute(new RekeyIkeSa(p.Bob.Engine.IkeSas[0].SpiR), p.Net.Now);
        p.Net.RunUntilQuiet();

        Assert.True(Assert.Single(p.Bob.Engine.IkeSas).IsInitiator);
        Assert.False(Assert.Single(p.Alice.Engine.IkeSas).IsInitiator);
        p.Alice.Engine.Execute(new CheckLiveness(p.Alice.Engine.IkeSas[0].SpiR), p.Net.Now);
        int sent = p.Net.Sent;
        p.Net.RunUntilQuiet();
        Assert.Equal(sent + 2, p.Net.Sent);
        Assert.Empty(p.Alice.Engine.Dropped);
        Assert.Empty(p.Bob.Engine.Dropped);
    }

    [Fact]
    public void Deleting_a_child_sa_leaves_the_ike_sa()
    {
        Pair p = Established(14);
        ChildSaInstalled old = p.Alice.Events.OfType<ChildSaInstalled>().Single();
        p.Alice.Engine.Execute(new DeleteChildSa(p.Alice.Engine.IkeSas[0].SpiI, old.SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Empty(p.Alice.Engine.IkeSas[0].Children);
        Assert.Empty(p.Bob.Engine.IkeSas[0].Children);
        Assert.Equal("deleted by us", Assert.Single(p.Alice.Events.OfType<ChildSaDeleted>()).Reason);
        Assert.Equal("deleted by the peer", Assert.Single(p.Bob.Events.OfType<ChildSaDeleted>()).Reason);
    }

    [Fact]
    public void Lifetimes_rekey_child_and_ike_sas_before_they_expire()
    {
        static ConnectionConfig Short(ConnectionConfig c) => c with
        {
            RekeyTime = TimeSpan.FromSeconds(40),
            Children = [c.Children[0] with { RekeyTime = TimeSpan.FromSeconds(10) }],
        };

        Pair p = Pair.Create(15, Short, Short);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 125_000);

        Assert.True(p.Alice.Events.OfType<ChildSaRekeyed>().Count() + p.Bob.Events.OfType<ChildSaRekeyed>().Count() >= 10);
        Assert.True(p.Alice.Events.OfType<IkeSaRekeyed>().Count() >= 2);
        Assert.DoesNotContain(p.Alice.Events.OfType<IkeSaDeleted>(), e => e.Reason != "rekeyed");
        Assert.DoesNotContain(p.Bob.Events.OfType<IkeSaDeleted>(), e => e.Reason != "rekeyed");
        Assert.DoesNotContain(p.Alice.Events.OfType<ChildSaDeleted>(), e => e.Reason != "rekeyed");

        IkeSaInfo alice = Assert.Single(p.Alice.Engine.IkeSas);
        IkeSaInfo bob = Assert.Single(p.Bob.Engine.IkeSas);
        Assert.Equal((alice.SpiI, alice.SpiR), (bob.SpiI, bob.SpiR));
        Assert.Equal(alice.Children.Select(c => (c.SpiIn, c.SpiOut)).Order(), bob.Children.Select(c => (c.SpiOut, c.SpiIn)).Order());
        Assert.NotEmpty(alice.Children);
    }
}
