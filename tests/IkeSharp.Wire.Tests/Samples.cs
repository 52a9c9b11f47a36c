using System.Net;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>Hand-built payloads and messages covering every payload type, for round-trip and tshark tests.</summary>
internal static class Samples
{
    public static byte[] Bytes(int length, byte seed = 1)
    {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(seed + (i * 7));
        }

        return b;
    }

    /// <summary>A real DER certificate, so dissectors that parse CERT payloads see valid ASN.1.</summary>
    public static readonly Lazy<byte[]> SelfSignedCertificate = new(() =>
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=moon.strongswan.org", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return cert.RawData;
    });

    /// <summary>
    /// Samples that are valid IKEv2 but that tshark 4.0 flags: ID_NULL carries no data (RFC 7619 §3),
    /// which trips an assertion in Wireshark's ID dissector ("len > 0"); and an empty CRL is valid
    /// framing but not a CRL, which its BER dissector reports as malformed.
    /// </summary>
    public static readonly string[] TsharkFlagsLegitimately = ["IDi NULL", "CERT empty"];

    public static SaPayload IkeSa(params Proposal[] proposals) => new(proposals);

    public static Proposal IkeProposal(byte number = 1) => new(number, SecurityProtocol.Ike, ReadOnlyMemory<byte>.Empty,
    [
        Transform.Encryption(EncryptionAlgorithm.AesCbc, 256),
        Transform.Integrity(IntegrityAlgorithm.HmacSha2_256_128),
        Transform.Prf(PseudorandomFunction.HmacSha2_256),
        Transform.KeyExchange(KeyExchangeMethod.Modp2048),
    ]);

    public static Proposal EspProposal(byte number, uint spi) => new(number, SecurityProtocol.Esp, new byte[] { (byte)(spi >> 24), (byte)(spi >> 16), (byte)(spi >> 8), (byte)spi },
    [
        Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128),
        Transform.Encryption(EncryptionAlgorithm.AesGcm16, 256),
        Transform.Esn(SequenceNumbers.NoEsn),
    ]);

    /// <summary>One of every payload the codec knows, with edge cases: empty data, IPv6 selectors, several proposals.</summary>
    public static IEnumerable<(string Name, Payload Payload)> EveryPayload()
    {
        yield return ("SA one IKE proposal", IkeSa(IkeProposal()));
        yield return ("SA several proposals", IkeSa(IkeProposal(1), EspProposal(2, 0xc0ffee01), new Proposal(3, SecurityProtocol.Esp, Bytes(4), [])));
        yield return ("SA rekey with 8-octet SPI", IkeSa(new Proposal(1, SecurityProtocol.Ike, Bytes(8), [Transform.Encryption(EncryptionAlgorithm.Chacha20Poly1305), Transform.Prf(PseudorandomFunction.HmacSha2_512), Transform.KeyExchange(KeyExchangeMethod.Curve448)])));
        yield return ("SA long-form attribute", IkeSa(new Proposal(1, SecurityProtocol.Ike, ReadOnlyMemory<byte>.Empty,
            [new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, [TransformAttribute.KeyLength(128), new TransformAttribute((TransformAttributeType)200, false, 0, Bytes(5))])])));
        yield return ("KE x25519", new KePayload(KeyExchangeMethod.Curve25519, Bytes(32)));
        yield return ("KE empty", new KePayload(KeyExchangeMethod.Modp2048, ReadOnlyMemory<byte>.Empty));
        yield return ("IDi IPv4", IdPayload.FromText(IkeRole.Initiator, "10.99.0.1"));
        yield return ("IDr IPv6", IdPayload.FromText(IkeRole.Responder, "2001:db8::1"));
        yield return ("IDi FQDN", IdPayload.FromText(IkeRole.Initiator, "gw.example.org"));
        yield return ("IDi RFC822", IdPayload.FromText(IkeRole.Initiator, "alice@example.org"));
        yield return ("IDr DN", IdPayload.FromText(IkeRole.Responder, "C=CH, O=strongSwan, CN=moon.strongswan.org"));
        yield return ("IDi KEY_ID", new IdPayload(IkeRole.Initiator, IdType.KeyId, Bytes(16)));
        yield return ("IDi NULL", new IdPayload(IkeRole.Initiator, IdType.Null, ReadOnlyMemory<byte>.Empty));
        yield return ("CERT X.509", new CertPayload(CertificateEncoding.X509CertificateSignature, SelfSignedCertificate.Value));
        yield return ("CERT hash and URL", CertPayload.HashAndUrl(false, Bytes(20), "http://ca.example.org/moon.der"));
        yield return ("CERT empty", new CertPayload(CertificateEncoding.CertificateRevocationList, ReadOnlyMemory<byte>.Empty));
        yield return ("CERTREQ two CAs", new CertReqPayload(CertificateEncoding.X509CertificateSignature, Bytes(40)));
        yield return ("CERTREQ none", new CertReqPayload(CertificateEncoding.X509CertificateSignature, ReadOnlyMemory<byte>.Empty));
        yield return ("AUTH PSK", new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, Bytes(32)));
        // RFC 7427 §3: length, AlgorithmIdentifier sha256WithRSAEncryption (with NULL parameters), signature.
        yield return ("AUTH digital signature", new AuthPayload(AuthMethod.DigitalSignature,
            (byte[])[15, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, .. Bytes(256)]));
        yield return ("Nonce 32", new NoncePayload(Bytes(32)));
        yield return ("Nonce empty", new NoncePayload(ReadOnlyMemory<byte>.Empty));
        yield return ("N NAT_DETECTION_SOURCE_IP", NotifyPayload.NatDetection(true, Bytes(20)));
        yield return ("N NAT_DETECTION_DESTINATION_IP", NotifyPayload.NatDetection(false, Bytes(20, 9)));
        yield return ("N COOKIE", NotifyPayload.Cookie(Bytes(64)));
        yield return ("N INVALID_KE_PAYLOAD", NotifyPayload.InvalidKe(KeyExchangeMethod.Ecp256));
        yield return ("N REKEY_SA", NotifyPayload.RekeySa(SecurityProtocol.Esp, 0xc1c2c3c4));
        yield return ("N SIGNATURE_HASH_ALGORITHMS", NotifyPayload.SignatureHashAlgorithms(HashAlgorithm.Sha2_256, HashAlgorithm.Sha2_384, HashAlgorithm.Sha2_512, HashAlgorithm.Identity));
        yield return ("N IKEV2_FRAGMENTATION_SUPPORTED", NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported));
        yield return ("N REDIRECT_SUPPORTED", NotifyPayload.Create(NotifyType.RedirectSupported));
        yield return ("N REDIRECT", NotifyPayload.Redirect(GatewayIdentityType.Ipv4, IPAddress.Parse("192.0.2.7").GetAddressBytes(), Bytes(32)));
        yield return ("N REDIRECTED_FROM", NotifyPayload.Redirect(GatewayIdentityType.Fqdn, "gw.example.org"u8, default, redirectedFrom: true));
        yield return ("N MOBIKE_SUPPORTED", NotifyPayload.Create(NotifyType.MobikeSupported));
        yield return ("N ADDITIONAL_IP4_ADDRESS", NotifyPayload.AdditionalAddress(IPAddress.Parse("192.0.2.9")));
        yield return ("N ADDITIONAL_IP6_ADDRESS", NotifyPayload.AdditionalAddress(IPAddress.Parse("2001:db8::9")));
        yield return ("N SET_WINDOW_SIZE", NotifyPayload.SetWindowSize(16));
        yield return ("N USE_TRANSPORT_MODE", NotifyPayload.Create(NotifyType.UseTransportMode));
        yield return ("N ESP_TFC_PADDING_NOT_SUPPORTED", NotifyPayload.Create(NotifyType.EspTfcPaddingNotSupported));
        yield return ("N INITIAL_CONTACT", NotifyPayload.Create(NotifyType.InitialContact));
        yield return ("N UNSUPPORTED_CRITICAL_PAYLOAD", NotifyPayload.Create(NotifyType.UnsupportedCriticalPayload, new byte[] { 200 }));
        yield return ("N AUTHENTICATION_FAILED", NotifyPayload.Create(NotifyType.AuthenticationFailed));
        yield return ("D IKE", DeletePayload.IkeSa());
        yield return ("D ESP x3", DeletePayload.ChildSas(SecurityProtocol.Esp, 1, 0xdeadbeef, 0xffffffff));
        yield return ("V strongSwan", new VendorIdPayload(Convert.FromHexString("882fe56d6fd20dbc2251613b2ebe5beb")));
        yield return ("V empty", new VendorIdPayload(ReadOnlyMemory<byte>.Empty));
        yield return ("TSi IPv4 subnet", new TsPayload(IkeRole.Initiator, [TrafficSelector.Subnet("10.1.0.0/24")]));
        yield return ("TSr IPv6 and IPv4 with ports", new TsPayload(IkeRole.Responder,
            [TrafficSelector.Subnet("2001:db8::/32", 6, 443, 443), TrafficSelector.Range(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.9"), 17, 1024, 65535)]));
        yield return ("TSi none", new TsPayload(IkeRole.Initiator, []));
        yield return ("TSi SECLABEL", new TsPayload(IkeRole.Initiator, [new TrafficSelector(TrafficSelectorType.SecLabel, 0, "system_u:object_r:ipsec_spd_t:s0\0"u8.ToArray())]));
        yield return ("CP request", new ConfigurationPayload(ConfigurationType.Request,
            [new ConfigurationAttribute(ConfigurationAttributeType.InternalIp4Address, ReadOnlyMemory<byte>.Empty), new ConfigurationAttribute(ConfigurationAttributeType.InternalIp4Dns, ReadOnlyMemory<byte>.Empty)]));
        yield return ("CP reply", new ConfigurationPayload(ConfigurationType.Reply,
            [ConfigurationAttribute.Address(ConfigurationAttributeType.InternalIp4Address, IPAddress.Parse("10.3.0.1")),
             new ConfigurationAttribute(ConfigurationAttributeType.InternalIp6Address, Bytes(17)),
             new ConfigurationAttribute(ConfigurationAttributeType.ApplicationVersion, "strongSwan 5.9.8"u8.ToArray())]));
        yield return ("EAP identity request", new EapPayload(new byte[] { 1, 7, 0, 5, 1 }));
        yield return ("EAP success", new EapPayload(new byte[] { 3, 7, 0, 4 }));
        yield return ("unknown critical", new UnknownPayload(200, Bytes(9)) { Critical = true });
        yield return ("unknown not critical", new UnknownPayload(128, ReadOnlyMemory<byte>.Empty));
    }

    /// <summary>Messages that exercise every payload and every way a chain can end (none, SK, SKF).</summary>
    public static IEnumerable<(string Name, IkeMessage Message)> EveryMessage()
    {
        const ulong spiI = 0x0102030405060708;
        const ulong spiR = 0x1112131415161718;
        foreach ((string name, Payload payload) in EveryPayload())
        {
            yield return (name, new IkeMessage(spiI, spiR, ExchangeType.Informational, IkeFlags.Initiator, 3, [payload]));
        }

        yield return ("IKE_SA_INIT request", new IkeMessage(spiI, 0, ExchangeType.IkeSaInit, IkeFlags.Initiator, 0,
        [
            IkeSa(IkeProposal()), new KePayload(KeyExchangeMethod.Modp2048, Bytes(256)), new NoncePayload(Bytes(32)),
            NotifyPayload.NatDetection(true, Bytes(20)), NotifyPayload.NatDetection(false, Bytes(20)),
            NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported),
            NotifyPayload.SignatureHashAlgorithms(HashAlgorithm.Sha2_256, HashAlgorithm.Sha2_384),
        ]));
        yield return ("IKE_AUTH request (SK)", new IkeMessage(spiI, spiR, ExchangeType.IkeAuth, IkeFlags.Initiator, 1,
            [new EncryptedPayload(PayloadType.IdInitiator, Bytes(120))]));
        yield return ("IKE_AUTH fragment (SKF)", new IkeMessage(spiI, spiR, ExchangeType.IkeAuth, IkeFlags.Initiator, 1,
            [new EncryptedFragmentPayload(1, 3, PayloadType.IdInitiator, Bytes(100))]));
        yield return ("IKE_AUTH fragment 2 (SKF)", new IkeMessage(spiI, spiR, ExchangeType.IkeAuth, IkeFlags.Initiator, 1,
            [new EncryptedFragmentPayload(2, 3, PayloadType.NoNextPayload, Bytes(100))]));
        yield return ("empty INFORMATIONAL response", new IkeMessage(spiI, spiR, ExchangeType.Informational, IkeFlags.Response, 7, []));
        yield return ("IKE_INTERMEDIATE", new IkeMessage(spiI, spiR, ExchangeType.IkeIntermediate, IkeFlags.Initiator, 1, [new EncryptedPayload(PayloadType.KeyExchange, Bytes(64))]));
        yield return ("IKE_FOLLOWUP_KE", new IkeMessage(spiI, spiR, ExchangeType.IkeFollowupKe, IkeFlags.Initiator, 4, [new EncryptedPayload(PayloadType.Notify, Bytes(64))]));
        yield return ("IKE_SESSION_RESUME", new IkeMessage(spiI, 0, ExchangeType.IkeSessionResume, IkeFlags.Initiator, 0, [new NoncePayload(Bytes(32)), NotifyPayload.Create(NotifyType.TicketOpaque, Bytes(40))]));
        yield return ("inner chain of an IKE_AUTH request", new IkeMessage(spiI, spiR, ExchangeType.IkeAuth, IkeFlags.Initiator, 1,
        [
            IdPayload.FromText(IkeRole.Initiator, "10.99.0.1"), NotifyPayload.Create(NotifyType.InitialContact),
            IdPayload.FromText(IkeRole.Responder, "10.99.0.2"), new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, Bytes(32)),
            new ConfigurationPayload(ConfigurationType.Request, [new ConfigurationAttribute(ConfigurationAttributeType.InternalIp4Address, ReadOnlyMemory<byte>.Empty)]),
            NotifyPayload.Create(NotifyType.EspTfcPaddingNotSupported), NotifyPayload.Create(NotifyType.MobikeSupported),
            IkeSa(EspProposal(1, 0xc0ffee01)),
            new TsPayload(IkeRole.Initiator, [TrafficSelector.Subnet("10.1.0.0/24")]), new TsPayload(IkeRole.Responder, [TrafficSelector.Subnet("10.2.0.0/24")]),
        ]));
    }
}
