using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto.Auth;

namespace IkeSharp.Core.Credentials;

/// <summary>
/// PSKs, our certificates with their keys, trusted CAs, pinned peer certificates and CRLs, held in
/// memory by name (swanctl.conf's local.certs, remote.cacerts, remote.certs and secrets). The
/// daemon fills one from its config; a program embedding the engine fills one in code.
/// </summary>
public sealed class CredentialStore : SharedKeyStore, ICredentialStore
{
    private readonly Dictionary<string, CertificateCredential> certificates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, X509Certificate2> authorities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, X509Certificate2> peerCertificates = new(StringComparer.Ordinal);
    private readonly List<CertificateRevocationList> crls = [];

    public CredentialStore AddCertificate(string name, X509Certificate2 certificate, SigningKey key, params X509Certificate2[] intermediates)
    {
        certificates[name] = new CertificateCredential(certificate, key, intermediates);
        return this;
    }

    public CredentialStore AddAuthority(string name, X509Certificate2 authority)
    {
        authorities[name] = authority;
        return this;
    }

    public CredentialStore AddPeerCertificate(string name, X509Certificate2 certificate)
    {
        peerCertificates[name] = certificate;
        return this;
    }

    public CredentialStore AddRevocationList(CertificateRevocationList crl)
    {
        crls.Add(crl);
        return this;
    }

    public CertificateCredential? Certificate(string name) => certificates.GetValueOrDefault(name);

    public IReadOnlyList<X509Certificate2> Authorities(IReadOnlyList<string> names) =>
        names.Count == 0 ? [.. authorities.Values] : [.. names.Select(n => authorities.GetValueOrDefault(n)).OfType<X509Certificate2>()];

    public X509Certificate2? PeerCertificate(string name) => peerCertificates.GetValueOrDefault(name);

    public IReadOnlyList<CertificateRevocationList> RevocationLists => crls;
}
