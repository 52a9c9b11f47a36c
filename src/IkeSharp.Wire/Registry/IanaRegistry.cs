using System.Globalization;

namespace IkeSharp.Wire;

// Values and names from the IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" registries
// (https://www.iana.org/assignments/ikev2-parameters, snapshot last updated 2025-05-23), with
// later assignments taken from the RFCs that made them. Only assigned values are listed: reserved,
// unassigned and private-use ranges are left out, except a value 0 the registry itself names and the
// Cisco Unity configuration attributes (private use, see ConfigurationAttributeType).
// "g-ikev2" below is draft-ietf-ipsecme-g-ikev2 (Group Key Management using IKEv2), which the
// registry cites as RFC-ietf-ipsecme-g-ikev2-21.

/// <summary>IKEv2 Exchange Types (header Exchange Type field).</summary>
public enum ExchangeType : byte
{
    IkeSaInit = 34, // RFC 7296
    IkeAuth = 35, // RFC 7296
    CreateChildSa = 36, // RFC 7296
    Informational = 37, // RFC 7296
    IkeSessionResume = 38, // RFC 5723
    GsaAuth = 39, // g-ikev2
    GsaRegistration = 40, // g-ikev2
    GsaRekey = 41, // g-ikev2
    GsaInbandRekey = 42, // g-ikev2
    IkeIntermediate = 43, // RFC 9242
    IkeFollowupKe = 44, // RFC 9370
}

/// <summary>IKEv2 Payload Types (Next Payload field).</summary>
public enum PayloadType : byte
{
    NoNextPayload = 0, // RFC 7296
    SecurityAssociation = 33, // RFC 7296
    KeyExchange = 34, // RFC 7296
    IdInitiator = 35, // RFC 7296
    IdResponder = 36, // RFC 7296
    Certificate = 37, // RFC 7296
    CertificateRequest = 38, // RFC 7296
    Authentication = 39, // RFC 7296
    Nonce = 40, // RFC 7296
    Notify = 41, // RFC 7296
    Delete = 42, // RFC 7296
    VendorId = 43, // RFC 7296
    TsInitiator = 44, // RFC 7296
    TsResponder = 45, // RFC 7296
    Encrypted = 46, // RFC 7296 (Encrypted and Authenticated, SK)
    Configuration = 47, // RFC 7296
    Eap = 48, // RFC 7296
    GenericSecurePasswordMethods = 49, // RFC 6467
    GroupIdentification = 50, // g-ikev2
    GroupSecurityAssociation = 51, // g-ikev2
    KeyDownload = 52, // g-ikev2
    EncryptedFragment = 53, // RFC 7383
    PuzzleSolution = 54, // RFC 8019
}

/// <summary>Transform Type Values (Transform Type field of a transform substructure).</summary>
public enum TransformType : byte
{
    Encryption = 1, // RFC 7296
    Prf = 2, // RFC 7296
    Integrity = 3, // RFC 7296
    KeyExchange = 4, // RFC 7296, RFC 9370
    SequenceNumbers = 5, // RFC 7296, RFC 9827
    AdditionalKeyExchange1 = 6, // RFC 9370
    AdditionalKeyExchange2 = 7, // RFC 9370
    AdditionalKeyExchange3 = 8, // RFC 9370
    AdditionalKeyExchange4 = 9, // RFC 9370
    AdditionalKeyExchange5 = 10, // RFC 9370
    AdditionalKeyExchange6 = 11, // RFC 9370
    AdditionalKeyExchange7 = 12, // RFC 9370
    KeyWrapAlgorithm = 13, // g-ikev2
    GroupControllerAuthenticationMethod = 14, // g-ikev2
}

/// <summary>IKEv2 Transform Attribute Types.</summary>
public enum TransformAttributeType : ushort
{
    KeyLength = 14, // RFC 7296
}

/// <summary>Transform Type 1 - Encryption Algorithm Transform IDs.</summary>
public enum EncryptionAlgorithm : ushort
{
    DesIv64 = 1, // RFC 1827
    Des = 2, // RFC 2405
    TripleDes = 3, // RFC 2451
    Rc5 = 4, // RFC 2451
    Idea = 5, // RFC 2451
    Cast = 6, // RFC 2451
    Blowfish = 7, // RFC 2451
    TripleIdea = 8, // RFC 2451
    DesIv32 = 9, // RFC 7296
    Null = 11, // RFC 2410
    AesCbc = 12, // RFC 3602
    AesCtr = 13, // RFC 3686
    AesCcm8 = 14, // RFC 4309
    AesCcm12 = 15, // RFC 4309
    AesCcm16 = 16, // RFC 4309
    AesGcm8 = 18, // RFC 4106
    AesGcm12 = 19, // RFC 4106
    AesGcm16 = 20, // RFC 4106
    NullAuthAesGmac = 21, // RFC 4543
    CamelliaCbc = 23, // RFC 5529
    CamelliaCtr = 24, // RFC 5529
    CamelliaCcm8 = 25, // RFC 5529
    CamelliaCcm12 = 26, // RFC 5529
    CamelliaCcm16 = 27, // RFC 5529
    Chacha20Poly1305 = 28, // RFC 7634
    AesCcm8Iiv = 29, // RFC 8750
    AesGcm16Iiv = 30, // RFC 8750
    Chacha20Poly1305Iiv = 31, // RFC 8750
    KuznyechikMgmKtree = 32, // RFC 9227
    MagmaMgmKtree = 33, // RFC 9227
    KuznyechikMgmMacKtree = 34, // RFC 9227
    MagmaMgmMacKtree = 35, // RFC 9227
}

/// <summary>Transform Type 2 - Pseudorandom Function Transform IDs.</summary>
public enum PseudorandomFunction : ushort
{
    HmacMd5 = 1, // RFC 2104
    HmacSha1 = 2, // RFC 2104
    HmacTiger = 3, // RFC 2104
    Aes128Xcbc = 4, // RFC 4434
    HmacSha2_256 = 5, // RFC 4868
    HmacSha2_384 = 6, // RFC 4868
    HmacSha2_512 = 7, // RFC 4868
    Aes128Cmac = 8, // RFC 4615
    HmacStreebog512 = 9, // RFC 9385
}

