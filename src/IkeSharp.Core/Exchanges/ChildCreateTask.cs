using System.Buffers.Binary;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Negotiation;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// Creating a Child SA, in IKE_AUTH (RFC 7296 §1.2) or CREATE_CHILD_SA (§1.3.1), new or rekeying an
/// existing one (REKEY_SA, §1.3.3): ESP proposals with our inbound SPI, fresh nonces and an optional
/// PFS key exchange in CREATE_CHILD_SA, traffic selectors narrowed by the responder (§2.9), tunnel
/// or transport mode (USE_TRANSPORT_MODE), and KEYMAT from SK_d (§2.17). A failure here
/// (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, INVALID_KE_PAYLOAD) fails only the Child SA.
/// </summary>
internal sealed class ChildCreateTask(IkeSa sa, EngineContext context, ChildConfig? config, bool inCreateChildSa = false, ChildSa? rekeying = null, TriggeringPacket? trigger = null) : IExchangeTask
{
    private const int NonceLength = 32;
    private uint ourSpi;
    private Proposal? chosen;
    private List<TrafficSelector> tsi = [];
    private List<TrafficSelector> tsr = [];
    private ChildConfig? child = config;
    private ChildSa? replaced = rekeying;
    private bool transport;
    private byte[] ni = [];
    private byte[] nr = [];
    private IKeyExchangeInitiator? keyExchange;
    private KeyExchangeMethod? retryMethod;
    private KeyExchangeResult? responderKe;

    /// <summary>The Child SA this task created, once installed.</summary>
    public ChildSa? Installed { get; private set; }

    /// <summary>The Child SA this task rekeyed (its replacement is <see cref="Installed"/>).</summary>
    public ChildSa? Replaced => Installed is null ? null : replaced;

    /// <summary>The two nonces of this exchange, which decide rekey collisions (§2.8.1).</summary>
    public (byte[] Ni, byte[] Nr) Nonces => (ni, nr);

    /// <summary>The lower of this exchange's two nonces.</summary>
    public byte[] LowestNonce => ni.AsSpan().SequenceCompareTo(nr) <= 0 ? ni : nr;

    private static Proposal EspProposal(byte number, uint spi, IReadOnlyList<Transform> transforms)
    {
        byte[] spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        return new Proposal(number, SecurityProtocol.Esp, spiBytes, transforms);
    }

    private static KeyExchangeMethod? PfsMethod(IReadOnlyList<Transform> transforms)
    {
        Transform? ke = transforms.FirstOrDefault(t => t.Type == TransformType.KeyExchange && t.Id != 0);
        return ke is null ? null : (KeyExchangeMethod)ke.Id;
    }

    /// <summary>
    /// The child's local_ts, with "dynamic" (swanctl.conf's default) standing for our address in
    /// this IKE SA: the address IKE runs over, as strongSwan fills it in (no virtual IP here).
    /// </summary>
    private IReadOnlyList<TrafficSelector> OurLocalTs(ChildConfig c) => c.LocalTsWith(sa.Local.Address);

    /// <summary>The child's remote_ts, with "dynamic" standing for the peer's address.</summary>
    private IReadOnlyList<TrafficSelector> OurRemoteTs(ChildConfig c) => c.RemoteTsWith(sa.Remote.Address);

