using System.Buffers.Binary;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>
/// Hand-built malformed input, one broken field per case, with the exact error the decoder must
/// report: the code, the octet offset in the datagram, and the payload it was decoding.
/// </summary>
public class MalformedInputTests
{
    /// <summary>Where the first payload of a message starts, and where its body starts.</summary>
    private const int P = IkeHeader.EncodedLength;
    private const int B = P + Payload.HeaderLength;

    /// <summary>The leading payload some cases are repeated behind, to check offsets add up: a Vendor ID of 8 octets, 12 in all.</summary>
    private const int LeadLength = 12;

    // ---------------------------------------------------------------------------------------
    // Builders of raw bytes. Nothing here goes through the encoder, so any field can be wrong.
    // ---------------------------------------------------------------------------------------

    /// <summary>One payload: type, body, and optionally a Payload Length or Next Payload other than the right one.</summary>
    private sealed record Raw(PayloadType Type, byte[] Body, byte Flags = 0, int? Length = null, PayloadType? Next = null);

    private static byte[] Chain(IReadOnlyList<Raw> payloads)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < payloads.Count; i++)
        {
            Raw p = payloads[i];
            PayloadType next = p.Next ?? (i + 1 < payloads.Count ? payloads[i + 1].Type : PayloadType.NoNextPayload);
            int length = p.Length ?? Payload.HeaderLength + p.Body.Length;
            bytes.AddRange([(byte)next, p.Flags, (byte)(length >> 8), (byte)length, .. p.Body]);
        }

        return [.. bytes];
    }

    private static byte[] Header(PayloadType next, int length, byte version = IkeHeader.Version2)
    {
        byte[] h = new byte[IkeHeader.EncodedLength];
        BinaryPrimitives.WriteUInt64BigEndian(h, 0x0102030405060708);
        BinaryPrimitives.WriteUInt64BigEndian(h.AsSpan(8), 0x1112131415161718);
        h[16] = (byte)next;
        h[17] = version;
        h[18] = (byte)ExchangeType.Informational;
        h[19] = (byte)IkeFlags.Initiator;
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(20), 5);
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(24), (uint)length);
        return h;
    }

    /// <summary>A datagram whose header is right (Length = datagram length) around the given payloads.</summary>
    private static byte[] Message(params Raw[] payloads)
    {
        byte[] chain = Chain(payloads);
        return [.. Header(payloads.Length == 0 ? PayloadType.NoNextPayload : payloads[0].Type, IkeHeader.EncodedLength + chain.Length), .. chain];
    }

    private static byte[] Filled(int length, byte value = 0xab) => Enumerable.Repeat(value, length).ToArray();

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    /// <summary>A proposal substructure; SPI Size, Num Transforms and Proposal Length follow the content unless given.</summary>
    private static byte[] Proposal(byte lastSubstruc, byte[] transforms, int numTransforms, byte[]? spi = null, int? spiSize = null, int? length = null)
    {
        spi ??= [];
        int len = length ?? 8 + spi.Length + transforms.Length;
        return [lastSubstruc, 0, .. U16(len), 1, (byte)SecurityProtocol.Ike, (byte)(spiSize ?? spi.Length), (byte)numTransforms, .. spi, .. transforms];
    }

    /// <summary>A transform substructure: ENCR_AES_CBC unless given, attributes as given.</summary>
    private static byte[] Transform(byte lastSubstruc, byte[]? attributes = null, int? length = null)
    {
        attributes ??= [];
        int len = length ?? 8 + attributes.Length;
        return [lastSubstruc, 0, .. U16(len), (byte)TransformType.Encryption, 0, .. U16((int)EncryptionAlgorithm.AesCbc), .. attributes];
    }

    private static readonly byte[] KeyLength128 = [0x80, 0x0e, 0x00, 0x80];

    private static byte[] Proposals(int count)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            bytes.AddRange(Proposal(i == count - 1 ? (byte)0 : (byte)2, [], 0));
        }

        return [.. bytes];
    }

    private static byte[] Ipv4Selector(int selectorLength = TrafficSelector.Ipv4Length, int bodyLength = 12) =>
        [(byte)TrafficSelectorType.Ipv4AddrRange, 6, .. U16(selectorLength), .. Filled(bodyLength, 1)];

    private static byte[] NotifyBody(NotifyType type, byte[] data, byte[]? spi = null, byte protocol = 0)
    {
        spi ??= [];
        return [protocol, (byte)spi.Length, .. U16((int)type), .. spi, .. data];
    }

    // ---------------------------------------------------------------------------------------
    // Payload-level cases. Offsets are for the broken payload as the first one of the message;
    // each case also runs behind a 12-octet Vendor ID payload, where every offset moves by 12.
    // ---------------------------------------------------------------------------------------

    private sealed record Case(Raw[] Payloads, DecodeErrorCode Code, int Offset, PayloadType? Payload);

    private static readonly Dictionary<string, Case> PayloadCases = new()
    {
        // The generic payload header (RFC 7296 §3.2).
        ["payload length < 4"] = new([new(PayloadType.Nonce, Filled(8), Length: 3)], DecodeErrorCode.BadLength, P + 2, PayloadType.Nonce),
        ["payload length 0"] = new([new(PayloadType.KeyExchange, Filled(8), Length: 0)], DecodeErrorCode.BadLength, P + 2, PayloadType.KeyExchange),
        ["payload length beyond the end"] = new([new(PayloadType.Nonce, Filled(8), Length: 13)], DecodeErrorCode.BadLength, P + 2, PayloadType.Nonce),
        ["payload length beyond the end, not the last payload"] = new([new(PayloadType.Nonce, Filled(8), Length: 40), new(PayloadType.VendorId, Filled(8))], DecodeErrorCode.BadLength, P + 2, PayloadType.Nonce),
        ["payload header cut short"] = new([new(PayloadType.VendorId, Filled(10), Length: 12, Next: PayloadType.Notify)], DecodeErrorCode.Truncated, P + 12, PayloadType.Notify),
        ["trailing bytes after the last payload"] = new([new(PayloadType.Nonce, Filled(11), Length: 12)], DecodeErrorCode.TrailingData, P + 12, null),
        ["bytes after an SK payload"] = new([new(PayloadType.Encrypted, Filled(20), Length: 20, Next: PayloadType.IdInitiator)], DecodeErrorCode.TrailingData, P + 20, PayloadType.Encrypted),
        ["bytes after an SKF payload"] = new([new(PayloadType.EncryptedFragment, [0, 1, 0, 2, .. Filled(16)], Length: 16, Next: PayloadType.IdInitiator)], DecodeErrorCode.TrailingData, P + 16, PayloadType.EncryptedFragment),
        ["SK followed by another payload"] = new([new(PayloadType.Encrypted, Filled(16), Next: PayloadType.IdInitiator), new(PayloadType.Nonce, Filled(8))], DecodeErrorCode.TrailingData, P + 20, PayloadType.Encrypted),

        // SA, proposals, transforms, attributes (RFC 7296 §3.3).
        ["SA with zero proposals"] = new([new(PayloadType.SecurityAssociation, [])], DecodeErrorCode.InvalidValue, B, PayloadType.SecurityAssociation),
        ["proposal Last Substruc 2 on the last proposal"] = new([new(PayloadType.SecurityAssociation, Proposal(2, Transform(0), 1))], DecodeErrorCode.InvalidValue, B, PayloadType.SecurityAssociation),
        ["proposal Last Substruc 0 on a non-last proposal"] = new([new(PayloadType.SecurityAssociation, [.. Proposal(0, Transform(0), 1), .. Proposal(0, Transform(0), 1)])], DecodeErrorCode.InvalidValue, B, PayloadType.SecurityAssociation),
        ["proposal Last Substruc 7"] = new([new(PayloadType.SecurityAssociation, [.. Proposal(2, Transform(0), 1), .. Proposal(7, Transform(0), 1)])], DecodeErrorCode.InvalidValue, B + 16, PayloadType.SecurityAssociation),
        ["proposal length beyond the SA payload"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0), 1, length: 20))], DecodeErrorCode.BadLength, B + 2, PayloadType.SecurityAssociation),
        ["proposal length < 8"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0), 1, length: 7))], DecodeErrorCode.BadLength, B + 2, PayloadType.SecurityAssociation),
        ["proposal length beyond its transforms"] = new([new(PayloadType.SecurityAssociation, [.. Proposal(0, Transform(0), 1, length: 20), .. Filled(4)])], DecodeErrorCode.TrailingData, B + 16, PayloadType.SecurityAssociation),
        ["proposal SPI Size beyond the proposal"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Filled(4), 0, spiSize: 9))], DecodeErrorCode.BadLength, B + 6, PayloadType.SecurityAssociation),
        ["Num Transforms larger than fits"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0), 3))], DecodeErrorCode.BadLength, B + 7, PayloadType.SecurityAssociation),
        ["Num Transforms larger than fits, after an SPI"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0), 2, spi: Filled(8)))], DecodeErrorCode.BadLength, B + 7, PayloadType.SecurityAssociation),
        ["Num Transforms 2 but one transform fills the proposal"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(3, [0x00, 0x63, 0x00, 0x04, .. Filled(4)]), 2))], DecodeErrorCode.Truncated, B + 8 + 16, PayloadType.SecurityAssociation),
        ["transform Last Substruc 3 on the last transform"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(3), 1))], DecodeErrorCode.InvalidValue, B + 8, PayloadType.SecurityAssociation),
        ["transform Last Substruc 0 on a non-last transform"] = new([new(PayloadType.SecurityAssociation, Proposal(0, [.. Transform(0), .. Transform(0)], 2))], DecodeErrorCode.InvalidValue, B + 8, PayloadType.SecurityAssociation),
        ["transform Last Substruc 0 on the second of three"] = new([new(PayloadType.SecurityAssociation, Proposal(0, [.. Transform(3), .. Transform(0), .. Transform(0)], 3))], DecodeErrorCode.InvalidValue, B + 16, PayloadType.SecurityAssociation),
        ["transform length beyond the proposal"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0, length: 9), 1))], DecodeErrorCode.BadLength, B + 8 + 2, PayloadType.SecurityAssociation),
        ["attribute length overflowing the transform"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0, [.. KeyLength128, 0x00, 0x63, 0x00, 0x0a, .. Filled(4)]), 1))], DecodeErrorCode.BadLength, B + 8 + 8 + 4 + 2, PayloadType.SecurityAssociation),
        ["attribute header cut short"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0, [.. KeyLength128, 0x80, 0x0e]), 1))], DecodeErrorCode.Truncated, B + 8 + 8 + 4, PayloadType.SecurityAssociation),
        ["more than 16 attributes on one transform"] = new([new(PayloadType.SecurityAssociation, Proposal(0, Transform(0, [.. Enumerable.Repeat(KeyLength128, WireLimits.MaxTransformAttributes + 1).SelectMany(a => a)]), 1))],
            DecodeErrorCode.LimitExceeded, B + 8 + 8 + (4 * WireLimits.MaxTransformAttributes), PayloadType.SecurityAssociation),
        ["more than 255 proposals"] = new([new(PayloadType.SecurityAssociation, Proposals(WireLimits.MaxProposals + 1))], DecodeErrorCode.LimitExceeded, B + (8 * WireLimits.MaxProposals), PayloadType.SecurityAssociation),

        // KE, ID, CERT, AUTH (RFC 7296 §3.4-3.8).
        ["KE shorter than its fixed fields"] = new([new(PayloadType.KeyExchange, [0, 14, 0])], DecodeErrorCode.Truncated, B, PayloadType.KeyExchange),
        ["ID_IPV4_ADDR with 5 bytes"] = new([new(PayloadType.IdInitiator, [(byte)IdType.Ipv4Addr, 0, 0, 0, .. Filled(5)])], DecodeErrorCode.BadLength, B + 4, PayloadType.IdInitiator),
        ["ID_IPV6_ADDR with 4 bytes"] = new([new(PayloadType.IdResponder, [(byte)IdType.Ipv6Addr, 0, 0, 0, .. Filled(4)])], DecodeErrorCode.BadLength, B + 4, PayloadType.IdResponder),
        ["ID shorter than its fixed fields"] = new([new(PayloadType.IdResponder, [(byte)IdType.Fqdn])], DecodeErrorCode.Truncated, B, PayloadType.IdResponder),
        ["CERT hash-and-URL shorter than 20"] = new([new(PayloadType.Certificate, [(byte)CertificateEncoding.HashAndUrlX509Certificate, .. Filled(19)])], DecodeErrorCode.BadLength, B + 1, PayloadType.Certificate),
        ["CERT hash-and-URL bundle empty"] = new([new(PayloadType.Certificate, [(byte)CertificateEncoding.HashAndUrlX509Bundle])], DecodeErrorCode.BadLength, B + 1, PayloadType.Certificate),
        ["CERT without an encoding"] = new([new(PayloadType.Certificate, [])], DecodeErrorCode.Truncated, B, PayloadType.Certificate),
        ["CERTREQ without an encoding"] = new([new(PayloadType.CertificateRequest, [])], DecodeErrorCode.Truncated, B, PayloadType.CertificateRequest),
        ["AUTH shorter than its fixed fields"] = new([new(PayloadType.Authentication, [2, 0])], DecodeErrorCode.Truncated, B, PayloadType.Authentication),

        // Notify (RFC 7296 §3.10 and the RFCs of each type). Data problems point at the Notification Data.
        ["Notify shorter than its fixed fields"] = new([new(PayloadType.Notify, [0, 0, 0x40])], DecodeErrorCode.Truncated, B, PayloadType.Notify),
        ["Notify SPI size beyond the payload"] = new([new(PayloadType.Notify, [3, 9, 0x40, 0x09, .. Filled(4)])], DecodeErrorCode.BadLength, B + 1, PayloadType.Notify),
        ["NAT_DETECTION_SOURCE_IP with 19 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.NatDetectionSourceIp, Filled(19)))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["NAT_DETECTION_DESTINATION_IP with 21 bytes after a 4-octet SPI"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.NatDetectionDestinationIp, Filled(21), Filled(4), 3))], DecodeErrorCode.InvalidValue, B + 8, PayloadType.Notify),
        ["INVALID_KE_PAYLOAD with 3 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.InvalidKePayload, [0, 14, 0]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["COOKIE with 0 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.Cookie, []))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["COOKIE with 65 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.Cookie, Filled(65)))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["UNSUPPORTED_CRITICAL_PAYLOAD with 2 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.UnsupportedCriticalPayload, [0, 200]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["SET_WINDOW_SIZE with 2 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.SetWindowSize, [0, 16]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["SIGNATURE_HASH_ALGORITHMS with an odd length"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.SignatureHashAlgorithms, [0, 2, 0]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["ADDITIONAL_IP6_ADDRESS with 4 bytes"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.AdditionalIp6Address, Filled(4)))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["REDIRECT with GW Ident Len beyond the data"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.Redirect, [(byte)GatewayIdentityType.Fqdn, 10, .. "gw.ex"u8]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["REDIRECT with a 5-octet IPv4 gateway"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.Redirect, [(byte)GatewayIdentityType.Ipv4, 5, .. Filled(5)]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["REDIRECT with 1 byte"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.Redirect, [(byte)GatewayIdentityType.Ipv4]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),
        ["REDIRECTED_FROM with bytes after the gateway"] = new([new(PayloadType.Notify, NotifyBody(NotifyType.RedirectedFrom, [(byte)GatewayIdentityType.Ipv4, 4, .. Filled(4), 9]))], DecodeErrorCode.InvalidValue, B + 4, PayloadType.Notify),

        // Delete (RFC 7296 §3.11).
        ["Delete with SPI size * count != bytes"] = new([new(PayloadType.Delete, [(byte)SecurityProtocol.Esp, 4, 0, 3, .. Filled(8)])], DecodeErrorCode.BadLength, B + 1, PayloadType.Delete),
        ["Delete with an SPI count and SPI size 0"] = new([new(PayloadType.Delete, [(byte)SecurityProtocol.Ike, 0, 0, 2])], DecodeErrorCode.InvalidValue, B + 2, PayloadType.Delete),
        ["Delete shorter than its fixed fields"] = new([new(PayloadType.Delete, [(byte)SecurityProtocol.Ike, 0, 0])], DecodeErrorCode.Truncated, B, PayloadType.Delete),

        // TSi and TSr (RFC 7296 §3.13).
        ["TS count larger than fits"] = new([new(PayloadType.TsInitiator, [5, 0, 0, 0, .. Ipv4Selector()])], DecodeErrorCode.BadLength, B, PayloadType.TsInitiator),
        ["TS count larger than the selectors present"] = new([new(PayloadType.TsInitiator, [2, 0, 0, 0, .. Ipv4Selector()])], DecodeErrorCode.Truncated, B + 4 + 16, PayloadType.TsInitiator),
        ["IPv4 selector with Selector Length 40"] = new([new(PayloadType.TsResponder, [1, 0, 0, 0, .. Ipv4Selector(40, 36)])], DecodeErrorCode.BadLength, B + 4 + 2, PayloadType.TsResponder),
        ["IPv6 selector with Selector Length 16"] = new([new(PayloadType.TsResponder, [1, 0, 0, 0, (byte)TrafficSelectorType.Ipv6AddrRange, 0, 0, 16, .. Filled(12)])], DecodeErrorCode.BadLength, B + 4 + 2, PayloadType.TsResponder),
        ["bytes after the traffic selectors"] = new([new(PayloadType.TsInitiator, [2, 0, 0, 0, .. Ipv4Selector(), .. Ipv4Selector(), 0])], DecodeErrorCode.TrailingData, B + 4 + 32, PayloadType.TsInitiator),
        ["selector length beyond the payload"] = new([new(PayloadType.TsInitiator, [2, 0, 0, 0, .. Ipv4Selector(), .. Ipv4Selector(16, 4)])], DecodeErrorCode.BadLength, B + 4 + 16 + 2, PayloadType.TsInitiator),

        // CP (RFC 7296 §3.15).
        ["CP attribute length overflow"] = new([new(PayloadType.Configuration, [1, 0, 0, 0, 0, 1, 0, 4, .. Filled(4), 0, 3, 0, 9, .. Filled(4)])], DecodeErrorCode.BadLength, B + 4 + 8 + 2, PayloadType.Configuration),
        ["CP attribute header cut short"] = new([new(PayloadType.Configuration, [1, 0, 0, 0, 0, 1])], DecodeErrorCode.Truncated, B + 4, PayloadType.Configuration),
        ["CP shorter than its fixed fields"] = new([new(PayloadType.Configuration, [1, 0])], DecodeErrorCode.Truncated, B, PayloadType.Configuration),

        // EAP (RFC 7296 §3.16, RFC 3748 §4).
        ["EAP Length != payload length"] = new([new(PayloadType.Eap, [1, 7, 0, 9, 1, 0x61])], DecodeErrorCode.BadLength, B + 2, PayloadType.Eap),
        ["EAP Request without a Type"] = new([new(PayloadType.Eap, [1, 7, 0, 4])], DecodeErrorCode.Truncated, B, PayloadType.Eap),
        ["EAP shorter than its header"] = new([new(PayloadType.Eap, [3, 7, 0])], DecodeErrorCode.Truncated, B, PayloadType.Eap),

        // SKF (RFC 7383 §2.5).
        ["SKF fragment number 0"] = new([new(PayloadType.EncryptedFragment, [0, 0, 0, 2, .. Filled(16)], Next: PayloadType.IdInitiator)], DecodeErrorCode.InvalidValue, B, PayloadType.EncryptedFragment),
        ["SKF fragment number > total"] = new([new(PayloadType.EncryptedFragment, [0, 3, 0, 2, .. Filled(16)])], DecodeErrorCode.InvalidValue, B, PayloadType.EncryptedFragment),
        ["SKF shorter than its fixed fields"] = new([new(PayloadType.EncryptedFragment, [0, 1, 0])], DecodeErrorCode.Truncated, B, PayloadType.EncryptedFragment),
    };

    public static TheoryData<string, bool> PayloadCaseNames
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (string name in PayloadCases.Keys)
            {
                data.Add(name, false);
                data.Add(name, true);
            }

            return data;
        }
    }

    private static void AssertError(DecodeError? error, DecodeErrorCode code, int offset, PayloadType? payload)
    {
        Assert.NotNull(error);
        Assert.Equal((code, offset, payload), (error.Code, error.Offset, error.Payload));

        // The text names the code, the payload and the offset.
        string text = error.ToString();
        Assert.StartsWith(code.ToString(), text, StringComparison.Ordinal);
        string where = payload is { } p ? $"in {p.ToIanaName()} payload at offset {offset}:" : $"at offset {offset}:";
        Assert.Contains(where, text, StringComparison.Ordinal);
        Assert.Contains(error.Reason, text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Theory]
    [MemberData(nameof(PayloadCaseNames))]
    public void Malformed_payload_is_reported_at_its_offset(string name, bool behindAnotherPayload)
    {
        Case c = PayloadCases[name];
        Raw[] payloads = behindAnotherPayload ? [new(PayloadType.VendorId, Filled(8, 0x11)), .. c.Payloads] : c.Payloads;
        int shift = behindAnotherPayload ? LeadLength : 0;
        byte[] datagram = Message(payloads);

        DecodeResult<IkeMessage> result = IkeMessage.Decode(datagram);
        Assert.False(result.IsSuccess, $"decoded: {result}");
        AssertError(result.Error, c.Code, c.Offset + shift, c.Payload);

        // The same chain as the decrypted content of an SK payload reports the same error.
        DecodeResult<Payload[]> inner = PayloadChain.Decode(payloads[0].Type, datagram.AsMemory(IkeHeader.EncodedLength), IkeHeader.EncodedLength, allowEncrypted: true);
        AssertError(inner.Error, c.Code, c.Offset + shift, c.Payload);
    }

    [Fact]
    public void Every_payload_case_is_valid_once_its_broken_field_is_the_only_difference()
    {
        // Guards the table: the builders make valid payloads when nothing is broken, so each case fails for its own reason.
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.SecurityAssociation, Proposal(0, [.. Transform(3, KeyLength128), .. Transform(0)], 2, spi: Filled(8))))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.SecurityAssociation, Proposals(WireLimits.MaxProposals)))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.SecurityAssociation,
            Proposal(0, Transform(0, [.. Enumerable.Repeat(KeyLength128, WireLimits.MaxTransformAttributes).SelectMany(a => a)]), 1)))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.TsInitiator, [2, 0, 0, 0, .. Ipv4Selector(), .. Ipv4Selector()]))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Notify, NotifyBody(NotifyType.NatDetectionDestinationIp, Filled(20), Filled(4), 3)))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Notify, NotifyBody(NotifyType.Redirect, [(byte)GatewayIdentityType.Fqdn, 5, .. "gw.ex"u8])))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Notify, NotifyBody(NotifyType.RedirectedFrom, [(byte)GatewayIdentityType.Ipv4, 4, .. Filled(4)])))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Delete, [(byte)SecurityProtocol.Esp, 4, 0, 2, .. Filled(8)]))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Configuration, [1, 0, 0, 0, 0, 1, 0, 4, .. Filled(4), 0, 3, 0, 4, .. Filled(4)]))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Eap, [1, 7, 0, 6, 1, 0x61]))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.EncryptedFragment, [0, 2, 0, 2, .. Filled(16)]))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Certificate, [(byte)CertificateEncoding.HashAndUrlX509Certificate, .. Filled(20)]))).IsSuccess);
        Assert.True(IkeMessage.Decode(Message(new Raw(PayloadType.Encrypted, Filled(16), Next: PayloadType.IdInitiator))).IsSuccess);
    }

    // ---------------------------------------------------------------------------------------
    // The IKE header (RFC 7296 §3.1) and the chain as a whole.
    // ---------------------------------------------------------------------------------------

    private static readonly byte[] ValidMessage = Message(new Raw(PayloadType.Nonce, Filled(16)), new Raw(PayloadType.VendorId, Filled(8)));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(27)]
    public void Header_shorter_than_28_octets(int length) =>
        AssertError(IkeMessage.Decode(ValidMessage.AsMemory(0, length)).Error, DecodeErrorCode.Truncated, 0, null);

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(0x10000)]
    public void Length_field_other_than_the_datagram_length(int difference)
    {
        byte[] datagram = (byte[])ValidMessage.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(24), (uint)(datagram.Length + difference));
        AssertError(IkeMessage.Decode(datagram).Error, DecodeErrorCode.BadLength, 24, null);
    }

    [Theory]
    [InlineData(0x30)]
    [InlineData(0x10)]
    [InlineData(0x00)]
    [InlineData(0xf0)]
    public void Major_version_other_than_2(byte version)
    {
        byte[] datagram = (byte[])ValidMessage.Clone();
        datagram[17] = version;
        AssertError(IkeMessage.Decode(datagram).Error, DecodeErrorCode.UnsupportedMajorVersion, 17, null);
    }

    [Fact]
    public void Minor_version_is_accepted_and_kept()
    {
        byte[] datagram = (byte[])ValidMessage.Clone();
        datagram[17] = 0x21;
        IkeMessage m = IkeMessage.Decode(datagram).Value;
        Assert.Equal(0x21, m.Version);
        Assert.Equal(datagram, m.ToArray());
    }

    [Fact]
    public void Datagram_larger_than_65535_octets()
    {
        byte[] chain = Chain([new Raw(PayloadType.VendorId, Filled(0xffff - 4)), new Raw(PayloadType.VendorId, Filled(100))]);
        byte[] datagram = [.. Header(PayloadType.VendorId, IkeHeader.EncodedLength + chain.Length), .. chain];
        AssertError(IkeMessage.Decode(datagram).Error, DecodeErrorCode.LimitExceeded, 0, null);
    }

    [Fact]
    public void Header_alone_with_no_payloads_decodes()
    {
        IkeMessage m = IkeMessage.Decode(Header(PayloadType.NoNextPayload, IkeHeader.EncodedLength)).Value;
        Assert.Empty(m.Payloads);
    }

    [Fact]
    public void Header_naming_a_payload_that_is_not_there()
    {
        AssertError(IkeMessage.Decode(Header(PayloadType.SecurityAssociation, IkeHeader.EncodedLength)).Error,
            DecodeErrorCode.Truncated, IkeHeader.EncodedLength, PayloadType.SecurityAssociation);
    }

    [Fact]
    public void More_than_MaxPayloadsPerChain_payloads()
    {
        Raw[] payloads = [.. Enumerable.Range(0, WireLimits.MaxPayloadsPerChain + 1).Select(_ => new Raw(PayloadType.Nonce, []))];
        AssertError(IkeMessage.Decode(Message(payloads)).Error, DecodeErrorCode.LimitExceeded, P + (4 * WireLimits.MaxPayloadsPerChain), PayloadType.Nonce);

        Assert.Equal(WireLimits.MaxPayloadsPerChain, IkeMessage.Decode(Message(payloads[1..])).Value.Payloads.Count);
    }

    [Theory]
    [InlineData(PayloadType.Encrypted)]
    [InlineData(PayloadType.EncryptedFragment)]
    public void Encrypted_payload_inside_a_decrypted_inner_chain(PayloadType type)
    {
        const int baseOffset = 100;
        byte[] body = [0, 1, 0, 1, .. Filled(16)];
        byte[] alone = Chain([new Raw(type, body, Next: PayloadType.Nonce)]);
        AssertError(PayloadChain.Decode(type, alone, baseOffset, allowEncrypted: false).Error, DecodeErrorCode.InvalidValue, baseOffset, type);

        byte[] second = Chain([new Raw(PayloadType.Nonce, Filled(8)), new Raw(type, body, Next: PayloadType.Nonce)]);
        AssertError(PayloadChain.Decode(PayloadType.Nonce, second, baseOffset, allowEncrypted: false).Error, DecodeErrorCode.InvalidValue, baseOffset + 12, type);

        // Allowed in the outer chain.
        Assert.True(PayloadChain.Decode(PayloadType.Nonce, second, baseOffset).IsSuccess);
    }

    // ---------------------------------------------------------------------------------------
    // Unknown payload types (RFC 7296 §2.5).
    // ---------------------------------------------------------------------------------------

    [Fact]
    public void Unknown_payload_with_the_critical_bit_decodes_and_is_found()
    {
        byte[] datagram = Message(new Raw(PayloadType.Nonce, Filled(16)), new Raw((PayloadType)200, Filled(9), Flags: 0x80), new Raw(PayloadType.VendorId, Filled(8)));
        IkeMessage m = IkeMessage.Decode(datagram).Value;

        Assert.Equal(3, m.Payloads.Count);
        UnknownPayload unknown = Assert.IsType<UnknownPayload>(m.Payloads[1]);
        Assert.Equal(200, unknown.RawType);
        Assert.True(unknown.Critical);
        Assert.Equal(Filled(9), unknown.Body.ToArray());
        Assert.Same(unknown, PayloadChain.FindUnsupportedCritical(m.Payloads));
        Assert.Equal(datagram, m.ToArray());
    }

    [Fact]
    public void Unknown_payload_without_the_critical_bit_is_kept_and_skipped()
    {
        byte[] datagram = Message(new Raw(PayloadType.Nonce, Filled(16)), new Raw((PayloadType)128, []), new Raw((PayloadType)49, Filled(3)), new Raw(PayloadType.VendorId, Filled(8)));
        IkeMessage m = IkeMessage.Decode(datagram).Value;

        Assert.Equal([typeof(NoncePayload), typeof(UnknownPayload), typeof(UnknownPayload), typeof(VendorIdPayload)], m.Payloads.Select(p => p.GetType()));
        Assert.Equal([128, 49], m.Payloads.OfType<UnknownPayload>().Select(u => (int)u.RawType));
        Assert.All(m.Payloads, p => Assert.False(p.Critical));
        Assert.Null(PayloadChain.FindUnsupportedCritical(m.Payloads));
        Assert.Equal(datagram, m.ToArray());
    }

    [Fact]
    public void Critical_bit_on_a_known_payload_is_kept_but_not_unsupported()
    {
        byte[] datagram = Message(new Raw(PayloadType.Nonce, Filled(16), Flags: 0x80));
        IkeMessage m = IkeMessage.Decode(datagram).Value;
        Assert.True(Assert.IsType<NoncePayload>(Assert.Single(m.Payloads)).Critical);
        Assert.Null(PayloadChain.FindUnsupportedCritical(m.Payloads));
        Assert.Equal(datagram, m.ToArray());
    }

    [Fact]
    public void Decode_error_text_without_a_payload_names_the_offset()
    {
        var error = new DecodeError(DecodeErrorCode.TrailingData, "3 octets follow the last payload (Next Payload 0)", 61);
        Assert.Equal("TrailingData at offset 61: 3 octets follow the last payload (Next Payload 0)", error.ToString());

        var inPayload = new DecodeError(DecodeErrorCode.BadLength, "SPI Size 9 exceeds", 33, PayloadType.Notify);
        Assert.Equal("BadLength in N payload at offset 33: SPI Size 9 exceeds", inPayload.ToString());
    }
}
