using IkeSharp.Core.Negotiation;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// IKE_SA_INIT (RFC 7296 §1.2): proposals, key exchange, nonces, NAT detection (§2.23), with the
/// INVALID_KE_PAYLOAD retry (§1.3) and COOKIE (§2.6) on the initiator's side. Ends by deriving the
/// IKE SA's keys (§2.14), which IKE_AUTH uses; so this task's results live on in the SA.
/// </summary>
internal sealed class IkeSaInitTask(IkeSa sa, EngineContext context) : IExchangeTask
{
    private const int NonceLength = 32;
    private IKeyExchangeInitiator? keyExchange;
    private KeyExchangeMethod? shareMethod;
    private byte[]? randomNatSource;
    private KeyExchangeMethod? retryMethod;
    private ReadOnlyMemory<byte> cookie;
    private KeyExchangeResult? responderKe;

    public void BuildRequest(MessageBuilder request)
    {
        KeyExchangeMethod method = retryMethod ?? FirstKeyExchange();
        IKeyExchangeAlgorithm ke = context.Algorithms.KeyExchange(method)
            ?? throw new InvalidOperationException($"key exchange {method.ToKeyword()} is configured but not supported");
        if (keyExchange is null || shareMethod != method)
        {
            // §2.6: the retry after a COOKIE carries "all other payloads unchanged", so the same share
            // (a new one only for the group INVALID_KE_PAYLOAD asks for, §1.3). A fresh share would
            // break a responder that answers a duplicate of the first request twice: we would retry
            // twice, and take its answer to the first retry as the answer to the second, whose
            // private key it does not match (seen under a spoofed flood: IKE_AUTH never decrypted).
            keyExchange?.Dispose();
            keyExchange = ke.Initiate(context.Random);
            shareMethod = method;
        }

        if (sa.Ni.Length == 0)
        {
            sa.Ni = context.RandomBytes(NonceLength);
        }

        if (!cookie.IsEmpty)
        {
            request.Add(NotifyPayload.Cookie(cookie));
        }

        var proposals = new Proposal[sa.Config.Proposals.Count];
        for (int i = 0; i < proposals.Length; i++)
        {
            proposals[i] = new Proposal((byte)(i + 1), SecurityProtocol.Ike, ReadOnlyMemory<byte>.Empty, sa.Config.Proposals[i]);
        }

        request.Add(new SaPayload(proposals));
        request.Add(new KePayload(method, keyExchange.Share));
        request.Add(new NoncePayload(sa.Ni));
        AddNatDetection(request);
        AddSignatureHashes(request);
        if (Childless)
        {
            // RFC 6023 §3: an initiator that will leave the Child SA out of IKE_AUTH says it supports that.
            request.Notify(NotifyType.ChildlessIkev2Supported);
        }
    }

    /// <summary>The connection has no Child SA to bring up, so IKE_AUTH will carry none (RFC 6023).</summary>
    private bool Childless => sa.IsInitiator && sa.Config.Children.Count == 0;

    /// <summary>RFC 7427 §4: announce the hashes we verify signatures with, as strongSwan does in every IKE_SA_INIT.</summary>
    private static void AddSignatureHashes(MessageBuilder message) =>
        message.Add(NotifyPayload.SignatureHashAlgorithms([.. Crypto.Auth.SignatureAuthentication.AnnouncedHashes]));

    /// <summary>Remembers the peer's SIGNATURE_HASH_ALGORITHMS and CERTREQs for IKE_AUTH (RFC 7427 §4, RFC 7296 §3.7).</summary>
    private void ReadAuthHints(ReceivedMessage message)
    {
        if (message.Notify(NotifyType.SignatureHashAlgorithms) is { } hashes)
        {
            sa.PeerSignatureHashes = hashes.GetSignatureHashAlgorithms();
        }

        CertificateRequests.Collect(sa, message);
    }

    private KeyExchangeMethod FirstKeyExchange()
    {
        foreach (IReadOnlyList<Transform> proposal in sa.Config.Proposals)
        {
            foreach (Transform t in proposal)
            {
                if (t.Type == TransformType.KeyExchange)
                {
                    return (KeyExchangeMethod)t.Id;
                }
            }
        }

        throw new InvalidOperationException($"connection {sa.Config.Name} has no key exchange method in its IKE proposals");
    }

