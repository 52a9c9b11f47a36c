using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto.Auth;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.X509;

namespace IkeSharp.Crypto.Tests.Auth;

/// <summary>
/// Certificates made in the tests: CAs and leaves with the BCL's CertificateRequest (RSA, ECDSA),
/// EdDSA leaves and CAs with BouncyCastle's X509V3CertificateGenerator, CRLs with the BCL's
/// CertificateRevocationListBuilder. Times are fixed, so the tests hand in a verification time.
/// </summary>
internal static class TestPki
{
    public static readonly DateTimeOffset CaFrom = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset CaUntil = new(2035, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LeafFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LeafUntil = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A time at which every default certificate here is valid.</summary>
    public static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static long serial = 1000;

    public sealed record Sans(string[]? Dns = null, string[]? Email = null, string[]? Ip = null);

    public static X509Certificate2 Root(string name, SignatureKeyType keyType = SignatureKeyType.EcdsaP256)
    {
        CertificateRequest request = Request(name, keyType, out AsymmetricAlgorithm key);
        AddCaExtensions(request);
        _ = key; // the certificate keeps the private key
        return request.CreateSelfSigned(CaFrom, CaUntil);
    }

    public static X509Certificate2 Intermediate(X509Certificate2 issuer, string name, SignatureKeyType keyType = SignatureKeyType.EcdsaP256) =>
        Issue(issuer, name, keyType, CaFrom.AddDays(1), CaUntil.AddDays(-1), request => AddCaExtensions(request));

    public static X509Certificate2 Leaf(
        X509Certificate2 issuer,
        string name,
        Sans? sans = null,
        SignatureKeyType keyType = SignatureKeyType.EcdsaP256,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        X509KeyUsageFlags usage = X509KeyUsageFlags.DigitalSignature) =>
        Issue(issuer, name, keyType, notBefore ?? LeafFrom, notAfter ?? LeafUntil, request =>
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
            if (sans is not null)
            {
                var builder = new SubjectAlternativeNameBuilder();
                foreach (string dns in sans.Dns ?? [])
                {
                    builder.AddDnsName(dns);
                }

                foreach (string email in sans.Email ?? [])
                {
                    builder.AddEmailAddress(email);
                }

                foreach (string ip in sans.Ip ?? [])
                {
                    builder.AddIpAddress(IPAddress.Parse(ip));
                }

                request.CertificateExtensions.Add(builder.Build());
            }
        });

