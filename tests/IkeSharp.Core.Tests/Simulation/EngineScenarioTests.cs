using IkeSharp.Core.Engine;
using IkeSharp.Core.Sa;

namespace IkeSharp.Core.Tests.Simulation;

public class EngineScenarioTests
{
    [Fact]
    public void Psk_site_to_site_establishes_with_matching_child_sas_and_keys()
    {
        Pair p = Pair.Create(seed: 1);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        IkeSaEstablished a = Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());
        IkeSaEstablished b = Assert.Single(p.Bob.Events.OfType<IkeSaEstablished>());
        Assert.Equal((a.SpiI, a.SpiR), (b.SpiI, b.SpiR));
        Assert.True(a.IsInitiator);
        Assert.False(b.IsInitiator);
        Assert.Equal("aes128gcm16-prfsha256-x25519", a.Proposal);
        Assert.Equal("10.99.0.2", a.RemoteId);
        Assert.Equal("10.99.0.1", b.RemoteId);

        ChildSaInstalled ca = Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>());
        ChildSaInstalled cb = Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Equal(ca.SpiOut, cb.SpiIn);
        Assert.Equal(ca.SpiIn, cb.SpiOut);
        Assert.Equal(ca.EncryptionKeyOut.ReadOnlySpan.ToArray(), cb.EncryptionKeyIn.ReadOnlySpan.ToArray());
        Assert.Equal(ca.EncryptionKeyIn.ReadOnlySpan.ToArray(), cb.EncryptionKeyOut.ReadOnlySpan.ToArray());
        Assert.NotEqual(ca.EncryptionKeyIn.ReadOnlySpan.ToArray(), ca.EncryptionKeyOut.ReadOnlySpan.ToArray());
        Assert.Equal(20, ca.EncryptionKeyOut.Length);
        Assert.Equal("10.1.0.0/24", Assert.Single(ca.LocalTs).ToString());
        Assert.Equal("10.2.0.0/24", Assert.Single(ca.RemoteTs).ToString());
        Assert.Equal("10.2.0.0/24", Assert.Single(cb.LocalTs).ToString());
        Assert.Equal(IkeSaState.Established, Assert.Single(p.Alice.Engine.IkeSas).State);
        Assert.Equal(4, p.Net.Sent);   // two exchanges, no retransmission
        Assert.Empty(p.Alice.Engine.Dropped);
        Assert.Empty(p.Bob.Engine.Dropped);
    }

    [Fact]
    public void Wrong_psk_fails_authentication_and_installs_nothing_at_either_end()
    {
        Pair p = Pair.Create(seed: 2, bobPsk: "another-secret-entirely");
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Contains(p.Bob.Events.OfType<AuthFailed>(), e => e.Reason.Contains("does not verify", StringComparison.Ordinal));
        Assert.Contains(p.Alice.Events.OfType<AuthFailed>(), e => e.Reason.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal));
        Assert.Empty(p.Alice.Events.OfType<ChildSaInstalled>());
        Assert.Empty(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void Proposal_mismatch_is_explained_and_leaves_no_state()
    {
        Pair p = Pair.Create(seed: 3, bobTweak: c => c with { Proposals = [[Transform.Encryption(EncryptionAlgorithm.AesGcm16, 256), Transform.Prf(PseudorandomFunction.HmacSha2_256), Transform.KeyExchange(KeyExchangeMethod.Ecp256)]] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        NegotiationFailed bob = Assert.Single(p.Bob.Events.OfType<NegotiationFailed>());
        Assert.Contains("no common encryption algorithm (offered aes128gcm16, configured aes256gcm16)", bob.Reason, StringComparison.Ordinal);
        Assert.Contains(p.Alice.Events.OfType<NegotiationFailed>(), e => e.Reason.Contains("NO_PROPOSAL_CHOSEN", StringComparison.Ordinal));
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void Selector_mismatch_fails_only_the_child_sa()
    {
        Pair p = Pair.Create(seed: 4, bobTweak: c => c with { Children = [c.Children[0] with { RemoteTs = [Wire.Payloads.TrafficSelector.Subnet("192.168.0.0/16")] }] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());
        Assert.Single(p.Bob.Events.OfType<IkeSaEstablished>());
        Assert.Empty(p.Alice.Events.OfType<ChildSaInstalled>());
        Assert.Contains(p.Bob.Events.OfType<NegotiationFailed>(), e => e.Reason.Contains("do not overlap", StringComparison.Ordinal));
        Assert.Contains(p.Alice.Events.OfType<NegotiationFailed>(), e => e.Reason.Contains("TS_UNACCEPTABLE", StringComparison.Ordinal));
    }

    [Fact]
    public void Responder_narrows_an_any_to_any_proposal()
    {
        Pair p = Pair.Create(seed: 5, aliceTweak: c => c with { Children = [c.Children[0] with { LocalTs = [Wire.Payloads.TrafficSelector.Subnet("0.0.0.0/0")], RemoteTs = [Wire.Payloads.TrafficSelector.Subnet("0.0.0.0/0")] }] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        ChildSaInstalled ca = Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>());
        Assert.Equal("10.1.0.0/24", Assert.Single(ca.LocalTs).ToString());
        Assert.Equal("10.2.0.0/24", Assert.Single(ca.RemoteTs).ToString());
    }

    [Fact]
    public void Delete_removes_both_ends_and_reports_child_sas()
    {
        Pair p = Pair.Create(seed: 6);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        ulong spi = Assert.Single(p.Alice.Engine.IkeSas).SpiI;

        p.Alice.Engine.Execute(new DeleteIkeSa(spi), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
        Assert.Single(p.Alice.Events.OfType<ChildSaDeleted>());
        Assert.Contains(p.Bob.Events.OfType<IkeSaDeleted>(), e => e.Reason == "deleted by the peer");
    }

    [Fact]
    public void Liveness_check_is_answered()
    {
        Pair p = Pair.Create(seed: 7);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        int sent = p.Net.Sent;
        p.Alice.Engine.Execute(new CheckLiveness(p.Alice.Engine.IkeSas[0].SpiI), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Equal(sent + 2, p.Net.Sent);
        Assert.Equal(IkeSaState.Established, p.Alice.Engine.IkeSas[0].State);
    }

    [Fact]
    public void Silent_peer_is_given_up_after_strongswans_schedule()
    {
        Pair p = Pair.Create(seed: 8, net: new SimNetwork(8) { Loss = 1.0 });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        IkeSaDeleted deleted = Assert.Single(p.Alice.Events.OfType<IkeSaDeleted>());
        Assert.Contains("did not answer", deleted.Reason, StringComparison.Ordinal);
        Assert.Equal(6, p.Alice.Transmitted.Count);
        Assert.Equal(165060, p.Net.Now);
    }

    [Fact]
    public void Nat_t_floats_to_4500_when_encapsulation_is_forced()
    {
        Pair p = Pair.Create(seed: 9, aliceTweak: c => c with { Encap = true });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Equal([500, 4500], p.Alice.Transmitted.Select(t => t.Remote.Port));
        Assert.Equal([500, 4500], p.Bob.Transmitted.Select(t => t.Remote.Port));
        Assert.True(Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>()).UdpEncapsulation);
        Assert.True(Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>()).UdpEncapsulation);
    }

    [Fact]
    public void Invalid_ke_payload_makes_the_initiator_retry_with_the_group_the_responder_wants()
    {
        // Alice guesses ecp256 first; Bob accepts only ecp384, which Alice also offers.
        Wire.Payloads.Transform[] both = [.. Pair.IkeProposal, Wire.Payloads.Transform.KeyExchange(KeyExchangeMethod.Ecp384)];
        Wire.Payloads.Transform[] only384 = [.. Pair.IkeProposal[..2], Wire.Payloads.Transform.KeyExchange(KeyExchangeMethod.Ecp384)];
        Pair p = Pair.Create(seed: 10, aliceTweak: c => c with { Proposals = [both] }, bobTweak: c => c with { Proposals = [only384] });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Equal("aes128gcm16-prfsha256-ecp384", Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>()).Proposal);
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Contains(p.Bob.Events.OfType<NegotiationFailed>(), e => e.Reason.Contains("uses ecp384", StringComparison.Ordinal));
        Assert.Equal(6, p.Net.Sent);   // INIT, INVALID_KE, INIT again, its response, AUTH, its response

        // Both INIT requests are message 0 (RFC 7296 §1.3) from the same SPIi.
        var inits = p.Alice.Transmitted.Take(2).Select(t => IkeMessage.Decode(t.Datagram).Value).ToArray();
        Assert.All(inits, m => Assert.Equal(0u, m.MessageId));
        Assert.Equal(inits[0].InitiatorSpi, inits[1].InitiatorSpi);
    }

    [Fact]
    public void Retransmitted_requests_get_the_cached_response_without_new_state()
    {
        Pair p = Pair.Create(seed: 11);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        // Replay Alice's two requests to Bob. The IKE_AUTH request gets his earlier response, byte
        // for byte (§2.1). The IKE_SA_INIT request is behind the window once IKE_AUTH came (§2.3:
        // a response is kept until a request with a higher Message ID arrives), and Bob no longer
        // keeps the INIT messages: it is dropped, and makes no new SA.
        int before = p.Bob.Transmitted.Count;
        foreach (Transmit t in p.Alice.Transmitted)
        {
            p.Bob.Engine.HandleDatagram(p.Net.Now, t.Remote, t.Local, t.Datagram);
        }

        Assert.True(p.Bob.Engine.TryPollTransmit(out Transmit again));
        Assert.False(p.Bob.Engine.TryPollTransmit(out _));
        Assert.Equal(p.Bob.Transmitted[1].Datagram, again.Datagram);
        Assert.Equal(1, p.Bob.Engine.Dropped["IKE_SA_INIT under the SPIi of an established IKE SA"]);
        Assert.Equal(1, p.Bob.Engine.IkeSaCount);
        Assert.Equal(before, p.Bob.Transmitted.Count);
    }

    [Fact]
    public void Garbage_and_tampered_datagrams_are_dropped_and_counted_without_harm()
    {
        Pair p = Pair.Create(seed: 12);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        var rng = new Random(12);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = (byte[])p.Alice.Transmitted[rng.Next(p.Alice.Transmitted.Count)].Datagram.Clone();
            bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            p.Bob.Engine.HandleDatagram(p.Net.Now, new System.Net.IPEndPoint(Pair.BobAddress, 500), new System.Net.IPEndPoint(Pair.AliceAddress, 500), bytes);
            byte[] junk = new byte[rng.Next(0, 300)];
            rng.NextBytes(junk);
            p.Bob.Engine.HandleDatagram(p.Net.Now, new System.Net.IPEndPoint(Pair.BobAddress, 500), new System.Net.IPEndPoint(Pair.AliceAddress, 500), junk);
        }

        // A flipped bit in the SPIi makes a new, valid IKE_SA_INIT: those half-open SAs expire.
        long now = p.Net.Now + IkeEngine.HalfOpenTimeoutMs + 1;
        p.Bob.Engine.HandleTimeout(now);
        Assert.Equal(IkeSaState.Established, Assert.Single(p.Bob.Engine.IkeSas).State);
        Assert.True(p.Bob.Engine.Dropped.Values.Sum() > 3000);
        Assert.True(p.Bob.Engine.Dropped.ContainsKey("IKE_SA_INIT under the SPIi of an established IKE SA"));
        var installed = new List<IkeEvent>();
        while (p.Bob.Engine.TryPollEvent(out IkeEvent e))
        {
            installed.Add(e);
        }

        Assert.Empty(installed.OfType<ChildSaInstalled>());
        Assert.Empty(installed.OfType<IkeSaEstablished>());
    }

    [Fact]
    public void An_ike_fragment_is_refused_whole_and_a_malformed_message_is_a_rejection_with_its_offset()
    {
        Pair p = Pair.Create(seed: 14);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        IkeSaInfo sa = Assert.Single(p.Bob.Engine.IkeSas);
        var bob = new System.Net.IPEndPoint(Pair.BobAddress, 500);
        var alice = new System.Net.IPEndPoint(Pair.AliceAddress, 500);

        // RFC 7383: fragments only after IKEV2_FRAGMENTATION_SUPPORTED, which we never send. The next
        // message ID, the SA's own SPIs: only the SKF payload refuses it.
        byte[] fragment = new IkeMessage(sa.SpiI, sa.SpiR, ExchangeType.CreateChildSa, IkeFlags.Initiator, 2,
            [new EncryptedFragmentPayload(1, 2, PayloadType.Nonce, new byte[64])]).ToArray();
        p.Bob.Engine.HandleDatagram(p.Net.Now, bob, alice, fragment);
        Assert.Equal(1, p.Bob.Engine.Dropped["IKE fragment"]);
        Assert.Equal(1, p.Bob.Engine.Rejected);
        Assert.Contains("RFC 7383", p.Bob.Engine.LastRejection, StringComparison.Ordinal);
        Assert.False(p.Bob.Engine.TryPollTransmit(out _));

        // A declared length past the datagram: the reason names the field and the offset.
        byte[] cut = fragment[..40];
        p.Bob.Engine.HandleDatagram(p.Net.Now, bob, alice, cut);
        Assert.Equal(2, p.Bob.Engine.Rejected);
        Assert.Contains("at offset 24", p.Bob.Engine.LastRejection, StringComparison.Ordinal);

        // An unknown SPI is counted, not a rejection: lossy networks deliver late datagrams too.
        byte[] stranger = new IkeMessage(sa.SpiI, sa.SpiR ^ 0xFF, ExchangeType.CreateChildSa, IkeFlags.Initiator, 2,
            [new EncryptedPayload(PayloadType.Nonce, new byte[64])]).ToArray();
        p.Bob.Engine.HandleDatagram(p.Net.Now, bob, alice, stranger);
        Assert.Equal(1, p.Bob.Engine.Dropped["unknown IKE SPI"]);
        Assert.Equal(2, p.Bob.Engine.Rejected);

        // The SA is untouched: the next real request, message ID 2, is answered.
        p.Alice.Engine.Execute(new RekeyChildSa(sa.SpiI, Assert.Single(Assert.Single(p.Alice.Engine.IkeSas).Children).SpiIn), p.Net.Now);
        p.Net.RunUntilQuiet();
        Assert.Single(p.Bob.Events.OfType<ChildSaRekeyed>());
    }

    [Fact]
    public void A_missing_psk_on_the_initiator_is_reported_not_thrown()
    {
        Pair p = Pair.Create(seed: 13, aliceTweak: c => c with { Local = c.Local with { Id = "nobody@example.org" }, Remote = c.Remote with { Id = "gw@example.org" } });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Contains(p.Alice.Events.OfType<NegotiationFailed>(), e => e.Reason.Contains("no pre-shared key for nobody@example.org", StringComparison.Ordinal));
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
    }
}
