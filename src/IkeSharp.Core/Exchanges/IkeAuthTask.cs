using System.Net;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// IKE_AUTH's authentication (RFC 7296 §1.2, §2.15): identities, certificates and AUTH, each side
/// with its own method (asymmetric authentication): a pre-shared key MIC, or a signature with a
/// certificate's key (RSA, ECDSA, EdDSA; RFC 7427 Digital Signature when the peer announced
/// SIGNATURE_HASH_ALGORITHMS). Each side checks the other's ID against its policy, and a
/// certificate's path to a trusted CA and its binding to the ID. INITIAL_CONTACT (§2.4) goes with
/// the initiator's first IKE_AUTH. On failure the responder answers AUTHENTICATION_FAILED and
/// nothing is installed.
/// </summary>
internal sealed class IkeAuthTask(IkeSa sa, EngineContext context) : IExchangeTask
{
    private CertificateCredential? ourCertificate;
    private IdPayload? responderId;
    private AuthPayload? responderAuth;

    private static string DefaultId(IPEndPoint endpoint) => endpoint.Address.ToString();

    private IdPayload OwnId(IkeRole role)
    {
        if (sa.Config.Local.Id is { } configured)
        {
            sa.LocalId = configured;
            return IdPayload.FromText(role, configured);
        }

        if (ourCertificate is not null)
        {
            // strongSwan's default with a certificate: the subject DN (RFC 4945 §3.1.5).
            var dn = new IdPayload(role, IdType.DerAsn1Dn, ourCertificate.Certificate.SubjectName.RawData);
            sa.LocalId = dn.DisplayValue;
            return dn;
        }

        sa.LocalId = DefaultId(sa.Local);
        return IdPayload.FromText(role, sa.LocalId);
    }

    public void BuildRequest(MessageBuilder request)
    {
        ChooseCertificate();
        IdPayload idi = OwnId(IkeRole.Initiator);
        request.Add(idi);
        AddCertificates(request);
        if (sa.Config.SendInitialContact && sa.Config.Unique != UniquePolicy.Never)
        {
            request.Notify(NotifyType.InitialContact);
        }

        if (CertificateRequests.Build(sa, context) is { } certReq)
        {
            request.Add(certReq);
        }

        if (!IdentityPattern.IsWildcard(sa.Config.Remote.Id))
        {
            request.Add(IdPayload.FromText(IkeRole.Responder, sa.Config.Remote.Id!));
        }

        Outcome<AuthPayload> auth = OurAuth(idi, sa.InitRequest, sa.Nr, sa.Keys!.SkPi.ReadOnlySpan);
        request.Add(auth.Value ?? throw new InvalidOperationException(auth.Error));
    }

    /// <summary>With auth = pubkey, the certificate and key we sign with; the engine cannot go on without one.</summary>
    private void ChooseCertificate()
    {
        if (sa.Config.Local.Auth != AuthKind.PublicKey)
        {
            return;
        }

        ourCertificate = CertificateRequests.Choose(sa, context) ?? throw new InvalidOperationException(
            $"connection {sa.Config.Name} authenticates with a certificate, but none of local.certs ({string.Join(", ", sa.Config.Local.Certs)}) is loaded with its private key");
    }

    /// <summary>CERT payloads (RFC 7296 §3.6): the end-entity certificate first, then its intermediates.</summary>
    private void AddCertificates(MessageBuilder message)
    {
        if (ourCertificate is null)
        {
            return;
        }

        message.Add(new CertPayload(CertificateEncoding.X509CertificateSignature, ourCertificate.Certificate.RawData));
        foreach (X509Certificate2 intermediate in ourCertificate.Intermediates)
        {
            message.Add(new CertPayload(CertificateEncoding.X509CertificateSignature, intermediate.RawData));
        }
    }

