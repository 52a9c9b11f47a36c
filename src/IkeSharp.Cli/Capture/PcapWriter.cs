using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IkeSharp.Cli.Capture;

/// <summary>
/// Writes UDP datagrams as a classic pcap file (draft-ietf-opsawg-pcap) so that our own
/// encodings can be fed to tshark. Link type is raw IP (LINKTYPE_RAW, 101): no invented MAC
/// addresses, and each record starts directly at the IPv4 or IPv6 header.
/// </summary>
public static class PcapWriter
{
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;
    private const int Ipv4HeaderLength = 20;
    private const int Ipv6HeaderLength = 40;
    private const int UdpHeaderLength = 8;
    private const int NonEspMarkerLength = 4;
    private const int NatTPort = 4500;
    private const byte ProtocolUdp = 17;

    /// <summary>
    /// Builds the whole file in one exactly-sized array. Records are stamped one millisecond
    /// apart from the Unix epoch so the output is deterministic.
    /// </summary>
    /// <param name="nonEspMarkerOn4500">
    /// Prefix the four zero octets of the non-ESP marker (RFC 3948 §2.2) when either port is 4500,
    /// as IKE on that port requires. Pass false to write ESP-in-UDP or keepalives on 4500 verbatim.
    /// </param>
    /// <exception cref="ArgumentException">Mixed address families, or a datagram too large for one IP packet.</exception>
    public static byte[] WriteUdpPcap(
        IReadOnlyList<(IPEndPoint Source, IPEndPoint Destination, ReadOnlyMemory<byte> UdpPayload)> datagrams,
        bool nonEspMarkerOn4500 = true)
    {
        ArgumentNullException.ThrowIfNull(datagrams);

        long total = FileHeaderLength;
        for (int i = 0; i < datagrams.Count; i++)
        {
            var (source, destination, payload) = datagrams[i];
            total += RecordHeaderLength + PacketLength(source, destination, payload.Length, nonEspMarkerOn4500);
        }

        if (total > Array.MaxLength)
        {
            throw new ArgumentException("datagrams do not fit in one array", nameof(datagrams));
        }

        byte[] file = new byte[total];
        Span<byte> output = file;

        // pcap §4 file header, little-endian, microsecond timestamps.
        BinaryPrimitives.WriteUInt32LittleEndian(output, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(output[4..], 2);   // major version
        BinaryPrimitives.WriteUInt16LittleEndian(output[6..], 4);   // minor version
        BinaryPrimitives.WriteUInt32LittleEndian(output[16..], 65535);  // snap length
        BinaryPrimitives.WriteUInt32LittleEndian(output[20..], (uint)LinkType.Raw);
        int offset = FileHeaderLength;

        for (int i = 0; i < datagrams.Count; i++)
        {
            var (source, destination, payload) = datagrams[i];
            int packetLength = PacketLength(source, destination, payload.Length, nonEspMarkerOn4500);

            // pcap §5 record header: seconds, microseconds, captured length, original length.
            Span<byte> record = output.Slice(offset, RecordHeaderLength);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(i / 1000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(i % 1000 * 1000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)packetLength);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)packetLength);
            offset += RecordHeaderLength;

            WritePacket(output.Slice(offset, packetLength), source, destination, payload.Span, Marker(source, destination, nonEspMarkerOn4500), (ushort)i);
            offset += packetLength;
        }

        return file;
    }

    private static bool Marker(IPEndPoint source, IPEndPoint destination, bool nonEspMarkerOn4500) =>
        nonEspMarkerOn4500 && (source.Port == NatTPort || destination.Port == NatTPort);

    private static int PacketLength(IPEndPoint source, IPEndPoint destination, int payloadLength, bool nonEspMarkerOn4500)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.AddressFamily != destination.AddressFamily)
        {
            throw new ArgumentException($"source {source} and destination {destination} are different address families");
        }

        int ipHeader = source.AddressFamily switch
        {
            AddressFamily.InterNetwork => Ipv4HeaderLength,
            AddressFamily.InterNetworkV6 => Ipv6HeaderLength,
            _ => throw new ArgumentException($"address family {source.AddressFamily} is not IPv4 or IPv6"),
        };

        int udpLength = UdpHeaderLength + (Marker(source, destination, nonEspMarkerOn4500) ? NonEspMarkerLength : 0) + payloadLength;
        // IPv4 Total Length (RFC 791) counts the IP header; IPv6 Payload Length (RFC 8200) does not.
        // Both, and the UDP Length (RFC 768), are 16-bit fields.
        int limited = ipHeader == Ipv4HeaderLength ? ipHeader + udpLength : udpLength;
        if (limited > ushort.MaxValue)
        {
            throw new ArgumentException($"UDP payload of {payloadLength} bytes does not fit in one IP packet");
        }

        return ipHeader + udpLength;
    }

    private static void WritePacket(Span<byte> packet, IPEndPoint source, IPEndPoint destination, ReadOnlySpan<byte> payload, bool marker, ushort identification)
    {
        bool ipv4 = source.AddressFamily == AddressFamily.InterNetwork;
        int ipHeader = ipv4 ? Ipv4HeaderLength : Ipv6HeaderLength;
        int addressLength = ipv4 ? 4 : 16;
        Span<byte> sourceAddress = packet.Slice(ipv4 ? 12 : 8, addressLength);
        Span<byte> destinationAddress = packet.Slice(ipv4 ? 16 : 24, addressLength);
        source.Address.TryWriteBytes(sourceAddress, out _);
        destination.Address.TryWriteBytes(destinationAddress, out _);

        Span<byte> udp = packet[ipHeader..];
        int udpLength = udp.Length;
        if (ipv4)
        {
            // RFC 791 §3.1: version 4, IHL 5, DF set, TTL 64.
            packet[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)packet.Length);
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], identification);
            BinaryPrimitives.WriteUInt16BigEndian(packet[6..], 0x4000);
            packet[8] = 64;
            packet[9] = ProtocolUdp;
            BinaryPrimitives.WriteUInt16BigEndian(packet[10..], Fold(Sum(packet[..Ipv4HeaderLength], 0)));
        }
        else
        {
            // RFC 8200 §3: version 6, traffic class and flow label 0, hop limit 64.
            packet[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)udpLength);
            packet[6] = ProtocolUdp;
            packet[7] = 64;
        }

        // RFC 768 header; the non-ESP marker (RFC 3948 §2.2) is four zero octets the array already holds.
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)destination.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        payload.CopyTo(udp[(UdpHeaderLength + (marker ? NonEspMarkerLength : 0))..]);

        // The UDP checksum is optional over IPv4 but mandatory over IPv6 (RFC 8200 §8.1); computing
        // it for both lets tshark's checksum validation pass either way. The pseudo-header is the
        // two addresses, the protocol and the UDP length (RFC 768, RFC 8200 §8.1).
        uint sum = Sum(sourceAddress, 0);
        sum = Sum(destinationAddress, sum);
        sum += ProtocolUdp + (uint)udpLength;
        ushort checksum = Fold(Sum(udp, sum));
        // RFC 768: a computed 0 is sent as all ones, because 0 means "no checksum".
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }

    /// <summary>RFC 1071 one's-complement sum of 16-bit big-endian words, odd byte padded with zero.</summary>
    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            // Fold as we go so 64 KiB of 0xFFFF cannot overflow 32 bits.
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
