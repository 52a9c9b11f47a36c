using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// The CA identifiers of CERTREQ (RFC 7296 §3.7): for X.509 encodings, "the SHA-1 hash of the
/// Subject Public Key Info element (see section 4.1.2.7 of [PKIX]) from each Trust Anchor
/// certificate", 20 octets each, concatenated.
/// </summary>
public static class CertificateAuthorityHash
{
    public const int Length = CertReqPayload.AuthorityHashLength;

    /// <summary>SHA-1 over the certificate's SubjectPublicKeyInfo, as encoded in the certificate.</summary>
    public static byte[] Compute(X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
#pragma warning disable CA5350 // RFC 7296 §3.7 fixes SHA-1 as the CA identifier; it names a key, it signs nothing.
        return SHA1.HashData(X509Parts.SubjectPublicKeyInfo(authority).Span);
#pragma warning restore CA5350
    }

    /// <summary>A CERTREQ for X.509 signatures (encoding 4) naming each of <paramref name="authorities"/>.</summary>
    public static CertReqPayload CreateCertReq(IEnumerable<X509Certificate2> authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        var hashes = new List<byte>();
        foreach (X509Certificate2 authority in authorities)
        {
            hashes.AddRange(Compute(authority));
        }

        return new CertReqPayload(CertificateEncoding.X509CertificateSignature, hashes.ToArray());
    }

    /// <summary>
    /// The certificates among <paramref name="candidates"/> whose key the peer's CERTREQ names,
    /// in the order of <paramref name="candidates"/>. A CERTREQ of another encoding names none.
    /// </summary>
    public static IReadOnlyList<X509Certificate2> FindRequested(CertReqPayload certReq, IEnumerable<X509Certificate2> candidates)
    {
        ArgumentNullException.ThrowIfNull(certReq);
        ArgumentNullException.ThrowIfNull(candidates);
        var found = new List<X509Certificate2>();
        if (certReq.Encoding != CertificateEncoding.X509CertificateSignature)
        {
            return found;
        }

        foreach (X509Certificate2 candidate in candidates)
        {
            byte[] hash = Compute(candidate);
            for (int i = 0; i < certReq.AuthorityCount; i++)
            {
                if (certReq.GetAuthority(i).Span.SequenceEqual(hash))
                {
                    found.Add(candidate);
                    break;
                }
            }
        }

        return found;
    }
}
