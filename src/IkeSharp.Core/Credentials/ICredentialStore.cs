using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto.Auth;

namespace IkeSharp.Core.Credentials;

/// <summary>Secrets and certificates the engine may use, looked up by identity or name; handed in by the owner.</summary>
public interface ICredentialStore
{
    /// <summary>
    /// The pre-shared key for a pair of identities (strongSwan's secrets: a PSK applies when its ID
    /// list contains both, or one when it names only one), or null.
    /// </summary>
    byte[]? SharedKey(string localId, string remoteId);

    /// <summary>Our certificate with its private key, by the name a connection's <c>local.certs</c> uses; null when unknown.</summary>
    CertificateCredential? Certificate(string name) => null;

    /// <summary>
    /// The CA certificates trusted for a peer: those named (a connection's <c>remote.cacerts</c>),
    /// or every configured CA when no name is given, as strongSwan does.
    /// </summary>
    IReadOnlyList<X509Certificate2> Authorities(IReadOnlyList<string> names) => [];

    /// <summary>A peer certificate configured by name (<c>remote.certs</c>): trusted as it is, without a CA.</summary>
    X509Certificate2? PeerCertificate(string name) => null;

    /// <summary>CRLs to check peer certificates against (RFC 5280 §6.3).</summary>
    IReadOnlyList<CertificateRevocationList> RevocationLists => [];
}

/// <summary>An end-entity certificate we authenticate with, its private key, and the intermediates we send with it.</summary>
public sealed record CertificateCredential(X509Certificate2 Certificate, SigningKey Key, IReadOnlyList<X509Certificate2> Intermediates);
