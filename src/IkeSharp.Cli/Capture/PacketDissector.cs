using System.Buffers.Binary;
using System.Net;

namespace IkeSharp.Cli.Capture;

public enum PacketKind
{
    /// <summary>IKE on UDP port 500 (RFC 7296 §2).</summary>
    Ike,
    /// <summary>IKE on UDP port 4500 after the non-ESP marker (RFC 3948 §2.2); the marker is stripped.</summary>
    IkeNatT,
    /// <summary>ESP encapsulated in UDP port 4500 (RFC 3948 §2.1).</summary>
    EspInUdp,
    /// <summary>ESP directly over IP, protocol 50 (RFC 4303).</summary>
    Esp,
    /// <summary>The 1-byte 0xFF NAT-keepalive on port 4500 (RFC 3948 §2.3).</summary>
    NatKeepalive,
    /// <summary>Anything else; <see cref="DissectedPacket.Note"/> says what.</summary>
    Other,
}

/// <summary>
/// A captured packet reduced to what <c>ikesharp inspect</c> needs.
/// </summary>
/// <param name="Source">
/// Source address and UDP port: port 0 for plain ESP, IP fragments and anything without a UDP
/// header; 0.0.0.0:0 when the frame holds no IP header at all.
/// </param>
/// <param name="Payload">
/// For <see cref="PacketKind.Ike"/> and <see cref="PacketKind.IkeNatT"/> the IKE message; for the
/// ESP kinds the whole ESP packet starting at the SPI (the header is needed as AEAD associated data);
/// for <see cref="PacketKind.Other"/> whatever layer the dissection stopped at. A slice, not a copy.
/// </param>
/// <param name="EspSpi">ESP Security Parameters Index, 0 for non-ESP kinds.</param>
/// <param name="EspSequence">ESP sequence number (low 32 bits), 0 for non-ESP kinds.</param>
/// <param name="Note">Why a packet is <see cref="PacketKind.Other"/>, or a warning such as capture truncation.</param>
public sealed record DissectedPacket(
    int FrameNumber,
    DateTimeOffset? Timestamp,
    IPEndPoint Source,
    IPEndPoint Destination,
    PacketKind Kind,
    ReadOnlyMemory<byte> Payload,
    uint EspSpi,
    uint EspSequence,
    string? Note);