    /// <summary>
    /// NAT_DETECTION_SOURCE_IP/DESTINATION_IP (§2.23). With encap forced, the source hash is of a
    /// random address, so the peer sees a NAT and both float to 4500, as strongSwan's encap=yes does.
    /// </summary>
    private void AddNatDetection(MessageBuilder message)
    {
        // The SPIs as they appear in the header of this message: SPIr is zero in the request.
        ulong spiR = sa.IsInitiator ? 0 : sa.SpiR;

        // The random hash is drawn once, so a retried IKE_SA_INIT stays the same message (§2.6).
        byte[] source = sa.Config.Encap ? randomNatSource ??= context.RandomBytes(NatDetection.HashLength) : NatDetection.ComputeHash(sa.SpiI, spiR, sa.Local);
        message.Add(NotifyPayload.NatDetection(true, source));
        message.Add(NotifyPayload.NatDetection(false, NatDetection.ComputeHash(sa.SpiI, spiR, sa.Remote)));
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        if (response.Notify(NotifyType.Cookie) is { } c)
        {
            // §2.6: send the same request again with the cookie first.
            cookie = c.Data.ToArray();
            return TaskResult.Retry("the responder asked for a cookie");
        }

        if (response.Notify(NotifyType.InvalidKePayload) is { } invalidKe && invalidKe.TryGetInvalidKe(out KeyExchangeMethod wanted))
        {
            if (retryMethod is not null || !ConfiguredMethods().Contains(wanted))
            {
                return TaskResult.FailIkeSa($"the responder wants key exchange {wanted.ToKeyword()}, which is not in our proposals ({string.Join(", ", ConfiguredMethods().Select(m => m.ToKeyword()))})");
            }

            retryMethod = wanted;
            return TaskResult.Retry($"the responder asked for key exchange {wanted.ToKeyword()} (INVALID_KE_PAYLOAD)");
        }

        if (response.FirstError() is { } error)
        {
            return TaskResult.FailIkeSa($"the responder refused IKE_SA_INIT with {error.NotifyType.ToIanaName()}");
        }

        SaPayload? saPayload = response.Find<SaPayload>();
        KePayload? ke = response.Find<KePayload>();
        NoncePayload? nonce = response.Find<NoncePayload>();
        if (saPayload is null || ke is null || nonce is null || saPayload.Proposals.Count != 1)
        {
            return TaskResult.FailIkeSa("the IKE_SA_INIT response lacks SA, KE or Nonce, or has more than one proposal");
        }

        Proposal chosen = saPayload.Proposals[0];

        // §2.7: the responder must pick one of ours; check it really is acceptable to us.
        if (!sa.Config.Proposals.Any(p => ProposalSelection.TryMatch(p, chosen.Transforms, out _) is null))
        {
            return TaskResult.FailIkeSa($"the responder chose {chosen.Keywords}, which we did not offer");
        }

        if ((KeyExchangeMethod?)chosen.Transforms.FirstOrDefault(t => t.Type == TransformType.KeyExchange)?.Id != ke.Method || keyExchange is null || ke.Method != (retryMethod ?? FirstKeyExchange()))
        {
            return TaskResult.FailIkeSa($"the responder's KE payload ({ke.Method.ToKeyword()}) does not match the chosen proposal or our key exchange");
        }

        if (nonce.Data.Length is < 16 or > 256)
        {
            return TaskResult.FailIkeSa($"the responder's nonce is {nonce.Data.Length} octets; RFC 7296 §3.9 allows 16 to 256");
        }

        KeyExchangeResult secret = keyExchange.Finish(ke.Data.Span);
        if (!secret.IsSuccess)
        {
            return TaskResult.FailIkeSa($"key exchange failed: {secret.Error}");
        }

        if (Childless && response.Notify(NotifyType.ChildlessIkev2Supported) is null)
        {
            // RFC 6023 §3: without the responder's CHILDLESS_IKEV2_SUPPORTED, an IKE_AUTH without SA and TS would be refused.
            return TaskResult.FailIkeSa("the responder did not announce CHILDLESS_IKEV2_SUPPORTED (RFC 6023), so it cannot set up an IKE SA without a Child SA; configure a child");
        }

        sa.Nr = nonce.Data.ToArray();
        sa.InitResponse = response.Datagram.ToArray();
        CheckNat(response);
        ReadAuthHints(response);
        string? failure = DeriveKeys(chosen, secret.SharedSecret!);
        return failure is null ? TaskResult.Done : TaskResult.FailIkeSa(failure);
    }

    private IEnumerable<KeyExchangeMethod> ConfiguredMethods() =>
        sa.Config.Proposals.SelectMany(p => p).Where(t => t.Type == TransformType.KeyExchange).Select(t => (KeyExchangeMethod)t.Id).Distinct();

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        SaPayload? saPayload = request.Find<SaPayload>();
        KePayload? ke = request.Find<KePayload>();
        NoncePayload? nonce = request.Find<NoncePayload>();
        if (saPayload is null || ke is null || nonce is null)
        {
            return TaskResult.FailIkeSa("IKE_SA_INIT request without SA, KE or Nonce", NotifyType.InvalidSyntax);
        }

        if (nonce.Data.Length is < 16 or > 256)
        {
            return TaskResult.FailIkeSa($"the initiator's nonce is {nonce.Data.Length} octets; RFC 7296 §3.9 allows 16 to 256", NotifyType.InvalidSyntax);
        }

