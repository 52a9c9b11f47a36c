using System.Buffers.Binary;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Negotiation;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// Creating a Child SA (RFC 7296 §1.3.1; the first one rides in IKE_AUTH, §1.2): ESP proposals with
/// our inbound SPI, traffic selectors narrowed by the responder (§2.9), tunnel or transport mode
/// (USE_TRANSPORT_MODE), and KEYMAT from SK_d (§2.17). A failure here (NO_PROPOSAL_CHOSEN,
/// TS_UNACCEPTABLE) fails only the Child SA; the IKE SA stays.
/// </summary>
internal sealed class ChildCreateTask(IkeSa sa, EngineContext context, ChildConfig? config) : IExchangeTask
{
    private uint ourSpi;
    private Proposal? chosen;
    private List<TrafficSelector> tsi = [];
    private List<TrafficSelector> tsr = [];
    private ChildConfig? child = config;
    private bool transport;

    private static Proposal EspProposal(byte number, uint spi, IReadOnlyList<Transform> transforms)
    {
        byte[] spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        return new Proposal(number, SecurityProtocol.Esp, spiBytes, transforms);
    }

    public void BuildRequest(MessageBuilder request)
    {
        ChildConfig c = child!;
        ourSpi = context.RandomSpi();
        if (c.Mode == IpsecMode.Transport)
        {
            request.Notify(NotifyType.UseTransportMode);
        }

        request.Add(new SaPayload(c.EspProposals.Select((t, i) => EspProposal((byte)(i + 1), ourSpi, t)).ToArray()));
        request.Add(new TsPayload(IkeRole.Initiator, c.LocalTs));
        request.Add(new TsPayload(IkeRole.Responder, c.RemoteTs));
    }

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        SaPayload? saPayload = request.Find<SaPayload>();
        TsPayload? tsiPayload = request.Payloads.OfType<TsPayload>().FirstOrDefault(t => t.Role == IkeRole.Initiator);
        TsPayload? tsrPayload = request.Payloads.OfType<TsPayload>().FirstOrDefault(t => t.Role == IkeRole.Responder);
        if (saPayload is null || tsiPayload is null || tsrPayload is null)
        {
            // RFC 7296 §1.2: an IKE_AUTH without SA/TS creates no Child SA (childless, RFC 6023).
            return TaskResult.Done;
        }

        transport = request.Notify(NotifyType.UseTransportMode) is not null;
        var reasons = new List<string>();
        foreach (ChildConfig candidate in sa.Config.Children)
        {
            // Our remote_ts narrows the initiator's TSi; our local_ts narrows its TSr.
            List<TrafficSelector> narrowedI = TrafficSelectorNarrowing.Narrow(tsiPayload.Selectors, candidate.RemoteTs);
            List<TrafficSelector> narrowedR = TrafficSelectorNarrowing.Narrow(tsrPayload.Selectors, candidate.LocalTs);
            if (narrowedI.Count == 0 || narrowedR.Count == 0)
            {
                reasons.Add($"child {candidate.Name}: proposed TSi {string.Join(" ", tsiPayload.Selectors)} TSr {string.Join(" ", tsrPayload.Selectors)} " +
                    $"do not overlap its remote_ts {string.Join(" ", candidate.RemoteTs)} and local_ts {string.Join(" ", candidate.LocalTs)}");
                continue;
            }

            SelectionResult selection = ProposalSelection.Select(SecurityProtocol.Esp, candidate.EspProposals, saPayload.Proposals);
            if (!selection.IsMatch)
            {
                child = candidate;
                return Fail(selection.Explain(), NotifyType.NoProposalChosen);
            }

            child = candidate;
            chosen = selection.Proposal;
            tsi = narrowedI;
            tsr = narrowedR;
            ourSpi = context.RandomSpi();
            return Install(peerSpi: BinaryPrimitives.ReadUInt32BigEndian(chosen!.Spi.Span));
        }

