using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// One traffic selector (RFC 7296 §3.13.1).
/// <code>
/// |   TS Type     |IP Protocol ID*|       Selector Length         |
/// |           Start Port*         |           End Port*           |
/// ~                         Starting Address*                     ~
/// ~                         Ending Address*                       ~
/// </code>
/// Fields marked * are those of TS_IPV4_ADDR_RANGE and TS_IPV6_ADDR_RANGE. Other types
/// (TS_FC_ADDR_RANGE, TS_SECLABEL) keep their bytes after the 4-octet header in <see cref="Body"/>
/// as they are. For the address types, <see cref="IpProtocol"/> is the second octet; for others
/// it is whatever that octet holds.
/// </summary>
public sealed record TrafficSelector(TrafficSelectorType TsType, byte IpProtocol, ReadOnlyMemory<byte> Body)
{
    public const int HeaderLength = 4;
    public const int Ipv4Length = 16;
    public const int Ipv6Length = 40;

    public int EncodedLength => HeaderLength + Body.Length;

    public bool IsAddressRange => TsType is TrafficSelectorType.Ipv4AddrRange or TrafficSelectorType.Ipv6AddrRange;

    private int AddressLength => TsType == TrafficSelectorType.Ipv4AddrRange ? 4 : 16;

    public ushort StartPort => IsAddressRange ? BinaryPrimitives.ReadUInt16BigEndian(Body.Span) : (ushort)0;

    public ushort EndPort => IsAddressRange ? BinaryPrimitives.ReadUInt16BigEndian(Body.Span.Slice(2)) : (ushort)0;

    public ReadOnlyMemory<byte> StartAddressBytes => IsAddressRange ? Body.Slice(4, AddressLength) : default;

    public ReadOnlyMemory<byte> EndAddressBytes => IsAddressRange ? Body.Slice(4 + AddressLength, AddressLength) : default;

    public IPAddress? StartAddress => IsAddressRange ? new IPAddress(StartAddressBytes.Span) : null;

    public IPAddress? EndAddress => IsAddressRange ? new IPAddress(EndAddressBytes.Span) : null;

    internal static DecodeResult<TrafficSelector> Decode(ReadOnlyMemory<byte> bytes, PayloadType payload, int offset, out int consumed)
    {
        consumed = 0;
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < HeaderLength)
        {
            return Fail.Truncated(payload, offset, HeaderLength, span.Length);
        }

        var type = (TrafficSelectorType)span[0];
        int length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if (length < HeaderLength || length > span.Length)
        {
            return Fail.Length(payload, offset + 2, $"Selector Length {length} outside 4..{span.Length}");
        }

        int expected = type switch
        {
            TrafficSelectorType.Ipv4AddrRange => Ipv4Length,
            TrafficSelectorType.Ipv6AddrRange => Ipv6Length,
            _ => length,
        };
        if (length != expected)
        {
            return Fail.Length(payload, offset + 2, $"a {type.ToIanaName()} selector is {expected} octets, Selector Length says {length}");
        }

        consumed = length;
        return DecodeResult<TrafficSelector>.Success(new TrafficSelector(type, span[1], bytes.Slice(HeaderLength, length - HeaderLength)));
    }

    internal void Write(Span<byte> destination)
    {
        destination[0] = (byte)TsType;
        destination[1] = IpProtocol;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)EncodedLength);
        Body.Span.CopyTo(destination.Slice(HeaderLength));
    }

    /// <summary>An address-range selector; the two addresses must be of one family.</summary>
    public static TrafficSelector Range(IPAddress start, IPAddress end, byte ipProtocol = 0, ushort startPort = 0, ushort endPort = ushort.MaxValue)
    {
        if (start.AddressFamily != end.AddressFamily)
        {
            throw new ArgumentException($"start {start} and end {end} are of different address families", nameof(end));
        }

        bool v4 = start.AddressFamily == AddressFamily.InterNetwork;
        int addressLength = v4 ? 4 : 16;
        byte[] body = new byte[4 + (2 * addressLength)];
        BinaryPrimitives.WriteUInt16BigEndian(body, startPort);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), endPort);
        start.TryWriteBytes(body.AsSpan(4, addressLength), out _);
        end.TryWriteBytes(body.AsSpan(4 + addressLength, addressLength), out _);
        return new TrafficSelector(v4 ? TrafficSelectorType.Ipv4AddrRange : TrafficSelectorType.Ipv6AddrRange, ipProtocol, body);
    }

    /// <summary>A selector for a whole prefix, written as strongSwan writes it: "10.1.0.0/24" or "2001:db8::/32".</summary>
    public static TrafficSelector Subnet(string cidr, byte ipProtocol = 0, ushort startPort = 0, ushort endPort = ushort.MaxValue)
    {
        IPNetwork network = IPNetwork.Parse(cidr);
        byte[] first = network.BaseAddress.GetAddressBytes();
        byte[] last = (byte[])first.Clone();
        for (int bit = network.PrefixLength; bit < last.Length * 8; bit++)
        {
            last[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return Range(new IPAddress(first), new IPAddress(last), ipProtocol, startPort, endPort);
    }

    /// <summary>
    /// strongSwan's notation: a CIDR when the range is a prefix, else "start..end", followed by
    /// [protocol/port] when they narrow it: 10.1.0.0/24, 10.0.0.1..10.0.0.9, 0.0.0.0/0[udp/500].
    /// </summary>
    public override string ToString()
    {
        if (!IsAddressRange)
        {
            return $"{TsType.ToIanaName()} {Convert.ToHexStringLower(Body.Span)}";
        }

        string addresses = FormatRange(StartAddressBytes.Span, EndAddressBytes.Span);
        ushort from = StartPort;
        ushort to = EndPort;
        bool anyPort = from == 0 && to == ushort.MaxValue;
        if (IpProtocol == 0 && anyPort)
        {
            return addresses;
        }

        string protocol = IpProtocolName(IpProtocol);
        string port = anyPort ? string.Empty
            : from == ushort.MaxValue && to == 0 ? "/%opaque"
            : from == to ? "/" + from.ToString(CultureInfo.InvariantCulture)
            : $"/{from}-{to}";
        return $"{addresses}[{protocol}{port}]";
    }

    private static string FormatRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        int prefix = PrefixLength(start, end);
        return prefix >= 0
            ? $"{new IPAddress(start)}/{prefix}"
            : $"{new IPAddress(start)}..{new IPAddress(end)}";
    }

    /// <summary>The prefix length when start..end is exactly one prefix, else -1.</summary>
    private static int PrefixLength(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        int bits = start.Length * 8;
        int prefix = 0;
        while (prefix < bits && Bit(start, prefix) == Bit(end, prefix))
        {
            prefix++;
        }

        for (int i = prefix; i < bits; i++)
        {
            if (Bit(start, i) != 0 || Bit(end, i) != 1)
            {
                return -1;
            }
        }

        return prefix;
    }

    private static int Bit(ReadOnlySpan<byte> bytes, int index) => (bytes[index / 8] >> (7 - (index % 8))) & 1;

    internal static string IpProtocolName(byte protocol) => protocol switch
    {
        0 => "any",
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        132 => "sctp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };
}