/// <summary>Transform Type 3 - Integrity Algorithm Transform IDs.</summary>
public enum IntegrityAlgorithm : ushort
{
    None = 0, // RFC 7296
    HmacMd5_96 = 1, // RFC 2403
    HmacSha1_96 = 2, // RFC 2404
    DesMac = 3, // RFC 7296
    KpdkMd5 = 4, // RFC 1826
    AesXcbc96 = 5, // RFC 3566
    HmacMd5_128 = 6, // RFC 4595
    HmacSha1_160 = 7, // RFC 4595
    AesCmac96 = 8, // RFC 4494
    Aes128Gmac = 9, // RFC 4543
    Aes192Gmac = 10, // RFC 4543
    Aes256Gmac = 11, // RFC 4543
    HmacSha2_256_128 = 12, // RFC 4868
    HmacSha2_384_192 = 13, // RFC 4868
    HmacSha2_512_256 = 14, // RFC 4868
}

/// <summary>Transform Type 4 - Key Exchange Method Transform IDs (formerly Diffie-Hellman groups).</summary>
public enum KeyExchangeMethod : ushort
{
    None = 0, // RFC 7296
    Modp768 = 1, // RFC 7296
    Modp1024 = 2, // RFC 7296
    Modp1536 = 5, // RFC 3526
    Modp2048 = 14, // RFC 3526
    Modp3072 = 15, // RFC 3526
    Modp4096 = 16, // RFC 3526
    Modp6144 = 17, // RFC 3526
    Modp8192 = 18, // RFC 3526
    Ecp256 = 19, // RFC 5903
    Ecp384 = 20, // RFC 5903
    Ecp521 = 21, // RFC 5903
    Modp1024s160 = 22, // RFC 5114
    Modp2048s224 = 23, // RFC 5114
    Modp2048s256 = 24, // RFC 5114
    Ecp192 = 25, // RFC 5114
    Ecp224 = 26, // RFC 5114
    Brainpool224 = 27, // RFC 6954
    Brainpool256 = 28, // RFC 6954
    Brainpool384 = 29, // RFC 6954
    Brainpool512 = 30, // RFC 6954
    Curve25519 = 31, // RFC 8031
    Curve448 = 32, // RFC 8031
    Gost3410_2012_256 = 33, // RFC 9385
    Gost3410_2012_512 = 34, // RFC 9385
    MlKem512 = 35, // draft-ietf-ipsecme-ikev2-mlkem
    MlKem768 = 36, // draft-ietf-ipsecme-ikev2-mlkem
    MlKem1024 = 37, // draft-ietf-ipsecme-ikev2-mlkem
}

/// <summary>Transform Type 5 - Sequence Numbers Transform IDs (formerly Extended Sequence Numbers).</summary>
public enum SequenceNumbers : ushort
{
    /// <summary>32-bit Sequential Numbers (was "No Extended Sequence Numbers").</summary>
    NoEsn = 0, // RFC 7296, RFC 9827
    /// <summary>Partially Transmitted 64-bit Sequential Numbers (was "Extended Sequence Numbers").</summary>
    Esn = 1, // RFC 7296, RFC 9827
    Unspecified32Bit = 2, // g-ikev2
}

/// <summary>IKEv2 Identification Payload ID Types.</summary>
public enum IdType : byte
{
    Ipv4Addr = 1, // RFC 7296
    Fqdn = 2, // RFC 7296
    Rfc822Addr = 3, // RFC 7296
    Ipv6Addr = 5, // RFC 7296
    DerAsn1Dn = 9, // RFC 7296
    DerAsn1Gn = 10, // RFC 7296
    KeyId = 11, // RFC 7296
    FcName = 12, // RFC 4595
    Null = 13, // RFC 7619
}

/// <summary>IKEv2 Certificate Encodings.</summary>
public enum CertificateEncoding : byte
{
    Pkcs7WrappedX509Certificate = 1, // RFC 7296
    PgpCertificate = 2, // RFC 7296
    DnsSignedKey = 3, // RFC 7296
    X509CertificateSignature = 4, // RFC 7296
    KerberosToken = 6, // RFC 7296
    CertificateRevocationList = 7, // RFC 7296
    AuthorityRevocationList = 8, // RFC 7296
    SpkiCertificate = 9, // RFC 7296
    X509CertificateAttribute = 10, // RFC 7296
    /// <summary>Raw RSA Key, deprecated by RFC 7670.</summary>
    RawRsaKey = 11, // RFC 7296, RFC 7670
    HashAndUrlX509Certificate = 12, // RFC 7296
    HashAndUrlX509Bundle = 13, // RFC 7296
    OcspContent = 14, // RFC 4806
    RawPublicKey = 15, // RFC 7670
}

/// <summary>IKEv2 Authentication Method.</summary>
public enum AuthMethod : byte
{
    RsaDigitalSignature = 1, // RFC 7296
    SharedKeyMessageIntegrityCode = 2, // RFC 7296
    DssDigitalSignature = 3, // RFC 7296
    EcdsaSha256P256 = 9, // RFC 4754
    EcdsaSha384P384 = 10, // RFC 4754
    EcdsaSha512P521 = 11, // RFC 4754
    GenericSecurePassword = 12, // RFC 6467
    NullAuthentication = 13, // RFC 7619
    DigitalSignature = 14, // RFC 7427
}

/// <summary>
/// IKEv2 Notify Message Types: the Error Types (1-16383) and the Status Types (16384-65535) in one
/// enum, since both travel in the same 16-bit field. <see cref="IanaNames.IsError"/> tells them apart.
/// </summary>
public enum NotifyType : ushort
{
    // Error types.
    UnsupportedCriticalPayload = 1, // RFC 7296
    InvalidIkeSpi = 4, // RFC 7296
    InvalidMajorVersion = 5, // RFC 7296
    InvalidSyntax = 7, // RFC 7296
    InvalidMessageId = 9, // RFC 7296
    InvalidSpi = 11, // RFC 7296
    NoProposalChosen = 14, // RFC 7296
    InvalidKePayload = 17, // RFC 7296
    AuthenticationFailed = 24, // RFC 7296
    SinglePairRequired = 34, // RFC 7296
    NoAdditionalSas = 35, // RFC 7296
    InternalAddressFailure = 36, // RFC 7296
    FailedCpRequired = 37, // RFC 7296
    TsUnacceptable = 38, // RFC 7296
    InvalidSelectors = 39, // RFC 7296
    UnacceptableAddresses = 40, // RFC 4555
    UnexpectedNatDetected = 41, // RFC 4555
    UseAssignedHoa = 42, // RFC 5026
    TemporaryFailure = 43, // RFC 7296
    ChildSaNotFound = 44, // RFC 7296
    InvalidGroupId = 45, // g-ikev2
    AuthorizationFailed = 46, // g-ikev2
    StateNotFound = 47, // RFC 9370
    TsMaxQueue = 48, // RFC 9611
    RegistrationFailed = 49, // g-ikev2