        return Fail(reasons.Count == 0 ? $"connection {sa.Config.Name} has no children" : string.Join("; ", reasons), NotifyType.TsUnacceptable);
    }

    private TaskResult Fail(string reason, NotifyType notify)
    {
        context.Raise(new NegotiationFailed(context.Now, sa.Config.Name, $"Child SA not created: {reason}"));
        return TaskResult.FailChild(reason, notify);
    }

    public void BuildResponse(MessageBuilder response)
    {
        if (chosen is null)
        {
            return;
        }

        if (transport && child!.Mode == IpsecMode.Transport)
        {
            response.Notify(NotifyType.UseTransportMode);
        }

        response.Add(new SaPayload([EspProposal(chosen.Number, ourSpi, chosen.Transforms)]));
        response.Add(new TsPayload(IkeRole.Initiator, tsi));
        response.Add(new TsPayload(IkeRole.Responder, tsr));
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        if (response.FirstError() is { } error)
        {
            return Fail($"the responder answered {error.NotifyType.ToIanaName()}", error.NotifyType);
        }

        SaPayload? saPayload = response.Find<SaPayload>();
        TsPayload? tsiPayload = response.Payloads.OfType<TsPayload>().FirstOrDefault(t => t.Role == IkeRole.Initiator);
        TsPayload? tsrPayload = response.Payloads.OfType<TsPayload>().FirstOrDefault(t => t.Role == IkeRole.Responder);
        if (saPayload is null || saPayload.Proposals.Count != 1 || tsiPayload is null || tsrPayload is null)
        {
            return Fail("the response lacks SA or TS payloads", NotifyType.InvalidSyntax);
        }

        chosen = saPayload.Proposals[0];
        if (chosen.Spi.Length != 4 || !child!.EspProposals.Any(p => ProposalSelection.TryMatch(p, chosen.Transforms, out _) is null))
        {
            return Fail($"the responder chose {chosen.Keywords}, which we did not offer", NotifyType.NoProposalChosen);
        }

        // §2.9: the responder may only narrow what we proposed.
        if (!tsiPayload.Selectors.All(s => child.LocalTs.Any(o => TrafficSelectorNarrowing.IsSubset(s, o))) ||
            !tsrPayload.Selectors.All(s => child.RemoteTs.Any(o => TrafficSelectorNarrowing.IsSubset(s, o))))
        {
            return Fail($"the responder's selectors {string.Join(" ", tsiPayload.Selectors)} === {string.Join(" ", tsrPayload.Selectors)} are wider than ours", NotifyType.TsUnacceptable);
        }

        tsi = [.. tsiPayload.Selectors];
        tsr = [.. tsrPayload.Selectors];
        transport = child.Mode == IpsecMode.Transport && response.Notify(NotifyType.UseTransportMode) is not null;
        return Install(peerSpi: BinaryPrimitives.ReadUInt32BigEndian(chosen.Spi.Span));
    }

    private TaskResult Install(uint peerSpi)
    {
        Transform enc = chosen!.Transforms.First(t => t.Type == TransformType.Encryption);
        Transform? integ = chosen.Transforms.FirstOrDefault(t => t.Type == TransformType.Integrity && t.Id != 0);
        Transform? esn = chosen.Transforms.FirstOrDefault(t => t.Type == TransformType.SequenceNumbers);
        IEncryptionAlgorithm? encryption = context.Algorithms.Encryption((EncryptionAlgorithm)enc.Id, enc.KeyLength ?? 0);
        IIntegrityAlgorithm? integrity = integ is null ? null : context.Algorithms.Integrity((IntegrityAlgorithm)integ.Id);
        if (encryption is null || (integ is not null && integrity is null))
        {
            return Fail($"{chosen.Keywords} is not supported by this build", NotifyType.NoProposalChosen);
        }

        ChildSaKeys keys = IkeKeySchedule.DeriveChildSaKeys(sa.Prf!, sa.Keys!.SkD.ReadOnlySpan, encryption.KeyMaterialLength, integrity?.KeyLength ?? 0, sa.Ni, sa.Nr);
        bool we = sa.IsInitiator;
        var childSa = new ChildSa(child!, ourSpi, peerSpi);
        sa.Children.Add(childSa);
        context.Raise(new ChildSaInstalled(
            context.Now, sa.Config.Name, child!.Name, ourSpi, peerSpi, transport ? IpsecMode.Transport : IpsecMode.Tunnel, chosen.Keywords,
            (EncryptionAlgorithm)enc.Id, enc.KeyLength ?? 0, integrity?.Id ?? IntegrityAlgorithm.None, esn is not null && esn.Id == (ushort)SequenceNumbers.Esn,
            EncryptionKeyIn: we ? keys.EncryptionResponder : keys.EncryptionInitiator,
            IntegrityKeyIn: we ? keys.IntegrityResponder : keys.IntegrityInitiator,
            EncryptionKeyOut: we ? keys.EncryptionInitiator : keys.EncryptionResponder,
            IntegrityKeyOut: we ? keys.IntegrityInitiator : keys.IntegrityResponder,
            LocalTs: we ? tsi : tsr,
            RemoteTs: we ? tsr : tsi,
            sa.Local, sa.Remote, sa.UseNatT));
        return TaskResult.Done;
    }
}