    /// <summary>Our AUTH payload over our signed octets (§2.15): a PSK MIC or a signature.</summary>
    private Outcome<AuthPayload> OurAuth(IdPayload id, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> skP)
    {
        byte[] octets = SignedOctets.Build(sa.Prf!, skP, realMessage, peerNonce, SignedOctets.RestOfIdPayload(id));
        if (ourCertificate is not null)
        {
            Outcome<AuthPayload> signed = SignatureAuthentication.Sign(ourCertificate.Key, octets, sa.PeerSignatureHashes);
            return signed.Succeeded ? signed : Outcome<AuthPayload>.Fail($"cannot sign our AUTH payload: {signed.Error}");
        }

        byte[]? key = SharedKey();
        return key is null
            ? Outcome<AuthPayload>.Fail($"no pre-shared key for {sa.LocalId} - {PeerIdForSecrets()}")
            : Outcome<AuthPayload>.Success(SharedKeyMic.CreatePayload(sa.Prf!, key, octets));
    }

    private string PeerIdForSecrets() => sa.RemoteId.Length > 0 ? sa.RemoteId : sa.Config.Remote.Id ?? DefaultId(sa.Remote);

    private byte[]? SharedKey() => context.Credentials.SharedKey(sa.LocalId, PeerIdForSecrets());

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        IdPayload? idi = request.Find<IdPayload>();
        AuthPayload? auth = request.Find<AuthPayload>();
        if (idi is null || idi.Role != IkeRole.Initiator || auth is null)
        {
            return TaskResult.FailIkeSa("IKE_AUTH request without IDi or AUTH (EAP is not supported yet)", NotifyType.AuthenticationFailed);
        }

        CertificateRequests.Collect(sa, request);
        sa.RemoteId = idi.DisplayValue;
        TaskResult verified = Verify(idi, auth, request, sa.InitRequest, sa.Nr, sa.Keys!.SkPi.ReadOnlySpan, "initiator");
        if (verified.Status != TaskOutcome.Done)
        {
            return verified;
        }

        // Our own AUTH is made now, so a missing key or certificate is an answer, not an exception.
        try
        {
            ChooseCertificate();
        }
        catch (InvalidOperationException e)
        {
            return Refuse(e.Message);
        }

        responderId = OwnId(IkeRole.Responder);
        Outcome<AuthPayload> ours = OurAuth(responderId, sa.InitResponse, sa.Ni, sa.Keys!.SkPr.ReadOnlySpan);
        if (!ours.Succeeded)
        {
            sa.Authenticated = false;
            return Refuse(ours.Error!);
        }

