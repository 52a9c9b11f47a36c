using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Bench;

/// <summary>
/// The raw crypto floor of one responder setup with ECDSA P-256 certificates and
/// aes128gcm16-prfsha256-ecp256 with one Child SA (issue 6: "responder CPU per IKE SA, ECDSA P-256
/// certificates + ecp256, &lt;= 1.5x the raw crypto cost"): what a responder cannot avoid, with no
/// engine, parsing or policy around it. <c>bench/compare-strongswan.sh</c> divides the daemon's
/// measured CPU per SA by <see cref="CryptoFloorEcdsaResponder"/>.
/// </summary>
[MemoryDiagnoser]
public class CertificateFloorBenchmarks
{
    private readonly SystemRandom random = new();
    private readonly byte[] initiatorShare = new byte[64];
    private readonly byte[] ni = new byte[32];
    private readonly byte[] nr = new byte[32];

    // An IKE_SA_INIT response with a 64-octet ecp256 share is about 300 octets; the IKE_AUTH
    // request carries the initiator's certificate (about 450 octets DER) and a 72-octet signature,
    // the response the responder's: about 800 octets each way inside SK.
    private readonly byte[] realMessage1 = new byte[300];
    private readonly byte[] realMessage2 = new byte[300];
    private readonly byte[] authRequest = new byte[800];
    private readonly byte[] authResponse = new byte[800];
    private readonly byte[] scratch = new byte[1024];
    private readonly byte[] tag = new byte[16];
    private byte[] idi = [];
    private byte[] idr = [];
    private byte[] initiatorCertificateDer = [];
    private byte[] initiatorTbs = [];
    private byte[] initiatorCertificateSignature = [];
    private ECDsa authorityPublicKey = null!;
    private X509Certificate2 authority = null!;
    private X509Certificate2 initiatorCertificate = null!;
    private SigningKey responderKey = null!;
    private SignatureChoice choice = null!;
    private AuthPayload initiatorAuth = null!;

    [GlobalSetup]
    public void Setup()
    {
        using IKeyExchangeInitiator peer = AlgorithmRegistry.Default.KeyExchange(KeyExchangeMethod.Ecp256)!.Initiate(random);
        peer.Share.Span.CopyTo(initiatorShare);
        random.Fill(ni);
        random.Fill(nr);
        random.Fill(realMessage1);
        random.Fill(realMessage2);

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Bench CA", authorityKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        authorityPublicKey = authority.GetECDsaPublicKey()!;

        using var initiatorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leaf = new CertificateRequest("CN=initiator.bench", initiatorKey, HashAlgorithmName.SHA256);
        leaf.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddIpAddress(IPAddress.Parse("10.97.0.1"));
        leaf.CertificateExtensions.Add(sans.Build());
        initiatorCertificate = leaf.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [0x01, 0x02]);
        initiatorCertificateDer = initiatorCertificate.RawData;
        (initiatorTbs, initiatorCertificateSignature) = TbsAndSignature(initiatorCertificateDer);

        responderKey = SigningKey.Generate(SignatureKeyType.EcdsaP256);
        choice = SignatureAuthentication.Choose(SignatureKeyType.EcdsaP256, SignatureAuthentication.AnnouncedHashes).Value!;
        idi = SignedOctets.RestOfIdPayload(new IdPayload(IkeRole.Initiator, IdType.DerAsn1Dn, initiatorCertificate.SubjectName.RawData));
        idr = SignedOctets.RestOfIdPayload(new IdPayload(IkeRole.Responder, IdType.Ipv4Addr, IPAddress.Parse("10.97.0.2").GetAddressBytes()));

        // The initiator's AUTH, signed once with its key. Our ephemeral ECDH key is fresh in each
        // run, so SK_pi and MACedIDForI differ every time; the benchmark computes that prf (the
        // work is the same) and then verifies over RealMessage1 | Nr | 32 zero octets, which is
        // what this signature was made over: the verify costs what a real one costs.
        using var signer = SigningKey.FromEcdsa(ECDsa.Create(initiatorKey.ExportParameters(true)));
        byte[] signedByInitiator = new byte[realMessage1.Length + nr.Length + 32];
        realMessage1.CopyTo(signedByInitiator, 0);
        nr.CopyTo(signedByInitiator, realMessage1.Length);
        initiatorAuth = SignatureAuthentication.Sign(signer, choice, signedByInitiator);
        if (CryptoFloorEcdsaResponder() == 0)
        {
            throw new InvalidOperationException("the floor did not verify the peer's certificate and AUTH");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        authorityPublicKey.Dispose();
        authority.Dispose();
        initiatorCertificate.Dispose();
        responderKey.Dispose();
    }

