using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// CERTREQ (RFC 7296 §3.7): asking the peer for a certificate by the SHA-1 hashes of the CA keys we
/// trust, and reading its requests so we send the certificate it can verify.
/// </summary>
internal static class CertificateRequests
{
    /// <summary>Our CERTREQ when we authenticate the peer by certificate; null when we do not, or know no CA.</summary>
    public static CertReqPayload? Build(IkeSa sa, EngineContext context)
    {
        if (sa.Config.Remote.Auth != AuthKind.PublicKey)
        {
            return null;
        }

        IReadOnlyList<X509Certificate2> authorities = context.Credentials.Authorities(sa.Config.Remote.CaCerts);
        return authorities.Count == 0 ? null : context.AuthorityHashes.CertReq(authorities);
    }

    /// <summary>Keeps the CA hashes of every X.509 CERTREQ in the message.</summary>
    public static void Collect(IkeSa sa, ReceivedMessage message)
    {
        foreach (Payload p in message.Payloads)
        {
            if (p is CertReqPayload { Encoding: CertificateEncoding.X509CertificateSignature } req)
            {
                for (int i = 0; i < req.AuthorityCount; i++)
                {
                    sa.PeerCertificateRequests.Add(req.GetAuthority(i));
                }
            }
        }
    }

    /// <summary>
    /// Our certificate for this connection: of those in <c>local.certs</c>, the first issued by a CA the
    /// peer asked for, else the first one we have.
    /// </summary>
    public static CertificateCredential? Choose(IkeSa sa, EngineContext context)
    {
        CertificateCredential? first = null;
        foreach (string name in sa.Config.Local.Certs)
        {
            if (context.Credentials.Certificate(name) is not { } credential)
            {
                continue;
            }

            first ??= credential;
            if (sa.PeerCertificateRequests.Count == 0)
            {
                return credential;
            }

            foreach (X509Certificate2 issuer in credential.Intermediates)
            {
                byte[] hash = context.AuthorityHashes.Of(issuer);
                if (sa.PeerCertificateRequests.Any(r => r.Span.SequenceEqual(hash)))
                {
                    return credential;
                }
            }

            foreach (X509Certificate2 authority in context.Credentials.Authorities([]))
            {
                if (authority.SubjectName.RawData.AsSpan().SequenceEqual(credential.Certificate.IssuerName.RawData)
                    && sa.PeerCertificateRequests.Any(r => r.Span.SequenceEqual(context.AuthorityHashes.Of(authority))))
                {
                    return credential;
                }
            }
        }

        return first;
    }
}
