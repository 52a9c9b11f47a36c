using System.Buffers.Binary;
using IkeSharp.Core.Negotiation;
using IkeSharp.Core.Reliability;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3.2, §2.18): new SPIs in the proposals,
/// fresh nonces and key exchange; SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old
/// SA's PRF, then the new keys with the new SPIs. The Child SAs move to the new IKE SA; the
/// initiator of the rekey becomes its original initiator and deletes the old IKE SA.
/// </summary>
internal sealed class IkeRekeyTask(IkeSa sa, EngineContext context, Func<ulong> newSpi, RetransmissionSchedule schedule) : IExchangeTask
{
    private const int NonceLength = 32;
    private ulong ourSpi;
    private byte[] ni = [];
    private byte[] nr = [];
    private IKeyExchangeInitiator? keyExchange;
    private KeyExchangeResult? responderKe;
    private Proposal? chosen;

    /// <summary>The new IKE SA, once made.</summary>
    public IkeSa? NewSa { get; private set; }

    public (byte[] Ni, byte[] Nr) Nonces => (ni, nr);

    /// <summary>The lower of this exchange's two nonces, which decides a collision (§2.8.2).</summary>
    public byte[] LowestNonce => ni.AsSpan().SequenceCompareTo(nr) <= 0 ? ni : nr;

    private static Proposal IkeProposal(byte number, ulong spi, IReadOnlyList<Transform> transforms)
    {
        byte[] spiBytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(spiBytes, spi);
        return new Proposal(number, SecurityProtocol.Ike, spiBytes, transforms);
    }

    public void BuildRequest(MessageBuilder request)
    {
        sa.OurIkeRekey = this;
        ourSpi = newSpi();
        ni = context.RandomBytes(NonceLength);
        request.Add(new SaPayload(sa.Config.Proposals.Select((t, i) => IkeProposal((byte)(i + 1), ourSpi, t)).ToArray()));
        request.Add(new NoncePayload(ni));

        // The key exchange of the proposal the current IKE SA uses is the likeliest to be accepted.
        var method = (KeyExchangeMethod)sa.Proposal!.Transforms.First(t => t.Type == TransformType.KeyExchange).Id;
        keyExchange = context.Algorithms.KeyExchange(method)!.Initiate(context.Random);
        request.Add(new KePayload(method, keyExchange.Share));
    }

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        SaPayload? saPayload = request.Find<SaPayload>();
        NoncePayload? nonce = request.Find<NoncePayload>();
        KePayload? ke = request.Find<KePayload>();
        if (saPayload is null || nonce is null || ke is null || nonce.Data.Length is < 16 or > 256)
        {
            return TaskResult.FailChild("IKE rekey request without SA, Nonce or KE", NotifyType.InvalidSyntax);
        }

        SelectionResult selection = ProposalSelection.Select(SecurityProtocol.Ike, sa.Config.Proposals, saPayload.Proposals);
        if (!selection.IsMatch || selection.Proposal!.Spi.Length != 8)
        {
            return TaskResult.FailChild(selection.Explain(), NotifyType.NoProposalChosen);
        }

        chosen = selection.Proposal;
        var method = (KeyExchangeMethod)chosen.Transforms.First(t => t.Type == TransformType.KeyExchange).Id;
        if (ke.Method != method)
        {
            byte[] data = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)method);
            return new TaskResult(TaskOutcome.FailChild, "wrong key exchange in IKE rekey", NotifyType.InvalidKePayload, data);
        }

        responderKe = context.Algorithms.KeyExchange(method)?.Respond(ke.Data.Span, context.Random);
        if (responderKe is not { IsSuccess: true })
        {
            return TaskResult.FailChild($"key exchange failed: {responderKe?.Error ?? "unsupported"}", NotifyType.InvalidSyntax);
        }

        ni = nonce.Data.ToArray();
        nr = context.RandomBytes(NonceLength);
        ourSpi = newSpi();
        ulong peerSpi = BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span);
        sa.TheirIkeRekey = this;
        return Derive(chosen, responderKe.SharedSecret!, spiI: peerSpi, spiR: ourSpi, weInitiated: false);
    }

    public void BuildResponse(MessageBuilder response)
    {
        if (NewSa is null)
        {
            return;
        }

        response.Add(new SaPayload([IkeProposal(chosen!.Number, ourSpi, chosen.Transforms)]));
        response.Add(new NoncePayload(nr));
        response.Add(new KePayload((KeyExchangeMethod)chosen.Transforms.First(t => t.Type == TransformType.KeyExchange).Id, responderKe!.ResponderShare));
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        if (response.FirstError() is { } error)
        {
            keyExchange?.Dispose();
            return TaskResult.FailChild($"the peer refused the IKE rekey with {error.NotifyType.ToIanaName()}", error.NotifyType);
        }

        SaPayload? saPayload = response.Find<SaPayload>();
        NoncePayload? nonce = response.Find<NoncePayload>();
        KePayload? ke = response.Find<KePayload>();
        if (saPayload is not { Proposals.Count: 1 } || nonce is null || ke is null || saPayload.Proposals[0].Spi.Length != 8 || keyExchange is null)
        {
            return TaskResult.FailChild("IKE rekey response without SA, Nonce or KE", NotifyType.InvalidSyntax);
        }

        chosen = saPayload.Proposals[0];
        KeyExchangeResult secret = keyExchange.Finish(ke.Data.Span);
        keyExchange.Dispose();
        if (!secret.IsSuccess || !sa.Config.Proposals.Any(p => ProposalSelection.TryMatch(p, chosen.Transforms, out _) is null))
        {
            return TaskResult.FailChild($"IKE rekey response unusable: {secret.Error ?? $"we did not offer {chosen.Keywords}"}", NotifyType.NoProposalChosen);
        }

        nr = nonce.Data.ToArray();
        return Derive(chosen, secret.SharedSecret!, spiI: ourSpi, spiR: BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span), weInitiated: true);
    }

    private TaskResult Derive(Proposal proposal, SecretBytes sharedSecret, ulong spiI, ulong spiR, bool weInitiated)
    {
        using (sharedSecret)
        {
            if (IkeSaCrypto.Resolve(context.Algorithms, proposal) is not { } crypto)
            {
                return TaskResult.FailChild($"{proposal.Keywords} is not supported by this build", NotifyType.NoProposalChosen);
            }

            // §2.18: the new SA's original initiator is whoever started this rekey.
            var next = new IkeSa(sa.Config, isInitiator: weInitiated, spiI, spiR, sa.Local, sa.Remote, schedule)
            {
                Ni = ni,
                Nr = nr,
                Proposal = proposal,
                UseNatT = sa.UseNatT,
                LocalId = sa.LocalId,
                RemoteId = sa.RemoteId,
                Authenticated = true,
                State = IkeSaState.Established,
                LastInbound = context.Now,
                EstablishedAt = context.Now,
            };

            // SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old SA's PRF; the rest with the new one.
            using SecretBytes skeyseed = IkeKeySchedule.RekeyedSkeyseed(sa.Prf!, sa.Keys!.SkD.ReadOnlySpan, sharedSecret.ReadOnlySpan, ni, nr);
            crypto.InstallKeys(next, skeyseed.ReadOnlySpan, context);
            NewSa = next;
            return TaskResult.Done;
        }
    }
}