    // Status types.
    InitialContact = 16384, // RFC 7296
    SetWindowSize = 16385, // RFC 7296
    AdditionalTsPossible = 16386, // RFC 7296
    IpcompSupported = 16387, // RFC 7296
    NatDetectionSourceIp = 16388, // RFC 7296
    NatDetectionDestinationIp = 16389, // RFC 7296
    Cookie = 16390, // RFC 7296
    UseTransportMode = 16391, // RFC 7296
    HttpCertLookupSupported = 16392, // RFC 7296
    RekeySa = 16393, // RFC 7296
    EspTfcPaddingNotSupported = 16394, // RFC 7296
    NonFirstFragmentsAlso = 16395, // RFC 7296
    MobikeSupported = 16396, // RFC 4555
    AdditionalIp4Address = 16397, // RFC 4555
    AdditionalIp6Address = 16398, // RFC 4555
    NoAdditionalAddresses = 16399, // RFC 4555
    UpdateSaAddresses = 16400, // RFC 4555
    Cookie2 = 16401, // RFC 4555
    NoNatsAllowed = 16402, // RFC 4555
    AuthLifetime = 16403, // RFC 4478
    MultipleAuthSupported = 16404, // RFC 4739
    AnotherAuthFollows = 16405, // RFC 4739
    RedirectSupported = 16406, // RFC 5685
    Redirect = 16407, // RFC 5685
    RedirectedFrom = 16408, // RFC 5685
    TicketLtOpaque = 16409, // RFC 5723
    TicketRequest = 16410, // RFC 5723
    TicketAck = 16411, // RFC 5723
    TicketNack = 16412, // RFC 5723
    TicketOpaque = 16413, // RFC 5723
    LinkId = 16414, // RFC 5739
    UseWespMode = 16415, // RFC 5840
    RohcSupported = 16416, // RFC 5857
    EapOnlyAuthentication = 16417, // RFC 5998
    ChildlessIkev2Supported = 16418, // RFC 6023
    QuickCrashDetection = 16419, // RFC 6290
    Ikev2MessageIdSyncSupported = 16420, // RFC 6311
    IpsecReplayCounterSyncSupported = 16421, // RFC 6311
    Ikev2MessageIdSync = 16422, // RFC 6311
    IpsecReplayCounterSync = 16423, // RFC 6311
    SecurePasswordMethods = 16424, // RFC 6467
    PskPersist = 16425, // RFC 6631
    PskConfirm = 16426, // RFC 6631
    ErxSupported = 16427, // RFC 6867
    IfomCapability = 16428, // 3GPP TS 24.303 annex B.2
    GroupSender = 16429, // g-ikev2 (was SENDER_REQUEST_ID)
    Ikev2FragmentationSupported = 16430, // RFC 7383
    SignatureHashAlgorithms = 16431, // RFC 7427
    CloneIkeSaSupported = 16432, // RFC 7791
    CloneIkeSa = 16433, // RFC 7791
    Puzzle = 16434, // RFC 8019
    UsePpk = 16435, // RFC 8784
    PpkIdentity = 16436, // RFC 8784
    NoPpkAuth = 16437, // RFC 8784
    IntermediateExchangeSupported = 16438, // RFC 9242
    Ip4Allowed = 16439, // RFC 8983
    Ip6Allowed = 16440, // RFC 8983
    AdditionalKeyExchange = 16441, // RFC 9370
    UseAggfrag = 16442, // RFC 9347
    SupportedAuthMethods = 16443, // RFC 9593
    SaResourceInfo = 16444, // RFC 9611
    UsePpkInt = 16445, // RFC 9867
    PpkIdentityKey = 16446, // RFC 9867
}

/// <summary>IKEv2 Security Protocol Identifiers (Protocol ID of proposals, notifications and deletes).</summary>
public enum SecurityProtocol : byte
{
    Ike = 1, // RFC 7296
    Ah = 2, // RFC 7296
    Esp = 3, // RFC 7296
    FcEspHeader = 4, // RFC 4595
    FcCtAuthentication = 5, // RFC 4595
    GikeUpdate = 6, // g-ikev2
}

/// <summary>IKEv2 Traffic Selector Types.</summary>
public enum TrafficSelectorType : byte
{
    Ipv4AddrRange = 7, // RFC 7296
    Ipv6AddrRange = 8, // RFC 7296
    FcAddrRange = 9, // RFC 4595
    SecLabel = 10, // RFC 9478
}

/// <summary>IKEv2 Configuration Payload CFG Types.</summary>
public enum ConfigurationType : byte
{
    Request = 1, // RFC 7296
    Reply = 2, // RFC 7296
    Set = 3, // RFC 7296
    Ack = 4, // RFC 7296
}

