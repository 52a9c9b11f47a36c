using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Auth;

public class CertificateLoadingTests
{
    private static readonly X509Certificate2 Ca = TestPki.Root("CN=Lab CA", SignatureKeyType.Rsa);
    private static readonly X509Certificate2 Leaf = TestPki.Leaf(Ca, "CN=moon");

    [Fact]
    public void Loads_der_and_every_certificate_of_pem()
    {
        Assert.Equal(Leaf.RawData, CertificateLoader.Load(Leaf.RawData).GetValueOrThrow().Single().RawData);

        string pem = "bundle\n" + PemEncoding.WriteString("CERTIFICATE", Leaf.RawData) + "\n" + PemEncoding.WriteString("CERTIFICATE", Ca.RawData) + "\n";
        IReadOnlyList<X509Certificate2> both = CertificateLoader.Load(Encoding.ASCII.GetBytes(pem)).GetValueOrThrow();
        Assert.Equal(["CN=moon", "CN=Lab CA"], both.Select(c => c.Subject));
    }

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "PEM block CERTIFICATE on line 1: not an X.509 certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n", "PEM block CERTIFICATE on line 1 is malformed")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "found PRIVATE KEY; expected -----BEGIN CERTIFICATE-----")]
    public void Bad_pem_says_what_is_wrong(string pem, string expected) =>
        Assert.Contains(expected, CertificateLoader.Load(Encoding.ASCII.GetBytes(pem)).Error, StringComparison.Ordinal);

    [Fact]
    public void Bad_der_says_it_is_not_a_certificate() =>
        Assert.StartsWith("not an X.509 certificate in DER", CertificateLoader.Load([0x30, 0x03, 0x02, 0x01, 0x01]).Error, StringComparison.Ordinal);

    [Fact]
    public void Certreq_hash_is_sha1_of_the_subject_public_key_info()
    {
#pragma warning disable CA5350 // RFC 7296 §3.7 defines the CA hash as SHA-1.
        byte[] expected = SHA1.HashData(Ca.PublicKey.ExportSubjectPublicKeyInfo());
#pragma warning restore CA5350
        Assert.Equal(expected, CertificateAuthorityHash.Compute(Ca));
        Assert.Equal(20, CertificateAuthorityHash.Compute(Ca).Length);
    }

    [Fact]
    public void Certreq_names_our_cas_and_finds_what_the_peer_asked_for()
    {
        X509Certificate2 other = TestPki.Root("CN=Other CA");
        X509Certificate2 third = TestPki.Root("CN=Third CA");
        CertReqPayload request = CertificateAuthorityHash.CreateCertReq([Ca, other]);

        Assert.Equal(CertificateEncoding.X509CertificateSignature, request.Encoding);
        Assert.Equal(2, request.AuthorityCount);
        Assert.Equal(CertificateAuthorityHash.Compute(other), request.GetAuthority(1).ToArray());
        Assert.Equal(["CN=Other CA"], CertificateAuthorityHash.FindRequested(request, [third, other]).Select(c => c.Subject));
        Assert.Empty(CertificateAuthorityHash.FindRequested(request with { Encoding = CertificateEncoding.PgpCertificate }, [Ca]));
    }

    [Fact]
    public void Certreq_hashes_are_computed_once_per_certificate_and_equal_the_direct_ones()
    {
        X509Certificate2 other = TestPki.Root("CN=Other CA");
        var hashes = new CertificateAuthorityHashes();

        CertReqPayload request = hashes.CertReq([Ca, other]);

        Assert.Equal(CertificateAuthorityHash.CreateCertReq([Ca, other]).Authorities.ToArray(), request.Authorities.ToArray());
        Assert.Same(hashes.Of(Ca), hashes.Of(Ca));
        Assert.Equal(2, hashes.Count);
        hashes.Clear();
        Assert.Equal(0, hashes.Count);
        Assert.Equal(CertificateAuthorityHash.Compute(other), hashes.Of(other));
    }

    [Fact]
    public void Verification_key_refuses_an_unsupported_key_with_its_algorithm()
    {
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        Outcome<VerificationKey> result = VerificationKey.FromSubjectPublicKeyInfo(brainpool.ExportSubjectPublicKeyInfo());
        Assert.False(result.Succeeded);
        Assert.Contains("curve 1.3.36.3.3.2.8.1.1.7 is not supported", result.Error, StringComparison.Ordinal);
        Assert.False(VerificationKey.FromSubjectPublicKeyInfo([0x30, 0x00]).Succeeded);
        Assert.False(VerificationKey.FromSubjectPublicKeyInfo([]).Succeeded);
    }
}