    /// <summary>An EdDSA leaf issued by a BCL-made CA (RSA or ECDSA), via BouncyCastle.</summary>
    public static (X509Certificate2 Certificate, SigningKey Key) EdwardsLeaf(X509Certificate2 issuer, string name, SignatureKeyType keyType, string dns)
    {
        SigningKey key = SigningKey.Generate(keyType);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(Interlocked.Increment(ref serial)));
        generator.SetIssuerDN(X509Name.GetInstance(Asn1Object.FromByteArray(issuer.SubjectName.RawData)));
        generator.SetSubjectDN(X509Name.GetInstance(Asn1Object.FromByteArray(new X500DistinguishedName(name).RawData)));
        generator.SetNotBefore(LeafFrom.UtcDateTime);
        generator.SetNotAfter(LeafUntil.UtcDateTime);
        generator.SetPublicKey(Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(key.PublicKey.ExportSubjectPublicKeyInfo()));
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, dns)));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false,
            new AuthorityKeyIdentifier(issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray()));
        var issuerKey = Org.BouncyCastle.Security.PrivateKeyFactory.CreateKey(ExportPkcs8(issuer));
        string algorithm = issuer.GetRSAPublicKey() is not null ? "SHA256WITHRSA" : "SHA256WITHECDSA";
        Org.BouncyCastle.X509.X509Certificate made = generator.Generate(new Asn1SignatureFactory(algorithm, issuerKey));
        return (X509CertificateLoader.LoadCertificate(made.GetEncoded()), key);
    }

    /// <summary>An Ed25519 root and an Ed25519 leaf under it, all by BouncyCastle.</summary>
    public static (X509Certificate2 Root, X509Certificate2 Leaf) Ed25519Chain(string rootName, string leafName, string dns)
    {
        SigningKey rootKey = SigningKey.Generate(SignatureKeyType.Ed25519);
        SigningKey leafKey = SigningKey.Generate(SignatureKeyType.Ed25519);
        var signer = new Asn1SignatureFactory("Ed25519", Org.BouncyCastle.Security.PrivateKeyFactory.CreateKey(rootKey.ExportPkcs8PrivateKey()));
        X509Name rootDn = X509Name.GetInstance(Asn1Object.FromByteArray(new X500DistinguishedName(rootName).RawData));

        var rootGenerator = new X509V3CertificateGenerator();
        rootGenerator.SetSerialNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(Interlocked.Increment(ref serial)));
        rootGenerator.SetIssuerDN(rootDn);
        rootGenerator.SetSubjectDN(rootDn);
        rootGenerator.SetNotBefore(CaFrom.UtcDateTime);
        rootGenerator.SetNotAfter(CaUntil.UtcDateTime);
        rootGenerator.SetPublicKey(Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(rootKey.PublicKey.ExportSubjectPublicKeyInfo()));
        rootGenerator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        rootGenerator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));

        var leafGenerator = new X509V3CertificateGenerator();
        leafGenerator.SetSerialNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(Interlocked.Increment(ref serial)));
        leafGenerator.SetIssuerDN(rootDn);
        leafGenerator.SetSubjectDN(X509Name.GetInstance(Asn1Object.FromByteArray(new X500DistinguishedName(leafName).RawData)));
        leafGenerator.SetNotBefore(LeafFrom.UtcDateTime);
        leafGenerator.SetNotAfter(LeafUntil.UtcDateTime);
        leafGenerator.SetPublicKey(Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(leafKey.PublicKey.ExportSubjectPublicKeyInfo()));
        leafGenerator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        leafGenerator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, dns)));

        return (X509CertificateLoader.LoadCertificate(rootGenerator.Generate(signer).GetEncoded()),
                X509CertificateLoader.LoadCertificate(leafGenerator.Generate(signer).GetEncoded()));
    }

    /// <summary>A CRL of <paramref name="issuer"/> revoking <paramref name="revoked"/> at the given times.</summary>
    public static byte[] Crl(X509Certificate2 issuer, DateTimeOffset thisUpdate, params (X509Certificate2 Certificate, DateTimeOffset When)[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach ((X509Certificate2 certificate, DateTimeOffset when) in revoked)
        {
            builder.AddEntry(certificate, when, X509RevocationReason.KeyCompromise);
        }

        return builder.Build(issuer, BigInteger.One, thisUpdate.AddDays(30), HashAlgorithmName.SHA256, issuer.GetRSAPublicKey() is null ? null : RSASignaturePadding.Pkcs1, thisUpdate);
    }

    public static SigningKey KeyOf(X509Certificate2 certificate)
    {
        Outcome<SigningKey> key = PrivateKeyLoader.LoadDer(ExportPkcs8(certificate));
        return key.GetValueOrThrow();
    }

    private static byte[] ExportPkcs8(X509Certificate2 certificate) =>
        certificate.GetRSAPrivateKey()?.ExportPkcs8PrivateKey()
        ?? certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKey()
        ?? throw new InvalidOperationException("no private key");

    private static X509Certificate2 Issue(X509Certificate2 issuer, string name, SignatureKeyType keyType, DateTimeOffset notBefore, DateTimeOffset notAfter, Action<CertificateRequest> extensions)
    {
        CertificateRequest request = Request(name, keyType, out AsymmetricAlgorithm key);
        extensions(request);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        byte[] serialNumber = BitConverter.GetBytes(Interlocked.Increment(ref serial));
        Array.Reverse(serialNumber);
        X509Certificate2 certificate = issuer.GetRSAPrivateKey() is { } rsaIssuer
            ? request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(rsaIssuer, RSASignaturePadding.Pkcs1), notBefore, notAfter, serialNumber)
            : request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuer.GetECDsaPrivateKey()!), notBefore, notAfter, serialNumber);
        X509Certificate2 withKey = key switch
        {
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
            _ => throw new InvalidOperationException(),
        };
        certificate.Dispose();
        return withKey;
    }

    private static CertificateRequest Request(string name, SignatureKeyType keyType, out AsymmetricAlgorithm key)
    {
        CertificateRequest request;
        switch (keyType)
        {
            case SignatureKeyType.Rsa:
                var rsa = RSA.Create(2048);
                request = new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                key = rsa;
                break;
            default:
                var ecdsa = ECDsa.Create(keyType switch
                {
                    SignatureKeyType.EcdsaP384 => ECCurve.NamedCurves.nistP384,
                    SignatureKeyType.EcdsaP521 => ECCurve.NamedCurves.nistP521,
                    _ => ECCurve.NamedCurves.nistP256,
                });
                request = new CertificateRequest(name, ecdsa, HashAlgorithmName.SHA256);
                key = ecdsa;
                break;
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static void AddCaExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
    }
}
