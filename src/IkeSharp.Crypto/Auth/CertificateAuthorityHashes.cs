using System.Security.Cryptography.X509Certificates;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// The CERTREQ CA identifiers (RFC 7296 §3.7: SHA-1 of each trust anchor's SubjectPublicKeyInfo)
/// of the configured certificates, computed once per loaded certificate instead of for every
/// IKE_SA_INIT response and IKE_AUTH (a profile of the responder showed the per-SA hashing,
/// with its TBSCertificate parsing, at about 7% of the engine's time). Keyed by the certificate
/// object: a config reload loads new objects, and the owner clears this then. Not thread-safe: it
/// belongs to one engine.
/// </summary>
public sealed class CertificateAuthorityHashes
{
    private readonly Dictionary<X509Certificate2, byte[]> hashes = new(ReferenceEqualityComparer.Instance);

    /// <summary>The 20-octet identifier of <paramref name="authority"/> (<see cref="CertificateAuthorityHash.Compute"/>).</summary>
    public byte[] Of(X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        if (!hashes.TryGetValue(authority, out byte[]? hash))
        {
            hash = CertificateAuthorityHash.Compute(authority);
            hashes[authority] = hash;
        }

        return hash;
    }

    /// <summary>A CERTREQ for X.509 signatures (encoding 4) naming each of <paramref name="authorities"/>.</summary>
    public CertReqPayload CertReq(IReadOnlyList<X509Certificate2> authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        byte[] data = new byte[authorities.Count * CertificateAuthorityHash.Length];
        for (int i = 0; i < authorities.Count; i++)
        {
            Of(authorities[i]).CopyTo(data, i * CertificateAuthorityHash.Length);
        }

        return new CertReqPayload(CertificateEncoding.X509CertificateSignature, data);
    }

    public int Count => hashes.Count;

    /// <summary>Forgets every identifier (a config reload).</summary>
    public void Clear() => hashes.Clear();
}