    /// <summary>
    /// ECDH P-256 key pair and shared secret (RFC 5903), SKEYSEED and the seven SK_* keys (RFC 7296
    /// §2.14), opening the IKE_AUTH request and sealing the response (AES-128-GCM), both sides'
    /// signed octets with their prf(SK_p, ID') (§2.15), the ECDSA verify of the certificate's
    /// signature by the CA key and of the peer's AUTH (RFC 7427), the ECDSA sign of ours, and the
    /// Child SA's KEYMAT (§2.17) with its two AES-GCM contexts.
    /// </summary>
    [Benchmark]
    public int CryptoFloorEcdsaResponder()
    {
        IPrf prf = AlgorithmRegistry.Default.Prf(PseudorandomFunction.HmacSha2_256)!;
        IEncryptionAlgorithm gcm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesGcm16, 128)!;
        KeyExchangeResult ke = AlgorithmRegistry.Default.KeyExchange(KeyExchangeMethod.Ecp256)!.Respond(initiatorShare, random);
        using SecretBytes shared = ke.SharedSecret!;
        using SecretBytes skeyseed = Crypto.KeySchedule.IkeKeySchedule.Skeyseed(prf, ni, nr, shared.ReadOnlySpan);
        using Crypto.KeySchedule.IkeSaKeys ikeKeys = Crypto.KeySchedule.IkeKeySchedule.DeriveIkeSaKeys(prf, gcm, null, skeyseed.ReadOnlySpan, ni, nr, 1, 2);
        using ICipherKey inbound = gcm.CreateKey(ikeKeys.SkEi.ReadOnlySpan);
        using ICipherKey outbound = gcm.CreateKey(ikeKeys.SkEr.ReadOnlySpan);
        ReadOnlySpan<byte> iv = ni.AsSpan(0, 8);
        inbound.Decrypt(iv, authRequest, tag, scratch.AsSpan(0, authRequest.Length), ni);

        // The peer's certificate: its signature by the CA, then its key for the AUTH.
        bool chained = authorityPublicKey.VerifyData(initiatorTbs, initiatorCertificateSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        byte[] initiatorOctets = SignedOctets.Build(prf, ikeKeys.SkPi.ReadOnlySpan, realMessage1, nr, idi);
        using VerificationKey peerKey = VerificationKey.FromCertificate(initiatorCertificate).Value!;
        initiatorOctets.AsSpan(realMessage1.Length + nr.Length).Clear(); // see Setup: the recorded AUTH has a zero MACedIDForI
        bool verified = SignatureAuthentication.Verify(peerKey, initiatorAuth, initiatorOctets, SignatureAuthentication.AnnouncedHashes).Succeeded;

        byte[] responderOctets = SignedOctets.Build(prf, ikeKeys.SkPr.ReadOnlySpan, realMessage2, ni, idr);
        AuthPayload ours = SignatureAuthentication.Sign(responderKey, choice, responderOctets);
        outbound.Encrypt(iv, authResponse, scratch.AsSpan(0, authResponse.Length), tag, ni);

        using Crypto.KeySchedule.ChildSaKeys child = Crypto.KeySchedule.IkeKeySchedule.DeriveChildSaKeys(prf, ikeKeys.SkD.ReadOnlySpan, 20, 0, ni, nr);
        using ICipherKey espIn = gcm.CreateKey(child.EncryptionInitiator.ReadOnlySpan);
        using ICipherKey espOut = gcm.CreateKey(child.EncryptionResponder.ReadOnlySpan);
        return chained && verified && ours.Data.Length > 0 ? 1 : 0;
    }

    /// <summary>
    /// For comparison, not part of the floor: the BCL's X509Chain path building and checks
    /// (<see cref="CertificateValidator"/>, which the engine runs) for the same certificate.
    /// </summary>
    [Benchmark]
    public bool ChainValidation() => new CertificateValidator([authority]).Validate(initiatorCertificate, null, DateTime.UtcNow).IsValid;

    /// <summary>Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING } (RFC 5280 §4.1).</summary>
    private static (byte[] Tbs, byte[] Signature) TbsAndSignature(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        AsnReader certificate = reader.ReadSequence();
        byte[] tbs = certificate.ReadEncodedValue().ToArray();
        _ = certificate.ReadEncodedValue();
        byte[] signature = certificate.ReadBitString(out _);
        return (tbs, signature);
    }
}