/// <summary>
/// IKEv2 Configuration Payload Attribute Types, plus the Cisco Unity attributes from the
/// private-use range (16384-32767) under the names strongSwan gives them.
/// </summary>
public enum ConfigurationAttributeType : ushort
{
    InternalIp4Address = 1, // RFC 7296
    InternalIp4Netmask = 2, // RFC 7296
    InternalIp4Dns = 3, // RFC 7296
    InternalIp4Nbns = 4, // RFC 7296
    InternalIp4Dhcp = 6, // RFC 7296
    ApplicationVersion = 7, // RFC 7296
    InternalIp6Address = 8, // RFC 7296
    InternalIp6Dns = 10, // RFC 7296
    InternalIp6Dhcp = 12, // RFC 7296
    InternalIp4Subnet = 13, // RFC 7296
    SupportedAttributes = 14, // RFC 7296
    InternalIp6Subnet = 15, // RFC 7296
    Mip6HomePrefix = 16, // RFC 5026
    InternalIp6Link = 17, // RFC 5739
    InternalIp6Prefix = 18, // RFC 5739
    HomeAgentAddress = 19, // 3GPP TS 24.302
    PCscfIp4Address = 20, // RFC 7651
    PCscfIp6Address = 21, // RFC 7651
    FttKat = 22, // 3GPP TS 24.302
    ExternalSourceIp4NatInfo = 23, // 3GPP TS 24.502
    TimeoutPeriodForLivenessCheck = 24, // 3GPP TS 24.302
    InternalDnsDomain = 25, // RFC 8598
    InternalDnssecTa = 26, // RFC 8598
    EncdnsIp4 = 27, // RFC 9464
    EncdnsIp6 = 28, // RFC 9464
    EncdnsDigestInfo = 29, // RFC 9464

    // Private use: Cisco Unity attributes (no RFC; names as strongSwan spells them).
    UnityBanner = 28672, // private use, Cisco Unity
    UnitySavePasswd = 28673, // private use, Cisco Unity
    UnityDefDomain = 28674, // private use, Cisco Unity
    UnitySplitdnsName = 28675, // private use, Cisco Unity
    UnitySplitInclude = 28676, // private use, Cisco Unity
    UnityNattPort = 28677, // private use, Cisco Unity
    UnityLocalLan = 28678, // private use, Cisco Unity
    UnityPfs = 28679, // private use, Cisco Unity
    UnityFwType = 28680, // private use, Cisco Unity
    UnityBackupServers = 28681, // private use, Cisco Unity
    UnityDdnsHostname = 28682, // private use, Cisco Unity
}

/// <summary>IKEv2 Gateway Identity Types (REDIRECT and REDIRECTED_FROM notifications).</summary>
public enum GatewayIdentityType : byte
{
    Ipv4 = 1, // RFC 5685
    Ipv6 = 2, // RFC 5685
    Fqdn = 3, // RFC 5685
}

/// <summary>IKEv2 Hash Algorithms (SIGNATURE_HASH_ALGORITHMS notification).</summary>
public enum HashAlgorithm : ushort
{
    Sha1 = 1, // RFC 7427
    Sha2_256 = 2, // RFC 7427
    Sha2_384 = 3, // RFC 7427
    Sha2_512 = 4, // RFC 7427
    Identity = 5, // RFC 8420
    Streebog256 = 6, // RFC 9385
    Streebog512 = 7, // RFC 9385
}

/// <summary>
/// The names the IANA registries give each value, for logs and diagnostics. A value the enum does
/// not name comes back as "unknown (n)".
/// </summary>
public static class IanaNames
{
    /// <summary>True for Notify Message Error Types (below 16384), false for Status Types.</summary>
    public static bool IsError(this NotifyType t) => (ushort)t < 16384;

    public static string ToIanaName(this ExchangeType value) => value switch
    {
        ExchangeType.IkeSaInit => "IKE_SA_INIT",
        ExchangeType.IkeAuth => "IKE_AUTH",
        ExchangeType.CreateChildSa => "CREATE_CHILD_SA",
        ExchangeType.Informational => "INFORMATIONAL",
        ExchangeType.IkeSessionResume => "IKE_SESSION_RESUME",
        ExchangeType.GsaAuth => "GSA_AUTH",
        ExchangeType.GsaRegistration => "GSA_REGISTRATION",
        ExchangeType.GsaRekey => "GSA_REKEY",
        ExchangeType.GsaInbandRekey => "GSA_INBAND_REKEY",
        ExchangeType.IkeIntermediate => "IKE_INTERMEDIATE",
        ExchangeType.IkeFollowupKe => "IKE_FOLLOWUP_KE",
        _ => Unknown((int)value),
    };

