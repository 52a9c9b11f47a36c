using System.Buffers.Binary;
using System.Net;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Notify payload, N (RFC 7296 §3.10).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// |  Protocol ID  |   SPI Size    |      Notify Message Type      |
/// ~                Security Parameter Index (SPI)                 ~
/// ~                       Notification Data                       ~
/// </code>
/// Protocol ID is 0 (or 1) and SPI Size 0 for notifies about the IKE SA. The data of the types
/// with a fixed shape is checked when decoding and read through the typed accessors below.
/// </summary>
public sealed record NotifyPayload(SecurityProtocol Protocol, NotifyType NotifyType, ReadOnlyMemory<byte> Spi, ReadOnlyMemory<byte> Data) : Payload
{
    private const int FixedLength = 4;

    /// <summary>SHA-1 output, the size of NAT_DETECTION_*_IP data (RFC 7296 §2.23).</summary>
    public const int NatDetectionHashLength = 20;

    /// <summary>RFC 7296 §2.6: cookie data is 1 to 64 octets.</summary>
    public const int MaxCookieLength = 64;

    public override PayloadType Type => PayloadType.Notify;

    public override int BodyLength => FixedLength + Spi.Length + Data.Length;

    public bool IsError => NotifyType.IsError();

    public static DecodeResult<NotifyPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        ReadOnlySpan<byte> span = body.Span;
        if (span.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.Notify, offset, FixedLength, span.Length);
        }

        var protocol = (SecurityProtocol)span[0];
        int spiSize = span[1];
        var type = (NotifyType)BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if (FixedLength + spiSize > span.Length)
        {
            return Fail.Length(PayloadType.Notify, offset + 1, $"SPI Size {spiSize} exceeds the {span.Length - FixedLength} octets after the fixed fields");
        }

        var payload = new NotifyPayload(protocol, type, body.Slice(FixedLength, spiSize), body.Slice(FixedLength + spiSize));
        string? problem = payload.CheckData();
        return problem is null
            ? DecodeResult<NotifyPayload>.Success(payload)
            : Fail.Value(PayloadType.Notify, offset + FixedLength + spiSize, $"{type.ToIanaName()}: {problem}");
    }

    /// <summary>Checks the data of the notify types whose data has a fixed shape; null when it is fine.</summary>
    private string? CheckData()
    {
        int n = Data.Length;
        ReadOnlySpan<byte> d = Data.Span;
        return NotifyType switch
        {
            NotifyType.UnsupportedCriticalPayload when n != 1 => $"data must be the 1-octet payload type, found {n} octets",
            NotifyType.InvalidKePayload when n != 2 => $"data must be the 2-octet key exchange method, found {n} octets",
            NotifyType.Cookie when n is < 1 or > MaxCookieLength => $"cookie must be 1 to {MaxCookieLength} octets, found {n}",
            NotifyType.NatDetectionSourceIp or NotifyType.NatDetectionDestinationIp when n != NatDetectionHashLength =>
                $"data must be a {NatDetectionHashLength}-octet SHA-1 hash, found {n} octets",
            NotifyType.SignatureHashAlgorithms when n % 2 != 0 => $"data must be 2-octet hash algorithm numbers, found {n} octets",
            NotifyType.AdditionalIp4Address when n != 4 => $"data must be a 4-octet IPv4 address, found {n} octets",
            NotifyType.AdditionalIp6Address when n != 16 => $"data must be a 16-octet IPv6 address, found {n} octets",
            NotifyType.SetWindowSize when n != 4 => $"data must be a 4-octet window size, found {n} octets",
            NotifyType.Redirect => CheckGatewayIdentity(d, allowNonce: true),
            NotifyType.RedirectedFrom => CheckGatewayIdentity(d, allowNonce: false),
            _ => null,
        };
    }

    /// <summary>
    /// REDIRECT and REDIRECTED_FROM data (RFC 5685 §8, §9):
    /// GW Ident Type (1) | GW Ident Len (1) | New Responder GW Identity | [Nonce Data].
    /// </summary>
    private static string? CheckGatewayIdentity(ReadOnlySpan<byte> d, bool allowNonce)
    {
        if (d.Length < 2)
        {
            return $"needs the 2-octet gateway identity header, found {d.Length} octets";
        }

        var type = (GatewayIdentityType)d[0];
        int length = d[1];
        if (2 + length > d.Length)
        {
            return $"GW Ident Len {length} exceeds the {d.Length - 2} octets present";
        }

        int expected = type switch { GatewayIdentityType.Ipv4 => 4, GatewayIdentityType.Ipv6 => 16, _ => -1 };
        if (expected >= 0 && length != expected)
        {
            return $"a {type.ToIanaName()} gateway identity is {expected} octets, found {length}";
        }

        if (!allowNonce && 2 + length != d.Length)
        {
            return $"{d.Length - 2 - length} octets follow the gateway identity";
        }

        return null;
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Protocol;
        destination[1] = (byte)Spi.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)NotifyType);
        Spi.Span.CopyTo(destination.Slice(FixedLength));
        Data.Span.CopyTo(destination.Slice(FixedLength + Spi.Length));
    }

    // ---- typed data (RFC 7296 §3.10.1 and the RFCs named) ----

    /// <summary>INVALID_KE_PAYLOAD: the key exchange method the responder wants (RFC 7296 §1.3).</summary>
    public bool TryGetInvalidKe(out KeyExchangeMethod method)
    {
        method = default;
        if (NotifyType != NotifyType.InvalidKePayload || Data.Length != 2)
        {
            return false;
        }

        method = (KeyExchangeMethod)BinaryPrimitives.ReadUInt16BigEndian(Data.Span);
        return true;
    }

    /// <summary>UNSUPPORTED_CRITICAL_PAYLOAD: the payload type that was not understood (RFC 7296 §2.5).</summary>
    public bool TryGetUnsupportedPayload(out byte payloadType)
    {
        payloadType = 0;
        if (NotifyType != NotifyType.UnsupportedCriticalPayload || Data.Length != 1)
        {
            return false;
        }

        payloadType = Data.Span[0];
        return true;
    }

    /// <summary>SIGNATURE_HASH_ALGORITHMS: the hash algorithms the sender accepts (RFC 7427 §4).</summary>
    public HashAlgorithm[] GetSignatureHashAlgorithms()
    {
        if (NotifyType != NotifyType.SignatureHashAlgorithms)
        {
            return [];
        }

        var result = new HashAlgorithm[Data.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (HashAlgorithm)BinaryPrimitives.ReadUInt16BigEndian(Data.Span.Slice(i * 2));
        }

        return result;
    }

    /// <summary>ADDITIONAL_IP4_ADDRESS / ADDITIONAL_IP6_ADDRESS (RFC 4555 §3.6).</summary>
    public bool TryGetAdditionalAddress(out IPAddress? address)
    {
        address = null;
        if ((NotifyType == NotifyType.AdditionalIp4Address && Data.Length == 4) ||
            (NotifyType == NotifyType.AdditionalIp6Address && Data.Length == 16))
        {
            address = new IPAddress(Data.Span);
            return true;
        }

        return false;
    }

    /// <summary>SET_WINDOW_SIZE: the number of requests the sender can keep outstanding (RFC 7296 §2.3).</summary>
    public bool TryGetWindowSize(out uint windowSize)
    {
        windowSize = 0;
        if (NotifyType != NotifyType.SetWindowSize || Data.Length != 4)
        {
            return false;
        }

        windowSize = BinaryPrimitives.ReadUInt32BigEndian(Data.Span);
        return true;
    }

    /// <summary>REDIRECT / REDIRECTED_FROM (RFC 5685 §8, §9): the gateway and, for REDIRECT, the echoed nonce.</summary>
    public bool TryGetRedirect(out GatewayIdentityType identityType, out ReadOnlyMemory<byte> identity, out ReadOnlyMemory<byte> nonce)
    {
        identityType = default;
        identity = default;
        nonce = default;
        if (NotifyType is not (NotifyType.Redirect or NotifyType.RedirectedFrom) || Data.Length < 2 || 2 + Data.Span[1] > Data.Length)
        {
            return false;
        }

        identityType = (GatewayIdentityType)Data.Span[0];
        identity = Data.Slice(2, Data.Span[1]);
        nonce = Data.Slice(2 + Data.Span[1]);
        return true;
    }

    /// <summary>REKEY_SA: the SPI of the Child SA being rekeyed travels in the SPI field (RFC 7296 §1.3.3).</summary>
    public bool TryGetRekeySpi(out uint spi)
    {
        spi = 0;
        if (NotifyType != NotifyType.RekeySa || Spi.Length != 4)
        {
            return false;
        }

        spi = BinaryPrimitives.ReadUInt32BigEndian(Spi.Span);
        return true;
    }

    // ---- builders ----

    /// <summary>A notify about the IKE SA (Protocol ID 0, no SPI).</summary>
    public static NotifyPayload Create(NotifyType type, ReadOnlyMemory<byte> data = default) => new(0, type, ReadOnlyMemory<byte>.Empty, data);

    public static NotifyPayload Cookie(ReadOnlyMemory<byte> cookie) => Create(NotifyType.Cookie, cookie);

    public static NotifyPayload NatDetection(bool source, ReadOnlyMemory<byte> sha1) =>
        Create(source ? NotifyType.NatDetectionSourceIp : NotifyType.NatDetectionDestinationIp, sha1);

    public static NotifyPayload InvalidKe(KeyExchangeMethod wanted)
    {
        byte[] data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)wanted);
        return Create(NotifyType.InvalidKePayload, data);
    }

    public static NotifyPayload RekeySa(SecurityProtocol protocol, uint spi)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, spi);
        return new NotifyPayload(protocol, NotifyType.RekeySa, bytes, ReadOnlyMemory<byte>.Empty);
    }

    public static NotifyPayload SignatureHashAlgorithms(params ReadOnlySpan<HashAlgorithm> algorithms)
    {
        byte[] data = new byte[algorithms.Length * 2];
        for (int i = 0; i < algorithms.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i * 2), (ushort)algorithms[i]);
        }

        return Create(NotifyType.SignatureHashAlgorithms, data);
    }

    public static NotifyPayload AdditionalAddress(IPAddress address) =>
        Create(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? NotifyType.AdditionalIp4Address : NotifyType.AdditionalIp6Address, address.GetAddressBytes());

    public static NotifyPayload SetWindowSize(uint size)
    {
        byte[] data = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(data, size);
        return Create(NotifyType.SetWindowSize, data);
    }

    public static NotifyPayload Redirect(GatewayIdentityType type, ReadOnlySpan<byte> identity, ReadOnlySpan<byte> nonce = default, bool redirectedFrom = false)
    {
        if (identity.Length > byte.MaxValue)
        {
            throw new ArgumentException("a gateway identity is at most 255 octets", nameof(identity));
        }

        byte[] data = new byte[2 + identity.Length + nonce.Length];
        data[0] = (byte)type;
        data[1] = (byte)identity.Length;
        identity.CopyTo(data.AsSpan(2));
        nonce.CopyTo(data.AsSpan(2 + identity.Length));
        return Create(redirectedFrom ? NotifyType.RedirectedFrom : NotifyType.Redirect, data);
    }

    /// <summary>The typed data as text, for logs and <c>ikesharp inspect</c>; never throws.</summary>
    public string DescribeData()
    {
        if (TryGetInvalidKe(out KeyExchangeMethod ke))
        {
            return $"wants {ke.ToKeyword()}";
        }

        if (TryGetUnsupportedPayload(out byte pt))
        {
            return $"payload type {pt}";
        }

        if (NotifyType == NotifyType.SignatureHashAlgorithms)
        {
            return string.Join(", ", Array.ConvertAll(GetSignatureHashAlgorithms(), h => h.ToIanaName()));
        }

        if (TryGetAdditionalAddress(out IPAddress? ip))
        {
            return ip!.ToString();
        }

        if (TryGetWindowSize(out uint window))
        {
            return $"window {window}";
        }

        if (TryGetRekeySpi(out uint spi))
        {
            return $"SPI {spi:x8}";
        }

        if (TryGetRedirect(out GatewayIdentityType gwType, out ReadOnlyMemory<byte> gw, out ReadOnlyMemory<byte> nonce))
        {
            string gateway = gwType switch
            {
                GatewayIdentityType.Ipv4 or GatewayIdentityType.Ipv6 => new IPAddress(gw.Span).ToString(),
                GatewayIdentityType.Fqdn => Printable.Ascii(gw.Span),
                _ => Convert.ToHexStringLower(gw.Span),
            };
            return nonce.IsEmpty ? $"gateway {gateway}" : $"gateway {gateway}, nonce {nonce.Length} bytes";
        }

        if (Spi.Length > 0 && Data.IsEmpty)
        {
            return $"SPI {Convert.ToHexStringLower(Spi.Span)}";
        }

        return Data.IsEmpty ? string.Empty : Convert.ToHexStringLower(Data.Span);
    }

    public override string ToString()
    {
        string data = DescribeData();
        return data.Length == 0 ? $"N({NotifyType.ToIanaName()})" : $"N({NotifyType.ToIanaName()}) {data}";
    }
}