    public void BuildRequest(MessageBuilder request)
    {
        ChildConfig c = child!;
        ourSpi = context.RandomSpi();
        if (replaced is not null)
        {
            replaced.OurRekey = this;
            request.Add(NotifyPayload.RekeySa(SecurityProtocol.Esp, replaced.SpiIn));
        }

        if (c.Mode == IpsecMode.Transport)
        {
            request.Notify(NotifyType.UseTransportMode);
        }

        // RFC 7296 §3.10.1: we neither send nor want TFC padding (RFC 4303 §2.7); the data plane
        // passes on exactly the inner packet.
        request.Notify(NotifyType.EspTfcPaddingNotSupported);
        request.Add(new SaPayload(c.EspProposals.Select((t, i) => EspProposal((byte)(i + 1), ourSpi, t)).ToArray()));
        if (inCreateChildSa)
        {
            ni = context.RandomBytes(NonceLength);
            request.Add(new NoncePayload(ni));
            if ((retryMethod ?? PfsMethod(c.EspProposals[0])) is { } method && context.Algorithms.KeyExchange(method) is { } ke)
            {
                keyExchange?.Dispose();
                keyExchange = ke.Initiate(context.Random);
                request.Add(new KePayload(method, keyExchange.Share));
            }
        }

        IReadOnlyList<TrafficSelector> local = replaced?.LocalTs ?? OurLocalTs(c);
        IReadOnlyList<TrafficSelector> remote = replaced?.RemoteTs ?? OurRemoteTs(c);
        if (local.Count == 0 || remote.Count == 0)
        {
            // dynamic selectors with no address to put in them yet: nothing sensible to propose.
            throw new InvalidOperationException($"child {c.Name} has dynamic traffic selectors but the IKE SA has no {(local.Count == 0 ? "local" : "remote")} address yet ({sa.Local} === {sa.Remote})");
        }

        if (replaced is null && trigger is not null)
        {
            // §2.9: the packet that triggered the request goes first, so a narrowing responder keeps its flow.
            local = [trigger.Source, .. local];
            remote = [trigger.Destination, .. remote];
        }

        request.Add(new TsPayload(IkeRole.Initiator, local));
        request.Add(new TsPayload(IkeRole.Responder, remote));
    }

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        SaPayload? saPayload = request.Find<SaPayload>();
        TsPayload? tsiPayload = request.Payloads.OfType<TsPayload>().FirstOrDefault(t => t.Role == IkeRole.Initiator);
        TsPayload? tsrPayload = request.Payloads.OfType<TsPayload>().FirstOrDefault(t => t.Role == IkeRole.Responder);
        if (saPayload is null || tsiPayload is null || tsrPayload is null)
        {
            // RFC 7296 §1.2: an IKE_AUTH without SA/TS creates no Child SA (childless, RFC 6023).
            return inCreateChildSa ? Fail("CREATE_CHILD_SA request without SA or TS", NotifyType.InvalidSyntax) : TaskResult.Done;
        }

        if (inCreateChildSa)
        {
            if (request.Find<NoncePayload>() is not { } nonce || nonce.Data.Length is < 16 or > 256)
            {
                return Fail("CREATE_CHILD_SA request without a valid nonce", NotifyType.InvalidSyntax);
            }

            ni = nonce.Data.ToArray();
            nr = context.RandomBytes(NonceLength);
        }

        IEnumerable<ChildConfig> candidates = sa.Config.Children;
        if (request.Notify(NotifyType.RekeySa) is { } rekey)
        {
            // §1.3.3: the SPI is the initiator's inbound SPI of the old Child SA, our outbound one.
            if (!rekey.TryGetRekeySpi(out uint spi) || sa.Children.FirstOrDefault(c => c.SpiOut == spi) is not { } old)
            {
                return Fail($"REKEY_SA names a Child SA we do not have", NotifyType.ChildSaNotFound);
            }

            replaced = old;
            candidates = [old.Config];
        }

        bool transportRequested = request.Notify(NotifyType.UseTransportMode) is not null;
        var reasons = new List<string>();
        foreach (ChildConfig candidate in candidates)
        {
            // Our remote_ts narrows the initiator's TSi; our local_ts narrows its TSr.
            IReadOnlyList<TrafficSelector> policyRemote = OurRemoteTs(candidate);
            IReadOnlyList<TrafficSelector> policyLocal = OurLocalTs(candidate);
            List<TrafficSelector> narrowedI = TrafficSelectorNarrowing.Narrow(tsiPayload.Selectors, policyRemote);
            List<TrafficSelector> narrowedR = TrafficSelectorNarrowing.Narrow(tsrPayload.Selectors, policyLocal);
            if (narrowedI.Count == 0 || narrowedR.Count == 0)
            {
                reasons.Add($"child {candidate.Name}: proposed TSi {string.Join(" ", tsiPayload.Selectors)} TSr {string.Join(" ", tsrPayload.Selectors)} " +
                    $"do not overlap its remote_ts {string.Join(" ", policyRemote)} and local_ts {string.Join(" ", policyLocal)}");
                continue;
            }

            child = candidate;

            // §1.3.1: transport mode only when asked for and our policy wants it too; otherwise tunnel,
            // and the missing USE_TRANSPORT_MODE in our response tells the initiator so.
            transport = transportRequested && candidate.Mode == IpsecMode.Transport;
            SelectionResult selection = ProposalSelection.Select(SecurityProtocol.Esp, candidate.EspProposals, saPayload.Proposals);
            if (!selection.IsMatch)
            {
                return Fail(selection.Explain(), NotifyType.NoProposalChosen);
            }

            chosen = selection.Proposal;
            if (inCreateChildSa && PfsMethod(chosen!.Transforms) is { } method)
            {
                KePayload? ke = request.Find<KePayload>();
                if (ke is null || ke.Method != method)
                {
                    // §1.3: tell the initiator which key exchange to use.
                    byte[] data = new byte[2];
                    BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)method);
                    context.Raise(new NegotiationFailed(context.Now, sa.Config.Name, $"Child SA: the initiator sent KE {ke?.Method.ToKeyword() ?? "none"} but the chosen proposal uses {method.ToKeyword()}"));
                    return new TaskResult(TaskOutcome.FailChild, "wrong key exchange", NotifyType.InvalidKePayload, data);
                }