    /// <summary>
    /// The registry's Notation column (SA, KE, IDi, ...); "Nonce" for the Nonce payload, whose
    /// notation is "Ni, Nr", and "NONE" for No Next Payload.
    /// </summary>
    public static string ToIanaName(this PayloadType value) => value switch
    {
        PayloadType.NoNextPayload => "NONE",
        PayloadType.SecurityAssociation => "SA",
        PayloadType.KeyExchange => "KE",
        PayloadType.IdInitiator => "IDi",
        PayloadType.IdResponder => "IDr",
        PayloadType.Certificate => "CERT",
        PayloadType.CertificateRequest => "CERTREQ",
        PayloadType.Authentication => "AUTH",
        PayloadType.Nonce => "Nonce",
        PayloadType.Notify => "N",
        PayloadType.Delete => "D",
        PayloadType.VendorId => "V",
        PayloadType.TsInitiator => "TSi",
        PayloadType.TsResponder => "TSr",
        PayloadType.Encrypted => "SK",
        PayloadType.Configuration => "CP",
        PayloadType.Eap => "EAP",
        PayloadType.GenericSecurePasswordMethods => "GSPM",
        PayloadType.GroupIdentification => "IDg",
        PayloadType.GroupSecurityAssociation => "GSA",
        PayloadType.KeyDownload => "KD",
        PayloadType.EncryptedFragment => "SKF",
        PayloadType.PuzzleSolution => "PS",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this TransformType value) => value switch
    {
        TransformType.Encryption => "Encryption Algorithm (ENCR)",
        TransformType.Prf => "Pseudo-random Function (PRF)",
        TransformType.Integrity => "Integrity Algorithm (INTEG)",
        TransformType.KeyExchange => "Key Exchange Method (KE)",
        TransformType.SequenceNumbers => "Sequence Numbers (SN)",
        TransformType.AdditionalKeyExchange1 => "Additional Key Exchange 1 (ADDKE1)",
        TransformType.AdditionalKeyExchange2 => "Additional Key Exchange 2 (ADDKE2)",
        TransformType.AdditionalKeyExchange3 => "Additional Key Exchange 3 (ADDKE3)",
        TransformType.AdditionalKeyExchange4 => "Additional Key Exchange 4 (ADDKE4)",
        TransformType.AdditionalKeyExchange5 => "Additional Key Exchange 5 (ADDKE5)",
        TransformType.AdditionalKeyExchange6 => "Additional Key Exchange 6 (ADDKE6)",
        TransformType.AdditionalKeyExchange7 => "Additional Key Exchange 7 (ADDKE7)",
        TransformType.KeyWrapAlgorithm => "Key Wrap Algorithm (KWA)",
        TransformType.GroupControllerAuthenticationMethod => "Group Controller Authentication Method (GCAUTH)",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this TransformAttributeType value) => value switch
    {
        TransformAttributeType.KeyLength => "Key Length (in bits)",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this EncryptionAlgorithm value) => value switch
    {
        EncryptionAlgorithm.DesIv64 => "ENCR_DES_IV64",
        EncryptionAlgorithm.Des => "ENCR_DES",
        EncryptionAlgorithm.TripleDes => "ENCR_3DES",
        EncryptionAlgorithm.Rc5 => "ENCR_RC5",
        EncryptionAlgorithm.Idea => "ENCR_IDEA",
        EncryptionAlgorithm.Cast => "ENCR_CAST",
        EncryptionAlgorithm.Blowfish => "ENCR_BLOWFISH",
        EncryptionAlgorithm.TripleIdea => "ENCR_3IDEA",
        EncryptionAlgorithm.DesIv32 => "ENCR_DES_IV32",
        EncryptionAlgorithm.Null => "ENCR_NULL",
        EncryptionAlgorithm.AesCbc => "ENCR_AES_CBC",
        EncryptionAlgorithm.AesCtr => "ENCR_AES_CTR",
        EncryptionAlgorithm.AesCcm8 => "ENCR_AES_CCM_8",
        EncryptionAlgorithm.AesCcm12 => "ENCR_AES_CCM_12",
        EncryptionAlgorithm.AesCcm16 => "ENCR_AES_CCM_16",
        EncryptionAlgorithm.AesGcm8 => "ENCR_AES_GCM_8",
        EncryptionAlgorithm.AesGcm12 => "ENCR_AES_GCM_12",
        EncryptionAlgorithm.AesGcm16 => "ENCR_AES_GCM_16",
        EncryptionAlgorithm.NullAuthAesGmac => "ENCR_NULL_AUTH_AES_GMAC",
        EncryptionAlgorithm.CamelliaCbc => "ENCR_CAMELLIA_CBC",
        EncryptionAlgorithm.CamelliaCtr => "ENCR_CAMELLIA_CTR",
        EncryptionAlgorithm.CamelliaCcm8 => "ENCR_CAMELLIA_CCM_8",
        EncryptionAlgorithm.CamelliaCcm12 => "ENCR_CAMELLIA_CCM_12",
        EncryptionAlgorithm.CamelliaCcm16 => "ENCR_CAMELLIA_CCM_16",
        EncryptionAlgorithm.Chacha20Poly1305 => "ENCR_CHACHA20_POLY1305",
        EncryptionAlgorithm.AesCcm8Iiv => "ENCR_AES_CCM_8_IIV",
        EncryptionAlgorithm.AesGcm16Iiv => "ENCR_AES_GCM_16_IIV",
        EncryptionAlgorithm.Chacha20Poly1305Iiv => "ENCR_CHACHA20_POLY1305_IIV",
        EncryptionAlgorithm.KuznyechikMgmKtree => "ENCR_KUZNYECHIK_MGM_KTREE",
        EncryptionAlgorithm.MagmaMgmKtree => "ENCR_MAGMA_MGM_KTREE",
        EncryptionAlgorithm.KuznyechikMgmMacKtree => "ENCR_KUZNYECHIK_MGM_MAC_KTREE",
        EncryptionAlgorithm.MagmaMgmMacKtree => "ENCR_MAGMA_MGM_MAC_KTREE",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this PseudorandomFunction value) => value switch
    {
        PseudorandomFunction.HmacMd5 => "PRF_HMAC_MD5",
        PseudorandomFunction.HmacSha1 => "PRF_HMAC_SHA1",
        PseudorandomFunction.HmacTiger => "PRF_HMAC_TIGER",
        PseudorandomFunction.Aes128Xcbc => "PRF_AES128_XCBC",
        PseudorandomFunction.HmacSha2_256 => "PRF_HMAC_SHA2_256",
        PseudorandomFunction.HmacSha2_384 => "PRF_HMAC_SHA2_384",
        PseudorandomFunction.HmacSha2_512 => "PRF_HMAC_SHA2_512",
        PseudorandomFunction.Aes128Cmac => "PRF_AES128_CMAC",
        PseudorandomFunction.HmacStreebog512 => "PRF_HMAC_STREEBOG_512",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this IntegrityAlgorithm value) => value switch
    {
        IntegrityAlgorithm.None => "NONE",
        IntegrityAlgorithm.HmacMd5_96 => "AUTH_HMAC_MD5_96",
        IntegrityAlgorithm.HmacSha1_96 => "AUTH_HMAC_SHA1_96",
        IntegrityAlgorithm.DesMac => "AUTH_DES_MAC",
        IntegrityAlgorithm.KpdkMd5 => "AUTH_KPDK_MD5",
        IntegrityAlgorithm.AesXcbc96 => "AUTH_AES_XCBC_96",
        IntegrityAlgorithm.HmacMd5_128 => "AUTH_HMAC_MD5_128",
        IntegrityAlgorithm.HmacSha1_160 => "AUTH_HMAC_SHA1_160",
        IntegrityAlgorithm.AesCmac96 => "AUTH_AES_CMAC_96",
        IntegrityAlgorithm.Aes128Gmac => "AUTH_AES_128_GMAC",
        IntegrityAlgorithm.Aes192Gmac => "AUTH_AES_192_GMAC",
        IntegrityAlgorithm.Aes256Gmac => "AUTH_AES_256_GMAC",
        IntegrityAlgorithm.HmacSha2_256_128 => "AUTH_HMAC_SHA2_256_128",
        IntegrityAlgorithm.HmacSha2_384_192 => "AUTH_HMAC_SHA2_384_192",
        IntegrityAlgorithm.HmacSha2_512_256 => "AUTH_HMAC_SHA2_512_256",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this KeyExchangeMethod value) => value switch
    {
        KeyExchangeMethod.None => "NONE",
        KeyExchangeMethod.Modp768 => "768-bit MODP Group",
        KeyExchangeMethod.Modp1024 => "1024-bit MODP Group",
        KeyExchangeMethod.Modp1536 => "1536-bit MODP Group",
        KeyExchangeMethod.Modp2048 => "2048-bit MODP Group",
        KeyExchangeMethod.Modp3072 => "3072-bit MODP Group",
        KeyExchangeMethod.Modp4096 => "4096-bit MODP Group",
        KeyExchangeMethod.Modp6144 => "6144-bit MODP Group",
        KeyExchangeMethod.Modp8192 => "8192-bit MODP Group",
        KeyExchangeMethod.Ecp256 => "256-bit random ECP group",
        KeyExchangeMethod.Ecp384 => "384-bit random ECP group",
        KeyExchangeMethod.Ecp521 => "521-bit random ECP group",
        KeyExchangeMethod.Modp1024s160 => "1024-bit MODP Group with 160-bit Prime Order Subgroup",
        KeyExchangeMethod.Modp2048s224 => "2048-bit MODP Group with 224-bit Prime Order Subgroup",
        KeyExchangeMethod.Modp2048s256 => "2048-bit MODP Group with 256-bit Prime Order Subgroup",
        KeyExchangeMethod.Ecp192 => "192-bit Random ECP Group",
        KeyExchangeMethod.Ecp224 => "224-bit Random ECP Group",
        KeyExchangeMethod.Brainpool224 => "brainpoolP224r1",
        KeyExchangeMethod.Brainpool256 => "brainpoolP256r1",
        KeyExchangeMethod.Brainpool384 => "brainpoolP384r1",
        KeyExchangeMethod.Brainpool512 => "brainpoolP512r1",
        KeyExchangeMethod.Curve25519 => "Curve25519",
        KeyExchangeMethod.Curve448 => "Curve448",
        KeyExchangeMethod.Gost3410_2012_256 => "GOST3410_2012_256",
        KeyExchangeMethod.Gost3410_2012_512 => "GOST3410_2012_512",
        KeyExchangeMethod.MlKem512 => "ml-kem-512",
        KeyExchangeMethod.MlKem768 => "ml-kem-768",
        KeyExchangeMethod.MlKem1024 => "ml-kem-1024",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this SequenceNumbers value) => value switch
    {
        SequenceNumbers.NoEsn => "32-bit Sequential Numbers",
        SequenceNumbers.Esn => "Partially Transmitted 64-bit Sequential Numbers",
        SequenceNumbers.Unspecified32Bit => "32-bit Unspecified Numbers",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this IdType value) => value switch
    {
        IdType.Ipv4Addr => "ID_IPV4_ADDR",
        IdType.Fqdn => "ID_FQDN",
        IdType.Rfc822Addr => "ID_RFC822_ADDR",
        IdType.Ipv6Addr => "ID_IPV6_ADDR",
        IdType.DerAsn1Dn => "ID_DER_ASN1_DN",
        IdType.DerAsn1Gn => "ID_DER_ASN1_GN",
        IdType.KeyId => "ID_KEY_ID",
        IdType.FcName => "ID_FC_NAME",
        IdType.Null => "ID_NULL",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this CertificateEncoding value) => value switch
    {
        CertificateEncoding.Pkcs7WrappedX509Certificate => "PKCS #7 wrapped X.509 certificate",
        CertificateEncoding.PgpCertificate => "PGP Certificate",
        CertificateEncoding.DnsSignedKey => "DNS Signed Key",
        CertificateEncoding.X509CertificateSignature => "X.509 Certificate - Signature",
        CertificateEncoding.KerberosToken => "Kerberos Token",
        CertificateEncoding.CertificateRevocationList => "Certificate Revocation List (CRL)",
        CertificateEncoding.AuthorityRevocationList => "Authority Revocation List (ARL)",
        CertificateEncoding.SpkiCertificate => "SPKI Certificate",
        CertificateEncoding.X509CertificateAttribute => "X.509 Certificate - Attribute",
        CertificateEncoding.RawRsaKey => "Raw RSA Key (DEPRECATED)",
        CertificateEncoding.HashAndUrlX509Certificate => "Hash and URL of X.509 certificate",
        CertificateEncoding.HashAndUrlX509Bundle => "Hash and URL of X.509 bundle",
        CertificateEncoding.OcspContent => "OCSP Content",
        CertificateEncoding.RawPublicKey => "Raw Public Key",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this AuthMethod value) => value switch
    {
        AuthMethod.RsaDigitalSignature => "RSA Digital Signature",
        AuthMethod.SharedKeyMessageIntegrityCode => "Shared Key Message Integrity Code",
        AuthMethod.DssDigitalSignature => "DSS Digital Signature",
        AuthMethod.EcdsaSha256P256 => "ECDSA with SHA-256 on the P-256 curve",
        AuthMethod.EcdsaSha384P384 => "ECDSA with SHA-384 on the P-384 curve",
        AuthMethod.EcdsaSha512P521 => "ECDSA with SHA-512 on the P-521 curve",
        AuthMethod.GenericSecurePassword => "Generic Secure Password Authentication Method",
        AuthMethod.NullAuthentication => "NULL Authentication",
        AuthMethod.DigitalSignature => "Digital Signature",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this NotifyType value) => value switch
    {
        NotifyType.UnsupportedCriticalPayload => "UNSUPPORTED_CRITICAL_PAYLOAD",
        NotifyType.InvalidIkeSpi => "INVALID_IKE_SPI",
        NotifyType.InvalidMajorVersion => "INVALID_MAJOR_VERSION",
        NotifyType.InvalidSyntax => "INVALID_SYNTAX",
        NotifyType.InvalidMessageId => "INVALID_MESSAGE_ID",
        NotifyType.InvalidSpi => "INVALID_SPI",
        NotifyType.NoProposalChosen => "NO_PROPOSAL_CHOSEN",
        NotifyType.InvalidKePayload => "INVALID_KE_PAYLOAD",
        NotifyType.AuthenticationFailed => "AUTHENTICATION_FAILED",
        NotifyType.SinglePairRequired => "SINGLE_PAIR_REQUIRED",
        NotifyType.NoAdditionalSas => "NO_ADDITIONAL_SAS",
        NotifyType.InternalAddressFailure => "INTERNAL_ADDRESS_FAILURE",
        NotifyType.FailedCpRequired => "FAILED_CP_REQUIRED",
        NotifyType.TsUnacceptable => "TS_UNACCEPTABLE",
        NotifyType.InvalidSelectors => "INVALID_SELECTORS",
        NotifyType.UnacceptableAddresses => "UNACCEPTABLE_ADDRESSES",
        NotifyType.UnexpectedNatDetected => "UNEXPECTED_NAT_DETECTED",
        NotifyType.UseAssignedHoa => "USE_ASSIGNED_HoA",
        NotifyType.TemporaryFailure => "TEMPORARY_FAILURE",
        NotifyType.ChildSaNotFound => "CHILD_SA_NOT_FOUND",
        NotifyType.InvalidGroupId => "INVALID_GROUP_ID",
        NotifyType.AuthorizationFailed => "AUTHORIZATION_FAILED",
        NotifyType.StateNotFound => "STATE_NOT_FOUND",
        NotifyType.TsMaxQueue => "TS_MAX_QUEUE",
        NotifyType.RegistrationFailed => "REGISTRATION_FAILED",
        NotifyType.InitialContact => "INITIAL_CONTACT",
        NotifyType.SetWindowSize => "SET_WINDOW_SIZE",
        NotifyType.AdditionalTsPossible => "ADDITIONAL_TS_POSSIBLE",
        NotifyType.IpcompSupported => "IPCOMP_SUPPORTED",
        NotifyType.NatDetectionSourceIp => "NAT_DETECTION_SOURCE_IP",
        NotifyType.NatDetectionDestinationIp => "NAT_DETECTION_DESTINATION_IP",
        NotifyType.Cookie => "COOKIE",
        NotifyType.UseTransportMode => "USE_TRANSPORT_MODE",
        NotifyType.HttpCertLookupSupported => "HTTP_CERT_LOOKUP_SUPPORTED",
        NotifyType.RekeySa => "REKEY_SA",
        NotifyType.EspTfcPaddingNotSupported => "ESP_TFC_PADDING_NOT_SUPPORTED",
        NotifyType.NonFirstFragmentsAlso => "NON_FIRST_FRAGMENTS_ALSO",
        NotifyType.MobikeSupported => "MOBIKE_SUPPORTED",
        NotifyType.AdditionalIp4Address => "ADDITIONAL_IP4_ADDRESS",
        NotifyType.AdditionalIp6Address => "ADDITIONAL_IP6_ADDRESS",
        NotifyType.NoAdditionalAddresses => "NO_ADDITIONAL_ADDRESSES",
        NotifyType.UpdateSaAddresses => "UPDATE_SA_ADDRESSES",
        NotifyType.Cookie2 => "COOKIE2",
        NotifyType.NoNatsAllowed => "NO_NATS_ALLOWED",
        NotifyType.AuthLifetime => "AUTH_LIFETIME",
        NotifyType.MultipleAuthSupported => "MULTIPLE_AUTH_SUPPORTED",
        NotifyType.AnotherAuthFollows => "ANOTHER_AUTH_FOLLOWS",
        NotifyType.RedirectSupported => "REDIRECT_SUPPORTED",
        NotifyType.Redirect => "REDIRECT",
        NotifyType.RedirectedFrom => "REDIRECTED_FROM",
        NotifyType.TicketLtOpaque => "TICKET_LT_OPAQUE",
        NotifyType.TicketRequest => "TICKET_REQUEST",
        NotifyType.TicketAck => "TICKET_ACK",
        NotifyType.TicketNack => "TICKET_NACK",
        NotifyType.TicketOpaque => "TICKET_OPAQUE",
        NotifyType.LinkId => "LINK_ID",
        NotifyType.UseWespMode => "USE_WESP_MODE",
        NotifyType.RohcSupported => "ROHC_SUPPORTED",
        NotifyType.EapOnlyAuthentication => "EAP_ONLY_AUTHENTICATION",
        NotifyType.ChildlessIkev2Supported => "CHILDLESS_IKEV2_SUPPORTED",
        NotifyType.QuickCrashDetection => "QUICK_CRASH_DETECTION",
        NotifyType.Ikev2MessageIdSyncSupported => "IKEV2_MESSAGE_ID_SYNC_SUPPORTED",
        NotifyType.IpsecReplayCounterSyncSupported => "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED",
        NotifyType.Ikev2MessageIdSync => "IKEV2_MESSAGE_ID_SYNC",
        NotifyType.IpsecReplayCounterSync => "IPSEC_REPLAY_COUNTER_SYNC",
        NotifyType.SecurePasswordMethods => "SECURE_PASSWORD_METHODS",
        NotifyType.PskPersist => "PSK_PERSIST",
        NotifyType.PskConfirm => "PSK_CONFIRM",
        NotifyType.ErxSupported => "ERX_SUPPORTED",
        NotifyType.IfomCapability => "IFOM_CAPABILITY",
        NotifyType.GroupSender => "GROUP_SENDER",
        NotifyType.Ikev2FragmentationSupported => "IKEV2_FRAGMENTATION_SUPPORTED",
        NotifyType.SignatureHashAlgorithms => "SIGNATURE_HASH_ALGORITHMS",
        NotifyType.CloneIkeSaSupported => "CLONE_IKE_SA_SUPPORTED",
        NotifyType.CloneIkeSa => "CLONE_IKE_SA",
        NotifyType.Puzzle => "PUZZLE",
        NotifyType.UsePpk => "USE_PPK",
        NotifyType.PpkIdentity => "PPK_IDENTITY",
        NotifyType.NoPpkAuth => "NO_PPK_AUTH",
        NotifyType.IntermediateExchangeSupported => "INTERMEDIATE_EXCHANGE_SUPPORTED",
        NotifyType.Ip4Allowed => "IP4_ALLOWED",
        NotifyType.Ip6Allowed => "IP6_ALLOWED",
        NotifyType.AdditionalKeyExchange => "ADDITIONAL_KEY_EXCHANGE",
        NotifyType.UseAggfrag => "USE_AGGFRAG",
        NotifyType.SupportedAuthMethods => "SUPPORTED_AUTH_METHODS",
        NotifyType.SaResourceInfo => "SA_RESOURCE_INFO",
        NotifyType.UsePpkInt => "USE_PPK_INT",
        NotifyType.PpkIdentityKey => "PPK_IDENTITY_KEY",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this SecurityProtocol value) => value switch
    {
        SecurityProtocol.Ike => "IKE",
        SecurityProtocol.Ah => "AH",
        SecurityProtocol.Esp => "ESP",
        SecurityProtocol.FcEspHeader => "FC_ESP_HEADER",
        SecurityProtocol.FcCtAuthentication => "FC_CT_AUTHENTICATION",
        SecurityProtocol.GikeUpdate => "GIKE_UPDATE",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this TrafficSelectorType value) => value switch
    {
        TrafficSelectorType.Ipv4AddrRange => "TS_IPV4_ADDR_RANGE",
        TrafficSelectorType.Ipv6AddrRange => "TS_IPV6_ADDR_RANGE",
        TrafficSelectorType.FcAddrRange => "TS_FC_ADDR_RANGE",
        TrafficSelectorType.SecLabel => "TS_SECLABEL",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this ConfigurationType value) => value switch
    {
        ConfigurationType.Request => "CFG_REQUEST",
        ConfigurationType.Reply => "CFG_REPLY",
        ConfigurationType.Set => "CFG_SET",
        ConfigurationType.Ack => "CFG_ACK",
        _ => Unknown((int)value),
    };

