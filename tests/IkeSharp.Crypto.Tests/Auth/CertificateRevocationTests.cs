using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto.Auth;

namespace IkeSharp.Crypto.Tests.Auth;

public class CertificateRevocationTests
{
    private static readonly DateTimeOffset Revoked = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static CertificateRevocationList Load(byte[] crl) => CertificateRevocationList.Load(crl).GetValueOrThrow().Single();

    [Theory]
    [InlineData(SignatureKeyType.EcdsaP256)]
    [InlineData(SignatureKeyType.Rsa)]
    public void A_revoked_leaf_is_refused_with_the_crl_issuer_and_date(SignatureKeyType keyType)
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA", keyType);
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        X509Certificate2 other = TestPki.Leaf(ca, "CN=sun");
        CertificateRevocationList crl = Load(TestPki.Crl(ca, Revoked.AddDays(1), (leaf, Revoked)));

        var validator = new CertificateValidator([ca], [crl]);
        CertificateValidation result = validator.Validate(leaf, [], TestPki.Now);

        Assert.False(result.IsValid);
        Assert.Equal("certificate CN=moon is revoked by the CRL of CN=Lab CA since 2026-03-01 00:00:00 UTC (keyCompromise)", result.FailureReason);
        Assert.True(validator.Validate(other, [], TestPki.Now).IsValid);
    }

    [Fact]
    public void A_revoked_intermediate_revokes_the_path()
    {
        X509Certificate2 root = TestPki.Root("CN=Lab Root");
        X509Certificate2 intermediate = TestPki.Intermediate(root, "CN=Lab Intermediate");
        X509Certificate2 leaf = TestPki.Leaf(intermediate, "CN=moon");
        CertificateRevocationList crl = Load(TestPki.Crl(root, Revoked.AddDays(1), (intermediate, Revoked)));

        CertificateValidation result = new CertificateValidator([root], [crl]).Validate(leaf, [intermediate], TestPki.Now);

        Assert.Equal("certificate CN=Lab Intermediate is revoked by the CRL of CN=Lab Root since 2026-03-01 00:00:00 UTC (keyCompromise)", result.FailureReason);
    }

    [Fact]
    public void A_revocation_after_the_verification_time_does_not_count_yet()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        CertificateRevocationList crl = Load(TestPki.Crl(ca, Revoked, (leaf, TestPki.Now.AddDays(10))));

        Assert.True(new CertificateValidator([ca], [crl]).Validate(leaf, [], TestPki.Now).IsValid);
        Assert.False(new CertificateValidator([ca], [crl]).Validate(leaf, [], TestPki.Now.AddDays(11)).IsValid);
    }

    [Fact]
    public void A_crl_signed_by_another_key_is_ignored_with_a_warning()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 impostor = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        CertificateRevocationList forged = Load(TestPki.Crl(impostor, Revoked, (leaf, Revoked)));

        CertificateValidation result = new CertificateValidator([ca], [forged]).Validate(leaf, [], TestPki.Now);

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Contains("signature does not verify with the key of CN=Lab CA", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_crl_of_another_issuer_does_not_apply()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 other = TestPki.Root("CN=Other CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        X509Certificate2 otherLeaf = TestPki.Leaf(other, "CN=moon");
        CertificateRevocationList crl = Load(TestPki.Crl(other, Revoked, (otherLeaf, Revoked)));

        CertificateValidation result = new CertificateValidator([ca, other], [crl]).Validate(leaf, [], TestPki.Now);
        Assert.True(result.IsValid, result.FailureReason);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_stale_crl_still_revokes_and_warns()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        CertificateRevocationList crl = Load(TestPki.Crl(ca, Revoked, (leaf, Revoked)));

        CertificateValidation result = new CertificateValidator([ca], [crl]).Validate(leaf, [], TestPki.Now);

        Assert.False(result.IsValid);
        Assert.Contains("is stale since 2026-03-31", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Crls_load_from_pem_and_der_and_bad_input_says_why()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        byte[] der = TestPki.Crl(ca, Revoked);
        string pem = PemEncoding.WriteString("X509 CRL", der) + "\n" + PemEncoding.WriteString("X509 CRL", der);

        Assert.Equal("CN=Lab CA", Load(der).IssuerName.Name);
        Assert.Equal(2, CertificateRevocationList.Load(System.Text.Encoding.ASCII.GetBytes(pem)).GetValueOrThrow().Count);
        Assert.Equal(Revoked.UtcDateTime, Load(der).ThisUpdate);

        Assert.Contains("not an X.509 CRL", CertificateRevocationList.Load([0x30, 0x03, 0x02, 0x01, 0x00]).Error, StringComparison.Ordinal);
        Assert.Contains("expected -----BEGIN X509 CRL-----",
            CertificateRevocationList.Load(System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", ca.RawData))).Error, StringComparison.Ordinal);
    }
}