        SelectionResult selection = ProposalSelection.Select(SecurityProtocol.Ike, sa.Config.Proposals, saPayload.Proposals);
        if (!selection.IsMatch)
        {
            return TaskResult.FailIkeSa(selection.Explain(), NotifyType.NoProposalChosen);
        }

        Proposal chosen = selection.Proposal!;
        var method = (KeyExchangeMethod)chosen.Transforms.First(t => t.Type == TransformType.KeyExchange).Id;
        if (ke.Method != method)
        {
            // §1.3: the KE payload guessed another group; tell the initiator which one we want.
            byte[] data = new byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)method);
            return TaskResult.FailIkeSa($"the initiator sent KE {ke.Method.ToKeyword()} but the chosen proposal uses {method.ToKeyword()}", NotifyType.InvalidKePayload, data);
        }

        IKeyExchangeAlgorithm? algorithm = context.Algorithms.KeyExchange(method);
        if (algorithm is null)
        {
            return TaskResult.FailIkeSa($"key exchange {method.ToKeyword()} is not supported", NotifyType.NoProposalChosen);
        }

        // A fresh value, or with [daemon] ke_reuse_time the one kept for this method (RFC 7296 §2.12).
        responderKe = context.KeyReuse.Respond(algorithm, ke.Data.Span, context.Random, context.Now);
        if (!responderKe.IsSuccess)
        {
            return TaskResult.FailIkeSa($"the initiator's key exchange data is invalid: {responderKe.Error}", NotifyType.InvalidSyntax);
        }

        sa.Ni = nonce.Data.ToArray();
        sa.Nr = context.RandomBytes(NonceLength);
        sa.InitRequest = request.Datagram.ToArray();
        sa.Proposal = chosen;
        CheckNat(request);
        ReadAuthHints(request);
        string? failure = DeriveKeys(chosen, responderKe.SharedSecret!);
        return failure is null ? TaskResult.Done : TaskResult.FailIkeSa(failure, NotifyType.NoProposalChosen);
    }

    public void BuildResponse(MessageBuilder response)
    {
        response.Add(new SaPayload([sa.Proposal!]));
        response.Add(new KePayload((KeyExchangeMethod)sa.Proposal!.Transforms.First(t => t.Type == TransformType.KeyExchange).Id, responderKe!.ResponderShare));
        response.Add(new NoncePayload(sa.Nr));
        AddNatDetection(response);

        // RFC 7296 §1.2: the responder may ask for a certificate in message 2, naming the CAs it trusts.
        if (CertificateRequests.Build(sa, context) is { } certReq)
        {
            response.Add(certReq);
        }

        AddSignatureHashes(response);

        // RFC 6023 §3: we accept an IKE_AUTH without SA and TS (ChildCreateTask), so we say so.
        response.Notify(NotifyType.ChildlessIkev2Supported);
    }

    /// <summary>§2.23: compare the peer's hashes with the addresses we see; a mismatch means a NAT.</summary>
    private void CheckNat(ReceivedMessage message)
    {
        NotifyPayload? source = message.Notify(NotifyType.NatDetectionSourceIp);
        NotifyPayload? destination = message.Notify(NotifyType.NatDetectionDestinationIp);
        // The SPIs as they appear in the received header: the response carries SPIr, the request zero.
        ulong spiR = sa.IsInitiator ? sa.SpiR : 0;
        bool natRemote = source is not null && !NatDetection.Matches(source.Data.Span, sa.SpiI, spiR, sa.Remote);
        bool natLocal = destination is not null && !NatDetection.Matches(destination.Data.Span, sa.SpiI, spiR, sa.Local);
        sa.UseNatT = sa.Config.Encap || natRemote || natLocal;

        // We keep the NAT mapping open with keepalives when we are the one behind it (RFC 3948 §2.3),
        // or when encapsulation is forced and the peer believes we are.
        sa.LocalBehindNat = natLocal || sa.Config.Encap;
    }

    private string? DeriveKeys(Proposal chosen, SecretBytes sharedSecret)
    {
        using (sharedSecret)
        {
            if (IkeSaCrypto.Resolve(context.Algorithms, chosen) is not { } crypto)
            {
                return $"the chosen proposal {chosen.Keywords} names an algorithm this build does not support";
            }

            sa.Proposal = chosen;
            using SecretBytes skeyseed = IkeKeySchedule.Skeyseed(crypto.Prf, sa.Ni, sa.Nr, sharedSecret.ReadOnlySpan);
            crypto.InstallKeys(sa, skeyseed.ReadOnlySpan, context);
            sa.State = IkeSaState.Authenticating;
            keyExchange?.Dispose();
            keyExchange = null;
            return null;
        }
    }
}