        responderAuth = ours.Value;
        return TaskResult.Done;
    }

    public void BuildResponse(MessageBuilder response)
    {
        response.Add(responderId!);
        AddCertificates(response);
        response.Add(responderAuth!);
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        if (response.Notify(NotifyType.AuthenticationFailed) is not null)
        {
            context.Raise(new AuthFailed(context.Now, sa.Config.Name, $"the peer {sa.Remote} refused our authentication as {sa.LocalId} (AUTHENTICATION_FAILED): check the {AuthWord(sa.Config.Local.Auth)} and IDs on both sides"));
            return TaskResult.FailIkeSa("the peer refused our authentication");
        }

        IdPayload? idr = response.Find<IdPayload>();
        AuthPayload? auth = response.Find<AuthPayload>();
        if (idr is null || idr.Role != IkeRole.Responder || auth is null)
        {
            string error = response.FirstError() is { } e ? $" ({e.NotifyType.ToIanaName()})" : "";
            return TaskResult.FailIkeSa($"IKE_AUTH response without IDr or AUTH{error}");
        }

        sa.RemoteId = idr.DisplayValue;
        return Verify(idr, auth, response, sa.InitResponse, sa.Ni, sa.Keys!.SkPr.ReadOnlySpan, "responder");
    }

    private static string AuthWord(AuthKind kind) => kind == AuthKind.Psk ? "pre-shared key" : "certificates";

    private TaskResult Refuse(string reason)
    {
        context.Raise(new AuthFailed(context.Now, sa.Config.Name, reason));
        return TaskResult.FailIkeSa(reason, NotifyType.AuthenticationFailed);
    }

    private TaskResult Verify(IdPayload peerId, AuthPayload auth, ReceivedMessage message, ReadOnlySpan<byte> peerRealMessage, ReadOnlySpan<byte> ourNonce, ReadOnlySpan<byte> peerSkP, string peerRole)
    {
        string? expected = sa.Config.Remote.Id;
        if (!IdentityPattern.Matches(expected, peerId))
        {
            return Refuse($"the {peerRole} identified as {peerId.IdType.ToIanaName()} {peerId.DisplayValue}, but connection {sa.Config.Name} expects {expected}");
        }

        bool isPsk = auth.Method == AuthMethod.SharedKeyMessageIntegrityCode;
        bool isSignature = auth.Method is AuthMethod.RsaDigitalSignature or AuthMethod.EcdsaSha256P256 or AuthMethod.EcdsaSha384P384
            or AuthMethod.EcdsaSha512P521 or AuthMethod.DigitalSignature;
        if ((sa.Config.Remote.Auth == AuthKind.Psk && !isPsk) || (sa.Config.Remote.Auth == AuthKind.PublicKey && !isSignature))
        {
            return Refuse($"the {peerRole} authenticated with {auth.Method.ToIanaName()}, but connection {sa.Config.Name} expects {(sa.Config.Remote.Auth == AuthKind.Psk ? "a pre-shared key (auth = psk)" : "a certificate signature (auth = pubkey)")}");
        }

        byte[] octets = SignedOctets.Build(sa.Prf!, peerSkP, peerRealMessage, ourNonce, SignedOctets.RestOfIdPayload(peerId));
        string? failure = isPsk ? VerifySharedKey(auth, octets, peerRole) : VerifySignature(peerId, auth, message, octets, peerRole);
        if (failure is not null)
        {
            return Refuse(failure);
        }

        sa.Authenticated = true;
        return TaskResult.Done;
    }

    private string? VerifySharedKey(AuthPayload auth, byte[] octets, string peerRole)
    {
        byte[]? key = SharedKey();
        if (key is null)
        {
            return $"no pre-shared key for {sa.LocalId} - {sa.RemoteId}";
        }

        AuthResult verified = SharedKeyMic.Verify(sa.Prf!, key, octets, auth.Data.Span);
        return verified.Succeeded
            ? null
            : $"the {peerRole}'s AUTH payload does not verify with the pre-shared key for {sa.LocalId} - {sa.RemoteId}: the keys differ ({verified.FailureReason})";
    }

    /// <summary>
    /// A signature AUTH (§2.15, RFC 7427): the peer's end-entity certificate (its first CERT, or one
    /// configured in remote.certs) must chain to a trusted CA (or be that configured certificate),
    /// carry the peer's ID (RFC 4945 §3.1), and its key must verify the signature.
    /// </summary>
    private string? VerifySignature(IdPayload peerId, AuthPayload auth, ReceivedMessage message, byte[] octets, string peerRole)
    {
        List<ReadOnlyMemory<byte>> presented = [];
        foreach (Payload p in message.Payloads)
        {
            if (p is CertPayload { Encoding: CertificateEncoding.X509CertificateSignature } cert)
            {
                presented.Add(cert.Data);
            }
        }

        List<X509Certificate2> pinned = [.. sa.Config.Remote.Certs.Select(context.Credentials.PeerCertificate).OfType<X509Certificate2>()];
        IReadOnlyList<X509Certificate2> anchors = pinned.Count == 0 ? context.Credentials.Authorities(sa.Config.Remote.CaCerts) : [];
        IReadOnlyList<CertificateRevocationList> crls = context.Credentials.RevocationLists;
        DateTime now = context.CalendarClock.GetUtcNow().UtcDateTime;

        // The same certificates as an earlier SA's, under the same CAs and CRLs, and still in
        // time: the path is not validated again (strongSwan's cert_cache), the AUTH signature is.
        if (pinned.Count == 0 && context.ValidatedChains.Find(presented, anchors, crls, now) is { } cached)
        {
            return Authenticate(cached.EndEntity, cached.Key(), ownsKey: false, peerId, auth, octets, peerRole);
        }

        var received = new List<X509Certificate2>();
        CertificateValidation? validation = null;
        try
        {
            foreach (ReadOnlyMemory<byte> der in presented)
            {
                Outcome<X509Certificate2> loaded = CertificateLoader.LoadDer(der.Span);
                if (!loaded.Succeeded)
                {
                    return $"the {peerRole}'s CERT payload #{received.Count + 1} is not a valid X.509 certificate: {loaded.Error}";
                }

                received.Add(loaded.Value!);
            }

            X509Certificate2? endEntity = received.Count > 0 ? received[0] : pinned.FirstOrDefault(c => CertificateIdentity.Match(c, peerId).Succeeded);
            if (endEntity is null)
            {
                return $"the {peerRole} ({peerId.DisplayValue}) sent no certificate, and connection {sa.Config.Name} has none configured for it in remote.certs";
            }

            if (pinned.Count > 0)
            {
                if (!pinned.Any(c => c.RawData.AsSpan().SequenceEqual(endEntity.RawData)))
                {
                    return $"the {peerRole}'s certificate {endEntity.Subject} is not one of the certificates configured in remote.certs of connection {sa.Config.Name}";
                }
            }
            else
            {
                validation = new CertificateValidator(anchors, crls).Validate(endEntity, received.Skip(1), now);
                if (!validation.IsValid)
                {
                    return $"the {peerRole}'s certificate is not trusted: {validation.FailureReason}";
                }

                if (context.ValidatedChains.TryAdd(presented, anchors, crls, endEntity, validation, now, out ValidatedPeerCertificate? entry))
                {
                    received.RemoveAt(0); // the cache owns the end entity and the path now
                    validation = null;
                    return Authenticate(entry!.EndEntity, entry.Key(), ownsKey: false, peerId, auth, octets, peerRole);
                }
            }

            return Authenticate(endEntity, VerificationKey.FromCertificate(endEntity), ownsKey: true, peerId, auth, octets, peerRole);
        }
        finally
        {
            foreach (X509Certificate2 c in received)
            {
                c.Dispose();
            }

            // X509Chain's copies of the path (the configured CAs are not among them).
            foreach (X509Certificate2 c in validation?.Chain ?? [])
            {
                if (!received.Contains(c) && !anchors.Any(a => ReferenceEquals(a, c)))
                {
                    c.Dispose();
                }
            }
        }
    }

    /// <summary>The certificate must carry the peer's ID (RFC 4945 §3.1) and its key must verify the AUTH signature (RFC 7427).</summary>
    private static string? Authenticate(X509Certificate2 endEntity, Outcome<VerificationKey> key, bool ownsKey, IdPayload peerId, AuthPayload auth, byte[] octets, string peerRole)
    {
        try
        {
            AuthResult bound = CertificateIdentity.Match(endEntity, peerId);
            if (!bound.Succeeded)
            {
                return $"the {peerRole}'s certificate does not vouch for its identity: {bound.FailureReason}";
            }

            if (!key.Succeeded)
            {
                return $"the {peerRole}'s certificate key cannot be used: {key.Error}";
            }

            AuthResult verified = SignatureAuthentication.Verify(key.Value!, auth, octets, SignatureAuthentication.AnnouncedHashes);
            return verified.Succeeded ? null : $"the {peerRole}'s AUTH signature does not verify with the key of its certificate {endEntity.Subject}: {verified.FailureReason}";
        }
        finally
        {
            if (ownsKey)
            {
                key.Value?.Dispose();
            }
        }
    }
}
