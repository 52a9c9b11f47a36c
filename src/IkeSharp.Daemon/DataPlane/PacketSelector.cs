using System.Buffers.Binary;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.DataPlane;

/// <summary>
/// A traffic selector (RFC 7296 §3.13.1) compiled for the packet path: address range as 128-bit
/// numbers, protocol and port range, matched against an IP header without allocating.
/// </summary>
public readonly struct PacketSelector
{
    private readonly UInt128 start;
    private readonly UInt128 end;
    private readonly bool v6;
    private readonly byte protocol;
    private readonly ushort startPort;
    private readonly ushort endPort;

    public PacketSelector(TrafficSelector ts)
    {
        ArgumentNullException.ThrowIfNull(ts);
        v6 = ts.TsType == TrafficSelectorType.Ipv6AddrRange;
        start = ToNumber(ts.StartAddressBytes.Span);
        end = ToNumber(ts.EndAddressBytes.Span);
        protocol = ts.IpProtocol;
        startPort = ts.StartPort;
        endPort = ts.EndPort;
    }

    /// <summary>An IPv4 or IPv6 address in network order as one number, for range comparisons.</summary>
    internal static UInt128 ToNumber(ReadOnlySpan<byte> address) =>
        address.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(address) : BinaryPrimitives.ReadUInt128BigEndian(address);

    /// <summary>Whether the packet's source (or destination) address, protocol and port fall in this selector.</summary>
    public bool Matches(in IpPacketInfo packet, bool source)
    {
        if (packet.IsV6 != v6)
        {
            return false;
        }

        UInt128 address = source ? packet.Source : packet.Destination;
        if (address < start || address > end)
        {
            return false;
        }

        if (protocol != 0 && protocol != packet.Protocol)
        {
            return false;
        }

        if (startPort == 0 && endPort == ushort.MaxValue)
        {
            return true;
        }

        ushort port = source ? packet.SourcePort : packet.DestinationPort;
        return port >= startPort && port <= endPort;
    }

    public static bool Any(ReadOnlySpan<PacketSelector> selectors, in IpPacketInfo packet, bool source)
    {
        foreach (PacketSelector s in selectors)
        {
            if (s.Matches(packet, source))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The fields of an IPv4 or IPv6 header that selectors look at (RFC 791, RFC 8200).</summary>
public readonly record struct IpPacketInfo(bool IsV6, UInt128 Source, UInt128 Destination, byte Protocol, ushort SourcePort, ushort DestinationPort)
{
    /// <summary>Reads the header; false for anything that is not a whole IPv4 or IPv6 header.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out IpPacketInfo info)
    {
        info = default;
        if (packet.Length < 20)
        {
            return false;
        }

        int version = packet[0] >> 4;
        if (version == 4)
        {
            int headerLength = (packet[0] & 0x0F) * 4;
            if (headerLength < 20 || packet.Length < headerLength)
            {
                return false;
            }

            byte protocol = packet[9];
            (ushort sp, ushort dp) = Ports(packet[headerLength..], protocol, fragmentOffset: BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1FFF);
            info = new IpPacketInfo(false, BinaryPrimitives.ReadUInt32BigEndian(packet[12..]), BinaryPrimitives.ReadUInt32BigEndian(packet[16..]), protocol, sp, dp);
            return true;
        }

        if (version == 6 && packet.Length >= 40)
        {
            byte next = packet[6];
            (ushort sp, ushort dp) = Ports(packet[40..], next, 0);
            info = new IpPacketInfo(true, BinaryPrimitives.ReadUInt128BigEndian(packet[8..]), BinaryPrimitives.ReadUInt128BigEndian(packet[24..]), next, sp, dp);
            return true;
        }

        return false;
    }

    /// <summary>TCP, UDP and SCTP ports; ICMP type and code as RFC 4301 §4.4.1.1 puts them in the port fields.</summary>
    private static (ushort, ushort) Ports(ReadOnlySpan<byte> transport, byte protocol, int fragmentOffset)
    {
        if (fragmentOffset != 0 || transport.Length < 4)
        {
            return (0, 0);
        }

        return protocol switch
        {
            6 or 17 or 132 => (BinaryPrimitives.ReadUInt16BigEndian(transport), BinaryPrimitives.ReadUInt16BigEndian(transport[2..])),
            1 or 58 => ((ushort)(transport[0] << 8 | transport[1]), 0),
            _ => (0, 0),
        };
    }
}