                responderKe = context.Algorithms.KeyExchange(method)?.Respond(ke.Data.Span, context.Random);
                if (responderKe is not { IsSuccess: true })
                {
                    return Fail($"PFS key exchange failed: {responderKe?.Error ?? "unsupported"}", NotifyType.InvalidSyntax);
                }
            }

            tsi = narrowedI;
            tsr = narrowedR;
            ourSpi = context.RandomSpi();
            return Install(peerSpi: BinaryPrimitives.ReadUInt32BigEndian(chosen!.Spi.Span), responderKe?.SharedSecret, exchangeInitiator: false);
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
        if (Installed is null)
        {
            return;
        }

        if (transport)
        {
            response.Notify(NotifyType.UseTransportMode);
        }

        response.Notify(NotifyType.EspTfcPaddingNotSupported);
        response.Add(new SaPayload([EspProposal(chosen!.Number, ourSpi, chosen.Transforms)]));
        if (inCreateChildSa)
        {
            response.Add(new NoncePayload(nr));
            if (responderKe is { IsSuccess: true })
            {
                response.Add(new KePayload(PfsMethod(chosen.Transforms)!.Value, responderKe.ResponderShare));
            }
        }

        response.Add(new TsPayload(IkeRole.Initiator, tsi));
        response.Add(new TsPayload(IkeRole.Responder, tsr));
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        if (inCreateChildSa && response.Notify(NotifyType.InvalidKePayload) is { } invalidKe && invalidKe.TryGetInvalidKe(out KeyExchangeMethod wanted) && retryMethod is null
            && child!.EspProposals.Any(p => p.Any(t => t.Type == TransformType.KeyExchange && t.Id == (ushort)wanted)))
        {
            retryMethod = wanted;
            return TaskResult.Retry($"the responder asked for PFS key exchange {wanted.ToKeyword()}");
        }

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
        IReadOnlyList<TrafficSelector> ourLocal = replaced?.LocalTs ?? OurLocalTs(child);
        IReadOnlyList<TrafficSelector> ourRemote = replaced?.RemoteTs ?? OurRemoteTs(child);
        if (!tsiPayload.Selectors.All(s => ourLocal.Any(o => TrafficSelectorNarrowing.IsSubset(s, o))) ||
            !tsrPayload.Selectors.All(s => ourRemote.Any(o => TrafficSelectorNarrowing.IsSubset(s, o))))
        {
            return Fail($"the responder's selectors {string.Join(" ", tsiPayload.Selectors)} === {string.Join(" ", tsrPayload.Selectors)} are wider than ours", NotifyType.TsUnacceptable);
        }

        SecretBytes? pfs = null;
        if (inCreateChildSa)
        {
            if (response.Find<NoncePayload>() is not { } nonce || nonce.Data.Length is < 16 or > 256)
            {
                return Fail("the CREATE_CHILD_SA response has no valid nonce", NotifyType.InvalidSyntax);
            }

            nr = nonce.Data.ToArray();
            if (PfsMethod(chosen.Transforms) is { } method)
            {
                if (response.Find<KePayload>() is not { } ke || ke.Method != method || keyExchange is null)
                {
                    return Fail($"the responder chose PFS with {method.ToKeyword()} but sent no matching KE", NotifyType.InvalidSyntax);
                }

                KeyExchangeResult result = keyExchange.Finish(ke.Data.Span);
                if (!result.IsSuccess)
                {
                    return Fail($"PFS key exchange failed: {result.Error}", NotifyType.InvalidSyntax);
                }

                pfs = result.SharedSecret;
            }
        }

        tsi = [.. tsiPayload.Selectors];
        tsr = [.. tsrPayload.Selectors];
        transport = child.Mode == IpsecMode.Transport && response.Notify(NotifyType.UseTransportMode) is not null;
        return Install(peerSpi: BinaryPrimitives.ReadUInt32BigEndian(chosen.Spi.Span), pfs, exchangeInitiator: true);
    }

    private TaskResult Install(uint peerSpi, SecretBytes? pfsSecret, bool exchangeInitiator)
    {
        using (pfsSecret)
        {
            keyExchange?.Dispose();
            keyExchange = null;
            Transform enc = chosen!.Transforms.First(t => t.Type == TransformType.Encryption);
            Transform? integ = chosen.Transforms.FirstOrDefault(t => t.Type == TransformType.Integrity && t.Id != 0);
            Transform? esn = chosen.Transforms.FirstOrDefault(t => t.Type == TransformType.SequenceNumbers);
            IEncryptionAlgorithm? encryption = context.Algorithms.Encryption((EncryptionAlgorithm)enc.Id, enc.KeyLength ?? 0);
            IIntegrityAlgorithm? integrity = integ is null ? null : context.Algorithms.Integrity((IntegrityAlgorithm)integ.Id);
            if (encryption is null || (integ is not null && integrity is null))
            {
                return Fail($"{chosen.Keywords} is not supported by this build", NotifyType.NoProposalChosen);
            }

            // §2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), with this exchange's nonces.
            byte[] nonceI = inCreateChildSa ? ni : sa.Ni;
            byte[] nonceR = inCreateChildSa ? nr : sa.Nr;
            ChildSaKeys keys = IkeKeySchedule.DeriveChildSaKeys(sa.Prf!, sa.Keys!.SkD.ReadOnlySpan, encryption.KeyMaterialLength, integrity?.KeyLength ?? 0,
                nonceI, nonceR, pfsSecret is null ? default : pfsSecret.ReadOnlySpan);

            // The initiator of this exchange is "initiator" in KEYMAT order, whoever began the IKE SA.
            bool we = exchangeInitiator;
            List<TrafficSelector> local = we ? tsi : tsr;
            List<TrafficSelector> remote = we ? tsr : tsi;
            Installed = new ChildSa(child!, ourSpi, peerSpi, local, remote, context.Now);
            sa.Children.Add(Installed);
            context.ChildSpisInUse.Add(ourSpi);
            if (replaced is not null)
            {
                replaced.Rekeyed = true;
                if (!exchangeInitiator)
                {
                    replaced.TheirRekey = this;
                }
            }

            context.Raise(new ChildSaInstalled(
                context.Now, sa.Config.Name, child!.Name, ourSpi, peerSpi, transport ? IpsecMode.Transport : IpsecMode.Tunnel, chosen.Keywords,
                (EncryptionAlgorithm)enc.Id, enc.KeyLength ?? 0, integrity?.Id ?? IntegrityAlgorithm.None, esn is not null && esn.Id == (ushort)SequenceNumbers.Esn,
                EncryptionKeyIn: we ? keys.EncryptionResponder : keys.EncryptionInitiator,
                IntegrityKeyIn: we ? keys.IntegrityResponder : keys.IntegrityInitiator,
                EncryptionKeyOut: we ? keys.EncryptionInitiator : keys.EncryptionResponder,
                IntegrityKeyOut: we ? keys.IntegrityInitiator : keys.IntegrityResponder,
                local, remote, sa.Local, sa.Remote, sa.UseNatT)
            {
                // One shared instance when the Child SA has no byte or packet limits (the common case): 48 octets less per SA.
                Limits = child.RekeyBytes == 0 && child.RekeyPackets == 0 && child.LifeBytes == 0 && child.LifePackets == 0
                    ? ChildSaLimits.None
                    : new ChildSaLimits(child.RekeyBytes, child.RekeyPackets, child.LifeBytes, child.LifePackets),
            });
            return TaskResult.Done;
        }
    }
}