/// <summary>
/// Finds the IKE and ESP datagrams in captured frames: link layer, IPv4/IPv6, then UDP 500/4500
/// or IP protocol 50. IP fragments are reported, not reassembled; IKE on other ports is out of
/// scope. Never throws: every header length is checked against the captured bytes.
/// </summary>
public static class PacketDissector
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;     // IEEE 802.1Q
    private const ushort EtherTypeQinQ = 0x88A8;     // IEEE 802.1ad service tag
    private const ushort EtherTypeQinQOld = 0x9100;  // pre-standard double tagging
    private const ushort EtherTypeMinimum = 0x0600;  // below this the field is an 802.3 length

    private const byte ProtocolHopByHop = 0;
    private const byte ProtocolUdp = 17;
    private const byte ProtocolRouting = 43;
    private const byte ProtocolFragment = 44;
    private const byte ProtocolEsp = 50;
    private const byte ProtocolDestinationOptions = 60;

    private const int IkePort = 500;    // RFC 7296 §2
    private const int NatTPort = 4500;  // RFC 3948 §2, RFC 7296 §2.23

    private const int MaxVlanTags = 8;

    public static DissectedPacket Dissect(CaptureFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var context = new Context(frame);
        ReadOnlyMemory<byte> data = frame.Data;
        ReadOnlySpan<byte> span = data.Span;

        switch (frame.LinkType)
        {
            case LinkType.Ethernet:
                // IEEE 802.3: destination(6) source(6) EtherType(2).
                if (span.Length < 14)
                {
                    return context.Other(data, $"Ethernet header truncated ({span.Length} bytes)");
                }

                return FromEtherType(ref context, BinaryPrimitives.ReadUInt16BigEndian(span[12..]), data[14..]);

            case LinkType.LinuxSll:
                // Linux cooked v1: packet type(2) ARPHRD(2) address length(2) address(8) protocol(2).
                if (span.Length < 16)
                {
                    return context.Other(data, $"Linux SLL header truncated ({span.Length} bytes)");
                }

                return FromEtherType(ref context, BinaryPrimitives.ReadUInt16BigEndian(span[14..]), data[16..]);

            case LinkType.LinuxSll2:
                // Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8).
                if (span.Length < 20)
                {
                    return context.Other(data, $"Linux SLL2 header truncated ({span.Length} bytes)");
                }

                return FromEtherType(ref context, BinaryPrimitives.ReadUInt16BigEndian(span), data[20..]);

            case LinkType.Null:
                return FromNull(ref context, data);

            case LinkType.Raw or LinkType.RawBsd or LinkType.RawOpenBsd:
                return FromIp(ref context, data);

            case LinkType.Ipv4:
                return span.Length > 0 && span[0] >> 4 == 4 ? FromIp(ref context, data) : context.Other(data, "link type IPv4 but packet is not IPv4");

            case LinkType.Ipv6:
                return span.Length > 0 && span[0] >> 4 == 6 ? FromIp(ref context, data) : context.Other(data, "link type IPv6 but packet is not IPv6");

            default:
                return context.Other(data, $"unsupported link type {(int)frame.LinkType}");
        }
    }

    private static DissectedPacket FromEtherType(ref Context context, ushort etherType, ReadOnlyMemory<byte> data)
    {
        // 802.1Q / 802.1ad: each tag is TCI(2) followed by the next EtherType(2). The loop is
        // bounded because a tag stack deeper than a few levels is not a real network.
        for (int tags = 0; etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld; tags++)
        {
            if (tags == MaxVlanTags)
            {
                return context.Other(data, $"more than {MaxVlanTags} VLAN tags");
            }

            if (data.Length < 4)
            {
                return context.Other(data, "VLAN tag truncated");
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(data.Span[2..]);
            data = data[4..];
        }

        return etherType switch
        {
            EtherTypeIpv4 or EtherTypeIpv6 => FromIp(ref context, data),
            < EtherTypeMinimum => context.Other(data, $"802.3 frame with length field {etherType}, not IP"),
            0x0806 => context.Other(data, "ARP"),
            _ => context.Other(data, $"non-IP EtherType 0x{etherType:x4}"),
        };
    }

    private static DissectedPacket FromNull(ref Context context, ReadOnlyMemory<byte> data)
    {
        // BSD loopback: a 4-byte address family in the capturing host's byte order. AF_INET is 2
        // everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
        if (data.Length < 4)
        {
            return context.Other(data, $"loopback header truncated ({data.Length} bytes)");
        }

        uint family = BinaryPrimitives.ReadUInt32LittleEndian(data.Span);
        if (family > 0xFFFF)
        {
            family = BinaryPrimitives.ReverseEndianness(family);
        }

        return family is 2 or 10 or 24 or 28 or 30
            ? FromIp(ref context, data[4..])
            : context.Other(data, $"loopback address family {family}, not IP");
    }

    private static DissectedPacket FromIp(ref Context context, ReadOnlyMemory<byte> data)
    {
        if (data.Length == 0)
        {
            return context.Other(data, "empty IP packet");
        }

        return (data.Span[0] >> 4) switch
        {
            4 => FromIpv4(ref context, data),
            6 => FromIpv6(ref context, data),
            int version => context.Other(data, $"IP version {version}, not 4 or 6"),
        };
    }

    private static DissectedPacket FromIpv4(ref Context context, ReadOnlyMemory<byte> data)
    {
        // RFC 791 §3.1.
        ReadOnlySpan<byte> span = data.Span;
        if (span.Length < 20)
        {
            return context.Other(data, $"IPv4 header truncated ({span.Length} bytes)");
        }

        int headerLength = (span[0] & 0x0F) * 4;
        if (headerLength < 20)
        {
            return context.Other(data, $"IPv4 header length {headerLength} is below the minimum of 20");
        }

        if (headerLength > span.Length)
        {
            return context.Other(data, $"IPv4 header with options truncated ({headerLength} bytes declared, {span.Length} captured)");
        }

        context.Source = new IPAddress(span.Slice(12, 4));
        context.Destination = new IPAddress(span.Slice(16, 4));

        // Total Length bounds the packet: Ethernet pads short frames to 60 bytes, and that padding
        // must not leak into the UDP payload. 0 is seen with TCP segmentation offload captures.
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if (totalLength != 0 && totalLength < headerLength)
        {
            return context.Other(data, $"IPv4 total length {totalLength} is less than the header length {headerLength}");
        }

        data = ClampToDeclaredLength(ref context, data, totalLength == 0 ? span.Length : totalLength, "IPv4");

        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(span[6..]);
        bool moreFragments = (fragment & 0x2000) != 0;
        int fragmentOffset = (fragment & 0x1FFF) * 8;
        if (moreFragments || fragmentOffset != 0)
        {
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
            return context.Other(data[headerLength..], $"IPv4 fragment (id 0x{id:x4}, offset {fragmentOffset}{(moreFragments ? ", more fragments" : "")}), not reassembled");
        }

        return FromTransport(ref context, span[9], data[headerLength..]);
    }

    private static DissectedPacket FromIpv6(ref Context context, ReadOnlyMemory<byte> data)
    {
        // RFC 8200 §3.
        ReadOnlySpan<byte> span = data.Span;
        if (span.Length < 40)
        {
            return context.Other(data, $"IPv6 header truncated ({span.Length} bytes)");
        }

        context.Source = new IPAddress(span.Slice(8, 16));
        context.Destination = new IPAddress(span.Slice(24, 16));

        // Payload length 0 means a jumbogram (RFC 2675); take what was captured.
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        data = ClampToDeclaredLength(ref context, data, payloadLength == 0 ? span.Length : 40 + payloadLength, "IPv6");

        byte nextHeader = span[6];
        ReadOnlyMemory<byte> rest = data[40..];

        // RFC 8200 §4: walk hop-by-hop, routing and destination options headers, each
        // NextHeader(1) HdrExtLen(1) in 8-octet units not counting the first 8. Every step
        // consumes at least 8 bytes, so the walk ends.
        while (nextHeader is ProtocolHopByHop or ProtocolRouting or ProtocolDestinationOptions)
        {
            ReadOnlySpan<byte> extension = rest.Span;
            if (extension.Length < 8)
            {
                return context.Other(rest, $"IPv6 extension header {nextHeader} truncated");
            }

            int length = (extension[1] + 1) * 8;
            if (length > extension.Length)
            {
                return context.Other(rest, $"IPv6 extension header {nextHeader} declares {length} bytes, {extension.Length} captured");
            }

            nextHeader = extension[0];
            rest = rest[length..];
        }

        if (nextHeader == ProtocolFragment)
        {
            // RFC 8200 §4.5: NextHeader(1) Reserved(1) Offset(13 bits)+Res(2)+M(1) Identification(4).
            ReadOnlySpan<byte> fragmentHeader = rest.Span;
            if (fragmentHeader.Length < 8)
            {
                return context.Other(rest, "IPv6 fragment header truncated");
            }

            ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(fragmentHeader[2..]);
            uint id = BinaryPrimitives.ReadUInt32BigEndian(fragmentHeader[4..]);
            bool more = (offsetAndFlags & 1) != 0;
            return context.Other(rest[8..], $"IPv6 fragment (id 0x{id:x8}, offset {offsetAndFlags & 0xFFF8}{(more ? ", more fragments" : "")}), not reassembled");
        }

        return FromTransport(ref context, nextHeader, rest);
    }

    private static DissectedPacket FromTransport(ref Context context, byte protocol, ReadOnlyMemory<byte> data) => protocol switch
    {
        ProtocolUdp => FromUdp(ref context, data),
        ProtocolEsp => FromEsp(ref context, data, PacketKind.Esp),
        _ => context.Other(data, $"IP protocol {protocol}{ProtocolName(protocol)}, not UDP or ESP"),
    };

    private static string ProtocolName(byte protocol) => protocol switch
    {
        1 => " (ICMP)",
        6 => " (TCP)",
        51 => " (AH)",
        58 => " (ICMPv6)",
        59 => " (no next header)",
        _ => "",
    };

    private static DissectedPacket FromUdp(ref Context context, ReadOnlyMemory<byte> data)
    {
        // RFC 768: source port(2) destination port(2) length(2) checksum(2).
        ReadOnlySpan<byte> span = data.Span;
        if (span.Length < 8)
        {
            return context.Other(data, $"UDP header truncated ({span.Length} bytes)");
        }

        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(span);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        context.SourcePort = sourcePort;
        context.DestinationPort = destinationPort;

        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        if (udpLength < 8)
        {
            return context.Other(data, $"UDP length {udpLength} is below the header size");
        }

        ReadOnlyMemory<byte> payload = ClampToDeclaredLength(ref context, data, udpLength, "UDP")[8..];

        if (sourcePort == IkePort || destinationPort == IkePort)
        {
            return context.Result(PacketKind.Ike, payload);
        }

        if (sourcePort != NatTPort && destinationPort != NatTPort)
        {
            return context.Other(payload, $"UDP {sourcePort} -> {destinationPort}, not IKE or ESP");
        }

        ReadOnlySpan<byte> body = payload.Span;

        // RFC 3948 §2.3: a single 0xFF octet keeps the NAT mapping alive.
        if (body.Length == 1 && body[0] == 0xFF)
        {
            return context.Result(PacketKind.NatKeepalive, payload);
        }

        // RFC 3948 §2.2: four zero octets where an ESP SPI would be (SPI 0 is reserved)
        // mark an IKE message; the marker is not part of the IKE message.
        if (body.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(body) == 0)
        {
            if (body.Length == 4)
            {
                context.AddNote("non-ESP marker with no IKE message after it");
            }

            return context.Result(PacketKind.IkeNatT, payload[4..]);
        }

        // RFC 3948 §2.1: otherwise the UDP payload is an ESP packet.
        return FromEsp(ref context, payload, PacketKind.EspInUdp);
    }

    private static DissectedPacket FromEsp(ref Context context, ReadOnlyMemory<byte> data, PacketKind kind)
    {
        // RFC 4303 §2: SPI(4) Sequence Number(4) then payload.
        ReadOnlySpan<byte> span = data.Span;
        if (span.Length < 8)
        {
            return context.Other(data, $"ESP header truncated ({span.Length} bytes)");
        }

        return context.Result(
            kind,
            data,
            BinaryPrimitives.ReadUInt32BigEndian(span),
            BinaryPrimitives.ReadUInt32BigEndian(span[4..]));
    }

    /// <summary>
    /// Cuts <paramref name="data"/> to a header's declared length, which drops link-layer padding,
    /// and notes when the capture holds fewer bytes than declared (snap length truncation).
    /// </summary>
    private static ReadOnlyMemory<byte> ClampToDeclaredLength(ref Context context, ReadOnlyMemory<byte> data, int declared, string layer)
    {
        if (declared <= data.Length)
        {
            return data[..declared];
        }

        context.AddNote($"{layer} packet truncated by capture: {data.Length} of {declared} bytes");
        return data;
    }

    /// <summary>
    /// What the dissection learned so far, so every exit builds a complete result. A struct passed
    /// by reference to keep the per-packet allocations to the result itself.
    /// </summary>
    private struct Context(CaptureFrame frame)
    {
        public IPAddress? Source { get; set; }
        public IPAddress? Destination { get; set; }
        public int SourcePort { get; set; }
        public int DestinationPort { get; set; }
        private string? _note;

        public void AddNote(string note) => _note = _note is null ? note : $"{_note}; {note}";

        public DissectedPacket Other(ReadOnlyMemory<byte> payload, string reason)
        {
            AddNote(reason);
            return Result(PacketKind.Other, payload);
        }

        public DissectedPacket Result(PacketKind kind, ReadOnlyMemory<byte> payload, uint spi = 0, uint sequence = 0) => new(
            frame.Number,
            frame.Timestamp,
            new IPEndPoint(Source ?? IPAddress.Any, SourcePort),
            new IPEndPoint(Destination ?? IPAddress.Any, DestinationPort),
            kind,
            payload,
            spi,
            sequence,
            _note);
    }
}
