using System.Net;
using IkeSharp.Core.Engine;
using IkeSharp.Crypto;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// RFC 7296 §2.21.2: an initiator that refuses the responder's authentication may tell it in a
/// separate INFORMATIONAL request holding only AUTHENTICATION_FAILED, without a Delete (strongSwan
/// does so). The responder, which installed its Child SA with the IKE_AUTH response, must drop the
/// IKE SA and its Child SAs and report the refusal.
/// </summary>
public class PeerRefusalNotifyTests
{
    [Fact]
    public void An_informational_authentication_failed_from_the_initiator_deletes_the_responders_sas()
    {
        Pair p = Pair.Create(seed: 51, aliceOptions: new EngineOptions { ExportKeys = true });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Equal(1, p.Bob.Engine.IkeSaCount);
        IkeSaKeysExported keys = p.Alice.Events.OfType<IkeSaKeysExported>().Single();

        // Alice's next request (message ID 2 after IKE_SA_INIT and IKE_AUTH), as strongSwan sends it.
        var protection = new SkPayloadProtection(AlgorithmRegistry.Default.Encryption(keys.Encryption, keys.EncryptionKeyBits)!, keys.SkEi, null, keys.SkAi, new DeterministicRandom(7));
        byte[] refusal = protection.Seal(keys.SpiI, keys.SpiR, ExchangeType.Informational, IkeFlags.Initiator, 2, [NotifyPayload.Create(NotifyType.AuthenticationFailed)]);
        p.Bob.Engine.HandleDatagram(p.Net.Now, new IPEndPoint(Pair.BobAddress, 500), new IPEndPoint(Pair.AliceAddress, 500), refusal);

        var events = new List<IkeEvent>();
        while (p.Bob.Engine.TryPollEvent(out IkeEvent e))
        {
            events.Add(e);
        }

        AuthFailed failed = Assert.Single(events.OfType<AuthFailed>());
        Assert.Contains("refused our authentication as 10.99.0.2 (AUTHENTICATION_FAILED in an INFORMATIONAL request", failed.Reason, StringComparison.Ordinal);
        IkeSaDeleted deleted = Assert.Single(events.OfType<IkeSaDeleted>());
        Assert.Equal(SaCloseCause.Failed, deleted.Cause);
        Assert.Equal(SaCloseCause.Failed, Assert.Single(events.OfType<ChildSaDeleted>()).Cause);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.ChildSaCount);

        // The request is answered (§1.4: every request gets a response), and nothing is restarted.
        Assert.True(p.Bob.Engine.TryPollTransmit(out Transmit answer));
        Assert.True(IkeMessage.Decode(answer.Datagram).TryGetValue(out IkeMessage response));
        Assert.True(response.IsResponse);
        Assert.Equal(2u, response.MessageId);
        Assert.False(p.Bob.Engine.TryPollTransmit(out _));
    }

    [Fact]
    public void A_forged_authentication_failed_that_fails_its_icv_changes_nothing()
    {
        Pair p = Pair.Create(seed: 52, aliceOptions: new EngineOptions { ExportKeys = true });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        IkeSaKeysExported keys = p.Alice.Events.OfType<IkeSaKeysExported>().Single();

        // The same message under a wrong key: the ICV fails, the message is dropped silently.
        byte[] wrongKey = [.. keys.SkEi.Select(b => (byte)(b ^ 0xFF))];
        var protection = new SkPayloadProtection(AlgorithmRegistry.Default.Encryption(keys.Encryption, keys.EncryptionKeyBits)!, wrongKey, null, keys.SkAi, new DeterministicRandom(7));
        byte[] forged = protection.Seal(keys.SpiI, keys.SpiR, ExchangeType.Informational, IkeFlags.Initiator, 2, [NotifyPayload.Create(NotifyType.AuthenticationFailed)]);
        long before = p.Bob.Engine.DroppedTotal;
        p.Bob.Engine.HandleDatagram(p.Net.Now, new IPEndPoint(Pair.BobAddress, 500), new IPEndPoint(Pair.AliceAddress, 500), forged);

        Assert.Equal(before + 1, p.Bob.Engine.DroppedTotal);
        Assert.Equal("undecryptable: IntegrityCheckFailed", p.Bob.Engine.LastDropReason);
        Assert.False(p.Bob.Engine.TryPollEvent(out _));
        Assert.False(p.Bob.Engine.TryPollTransmit(out _));
        Assert.Equal(1, p.Bob.Engine.IkeSaCount);
        Assert.Equal(1, p.Bob.Engine.ChildSaCount);
    }
}