    /// <summary>The registry name, or strongSwan's name for the Cisco Unity private-use attributes.</summary>
    public static string ToIanaName(this ConfigurationAttributeType value) => value switch
    {
        ConfigurationAttributeType.InternalIp4Address => "INTERNAL_IP4_ADDRESS",
        ConfigurationAttributeType.InternalIp4Netmask => "INTERNAL_IP4_NETMASK",
        ConfigurationAttributeType.InternalIp4Dns => "INTERNAL_IP4_DNS",
        ConfigurationAttributeType.InternalIp4Nbns => "INTERNAL_IP4_NBNS",
        ConfigurationAttributeType.InternalIp4Dhcp => "INTERNAL_IP4_DHCP",
        ConfigurationAttributeType.ApplicationVersion => "APPLICATION_VERSION",
        ConfigurationAttributeType.InternalIp6Address => "INTERNAL_IP6_ADDRESS",
        ConfigurationAttributeType.InternalIp6Dns => "INTERNAL_IP6_DNS",
        ConfigurationAttributeType.InternalIp6Dhcp => "INTERNAL_IP6_DHCP",
        ConfigurationAttributeType.InternalIp4Subnet => "INTERNAL_IP4_SUBNET",
        ConfigurationAttributeType.SupportedAttributes => "SUPPORTED_ATTRIBUTES",
        ConfigurationAttributeType.InternalIp6Subnet => "INTERNAL_IP6_SUBNET",
        ConfigurationAttributeType.Mip6HomePrefix => "MIP6_HOME_PREFIX",
        ConfigurationAttributeType.InternalIp6Link => "INTERNAL_IP6_LINK",
        ConfigurationAttributeType.InternalIp6Prefix => "INTERNAL_IP6_PREFIX",
        ConfigurationAttributeType.HomeAgentAddress => "HOME_AGENT_ADDRESS",
        ConfigurationAttributeType.PCscfIp4Address => "P_CSCF_IP4_ADDRESS",
        ConfigurationAttributeType.PCscfIp6Address => "P_CSCF_IP6_ADDRESS",
        ConfigurationAttributeType.FttKat => "FTT_KAT",
        ConfigurationAttributeType.ExternalSourceIp4NatInfo => "EXTERNAL_SOURCE_IP4_NAT_INFO",
        ConfigurationAttributeType.TimeoutPeriodForLivenessCheck => "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK",
        ConfigurationAttributeType.InternalDnsDomain => "INTERNAL_DNS_DOMAIN",
        ConfigurationAttributeType.InternalDnssecTa => "INTERNAL_DNSSEC_TA",
        ConfigurationAttributeType.EncdnsIp4 => "ENCDNS_IP4",
        ConfigurationAttributeType.EncdnsIp6 => "ENCDNS_IP6",
        ConfigurationAttributeType.EncdnsDigestInfo => "ENCDNS_DIGEST_INFO",
        ConfigurationAttributeType.UnityBanner => "UNITY_BANNER",
        ConfigurationAttributeType.UnitySavePasswd => "UNITY_SAVE_PASSWD",
        ConfigurationAttributeType.UnityDefDomain => "UNITY_DEF_DOMAIN",
        ConfigurationAttributeType.UnitySplitdnsName => "UNITY_SPLITDNS_NAME",
        ConfigurationAttributeType.UnitySplitInclude => "UNITY_SPLIT_INCLUDE",
        ConfigurationAttributeType.UnityNattPort => "UNITY_NATT_PORT",
        ConfigurationAttributeType.UnityLocalLan => "UNITY_LOCAL_LAN",
        ConfigurationAttributeType.UnityPfs => "UNITY_PFS",
        ConfigurationAttributeType.UnityFwType => "UNITY_FW_TYPE",
        ConfigurationAttributeType.UnityBackupServers => "UNITY_BACKUP_SERVERS",
        ConfigurationAttributeType.UnityDdnsHostname => "UNITY_DDNS_HOSTNAME",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this GatewayIdentityType value) => value switch
    {
        GatewayIdentityType.Ipv4 => "IPv4 address of the VPN gateway",
        GatewayIdentityType.Ipv6 => "IPv6 address of the VPN gateway",
        GatewayIdentityType.Fqdn => "FQDN of the VPN gateway",
        _ => Unknown((int)value),
    };

    public static string ToIanaName(this HashAlgorithm value) => value switch
    {
        HashAlgorithm.Sha1 => "SHA1",
        HashAlgorithm.Sha2_256 => "SHA2-256",
        HashAlgorithm.Sha2_384 => "SHA2-384",
        HashAlgorithm.Sha2_512 => "SHA2-512",
        HashAlgorithm.Identity => "Identity",
        HashAlgorithm.Streebog256 => "STREEBOG_256",
        HashAlgorithm.Streebog512 => "STREEBOG_512",
        _ => Unknown((int)value),
    };

    private static string Unknown(int value) => string.Create(CultureInfo.InvariantCulture, $"unknown ({value})");
}
