using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto.Auth;

namespace IkeSharp.Crypto.Tests.Auth;

public class CertificateValidatorTests
{
    public static TheoryData<SignatureKeyType> BclKeyTypes => [SignatureKeyType.Rsa, SignatureKeyType.EcdsaP256, SignatureKeyType.EcdsaP384, SignatureKeyType.EcdsaP521];

    [Theory]
    [MemberData(nameof(BclKeyTypes))]
    public void A_leaf_issued_by_a_configured_ca_is_valid(SignatureKeyType keyType)
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA", keyType);
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon", new TestPki.Sans(Dns: ["moon.example.org"]), keyType);

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [], TestPki.Now);

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(["CN=moon", "CN=Lab CA"], result.Chain.Select(c => c.Subject));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void An_intermediate_sent_by_the_peer_completes_the_path()
    {
        X509Certificate2 root = TestPki.Root("CN=Lab Root", SignatureKeyType.Rsa);
        X509Certificate2 intermediate = TestPki.Intermediate(root, "CN=Lab Intermediate");
        X509Certificate2 leaf = TestPki.Leaf(intermediate, "CN=moon");

        CertificateValidation result = new CertificateValidator([root]).Validate(leaf, [intermediate], TestPki.Now);

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(["CN=moon", "CN=Lab Intermediate", "CN=Lab Root"], result.Chain.Select(c => c.Subject));
    }

    [Fact]
    public void A_missing_intermediate_is_named_as_the_unknown_issuer()
    {
        X509Certificate2 root = TestPki.Root("CN=Lab Root");
        X509Certificate2 intermediate = TestPki.Intermediate(root, "CN=Lab Intermediate");
        X509Certificate2 leaf = TestPki.Leaf(intermediate, "CN=moon");

        CertificateValidation result = new CertificateValidator([root]).Validate(leaf, [], TestPki.Now);

        Assert.False(result.IsValid);
        Assert.Equal("no path from CN=moon to a configured CA: issuer CN=Lab Intermediate unknown", result.FailureReason);
    }

    [Fact]
    public void A_certificate_from_another_ca_is_refused_with_its_issuer()
    {
        X509Certificate2 lab = TestPki.Root("CN=Lab CA");
        X509Certificate2 evil = TestPki.Root("CN=Evil CA");
        X509Certificate2 leaf = TestPki.Leaf(evil, "CN=moon");
        var validator = new CertificateValidator([lab]);

        Assert.Equal("no path from CN=moon to a configured CA: issuer CN=Evil CA unknown", validator.Validate(leaf, [], TestPki.Now).FailureReason);
        Assert.Equal(
            "no path from CN=moon to a configured CA: CN=Evil CA is self-signed but not a configured CA",
            validator.Validate(leaf, [evil], TestPki.Now).FailureReason);
    }

    [Fact]
    public void A_ca_with_the_same_name_but_another_key_does_not_anchor_the_path()
    {
        X509Certificate2 real = TestPki.Root("CN=Lab CA");
        X509Certificate2 impostor = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(impostor, "CN=moon");
        var validator = new CertificateValidator([real]);

        Assert.Equal(
            "no path from CN=moon to a configured CA: CN=moon names the configured CA CN=Lab CA as its issuer, but that CA's key did not sign it",
            validator.Validate(leaf, [], TestPki.Now).FailureReason);
        Assert.Equal(
            "no path from CN=moon to a configured CA: CN=Lab CA is self-signed, but it is not the configured CA of that name (another key)",
            validator.Validate(leaf, [impostor], TestPki.Now).FailureReason);
    }

    [Fact]
    public void A_configured_intermediate_ca_is_a_trust_anchor_without_its_root()
    {
        X509Certificate2 root = TestPki.Root("CN=Lab Root");
        X509Certificate2 intermediate = TestPki.Intermediate(root, "CN=Lab Intermediate");
        X509Certificate2 leaf = TestPki.Leaf(intermediate, "CN=moon");
        var validator = new CertificateValidator([intermediate]);

        CertificateValidation alone = validator.Validate(leaf, [], TestPki.Now);
        Assert.True(alone.IsValid, alone.FailureReason);
        Assert.Equal(["CN=moon", "CN=Lab Intermediate"], alone.Chain.Select(c => c.Subject));
        Assert.True(validator.Validate(leaf, [root], TestPki.Now).IsValid);
    }

    [Fact]
    public void A_leaf_of_an_impostor_intermediate_does_not_pass_the_configured_one()
    {
        X509Certificate2 root = TestPki.Root("CN=Lab Root");
        X509Certificate2 intermediate = TestPki.Intermediate(root, "CN=Lab Intermediate");
        X509Certificate2 impostor = TestPki.Intermediate(TestPki.Root("CN=Evil Root"), "CN=Lab Intermediate");
        X509Certificate2 leaf = TestPki.Leaf(impostor, "CN=moon");

        CertificateValidation result = new CertificateValidator([intermediate]).Validate(leaf, [], TestPki.Now);

        Assert.False(result.IsValid);
        Assert.Contains("CN=moon", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_says_when_it_expired()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [], new DateTime(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal("certificate CN=moon expired on 2027-01-01 00:00:00 UTC (verification time 2027-03-01 00:00:00 UTC)", result.FailureReason);
    }

    [Fact]
    public void A_certificate_not_yet_valid_says_from_when()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [], new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal("certificate CN=moon is not valid before 2026-01-01 00:00:00 UTC (verification time 2025-12-01 00:00:00 UTC)", result.FailureReason);
    }

    [Fact]
    public void The_verification_time_is_the_one_handed_in_not_the_clock()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon", notBefore: new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), notAfter: new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.True(new CertificateValidator([ca]).Validate(leaf, [], new DateTime(2030, 6, 1, 0, 0, 0, DateTimeKind.Utc)).IsValid);
        Assert.False(new CertificateValidator([ca]).Validate(leaf, [], TestPki.Now).IsValid);
    }

    [Fact]
    public void A_leaf_without_digital_signature_in_key_usage_is_refused()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA", SignatureKeyType.Rsa);
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon", keyType: SignatureKeyType.Rsa, usage: X509KeyUsageFlags.KeyEncipherment);

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [], TestPki.Now);

        Assert.False(result.IsValid);
        Assert.Contains("certificate CN=moon has keyUsage KeyEncipherment without digitalSignature", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_end_entity_cannot_act_as_a_ca()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 notACa = TestPki.Leaf(ca, "CN=moon", usage: X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign);
        X509Certificate2 leaf = TestPki.Leaf(notACa, "CN=sun");

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [notACa], TestPki.Now);

        Assert.False(result.IsValid);
        Assert.Contains("CN=moon", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void No_configured_ca_means_no_path()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        Assert.Equal("no path from CN=moon to a configured CA: no CA certificates are configured", new CertificateValidator([]).Validate(leaf, [ca], TestPki.Now).FailureReason);
    }

    [Fact]
    public void An_ed25519_leaf_under_an_ecdsa_ca_validates_and_its_key_verifies_auth()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        (X509Certificate2 leaf, SigningKey key) = TestPki.EdwardsLeaf(ca, "CN=moon", SignatureKeyType.Ed25519, "moon.example.org");

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [], TestPki.Now);
        Assert.True(result.IsValid, result.FailureReason);

        Outcome<VerificationKey> publicKey = VerificationKey.FromCertificate(leaf);
        Assert.True(publicKey.Succeeded, publicKey.Error);
        Assert.Equal(SignatureKeyType.Ed25519, publicKey.Value!.KeyType);
        byte[] octets = [1, 2, 3];
        Wire.Payloads.AuthPayload auth = SignatureAuthentication.Sign(key, octets, SignatureAuthentication.AnnouncedHashes).GetValueOrThrow();
        Assert.True(SignatureAuthentication.Verify(publicKey.Value, auth, octets).Succeeded);
        Assert.True(CertificateIdentity.Match(leaf, IdType.Fqdn, "moon.example.org"u8).Succeeded);
    }

    [Fact]
    public void An_ed448_leaf_under_an_rsa_ca_validates()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA", SignatureKeyType.Rsa);
        (X509Certificate2 leaf, _) = TestPki.EdwardsLeaf(ca, "CN=moon", SignatureKeyType.Ed448, "moon.example.org");

        CertificateValidation result = new CertificateValidator([ca]).Validate(leaf, [], TestPki.Now);

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(SignatureKeyType.Ed448, VerificationKey.FromCertificate(leaf).Value!.KeyType);
    }

    [Fact]
    public void An_ed25519_ca_and_leaf_validate()
    {
        (X509Certificate2 root, X509Certificate2 leaf) = TestPki.Ed25519Chain("CN=Ed CA", "CN=moon", "moon.example.org");

        CertificateValidation result = new CertificateValidator([root]).Validate(leaf, [], TestPki.Now);

        Assert.True(result.IsValid, result.FailureReason);
    }

    [Theory]
    [MemberData(nameof(BclKeyTypes))]
    public void A_certificate_key_verifies_what_its_private_key_signed(SignatureKeyType keyType)
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon", keyType: keyType);
        byte[] octets = [9, 9, 9];
        Wire.Payloads.AuthPayload auth = SignatureAuthentication.Sign(TestPki.KeyOf(leaf), octets, [Wire.HashAlgorithm.Sha2_384]).GetValueOrThrow();

        Assert.True(SignatureAuthentication.Verify(VerificationKey.FromCertificate(leaf).GetValueOrThrow(), auth, octets).Succeeded);
    }
}
