using System.Buffers.Binary;

namespace IkeSharp.Daemon.Offload;

/// <summary>
/// Software segmentation of what an offloading TUN device hands over (TUN_F_TSO4/6, TUN_F_USO4/6):
/// a TCP or UDP super-packet of up to 64 KiB with a <see cref="VirtioNetHeader"/> is cut into
/// packets of at most gso_size payload octets, as the kernel's tcp_gso_segment and
/// __udp_gso_segment would for a NIC without the offload: every segment gets the headers of the
/// first with its own IPv4 total length and identification (+1 per segment) or IPv6 payload length,
/// TCP sequence number (+gso_size), FIN and PSH only on the last and CWR only on the first, and a
/// complete checksum (RFC 9293 §3.1, RFC 768). A packet that is not a super-packet only has its
/// checksum completed when the header asks (NEEDS_CSUM). The kernel is not trusted blindly: header
/// lengths come from the packet itself, and every offset and size is checked before use.
/// </summary>
public static class GsoSegmenter
{
    private const byte Tcp = 6;
    private const byte Udp = 17;
    internal const byte TcpFin = 0x01;
    internal const byte TcpPsh = 0x08;
    internal const byte TcpCwr = 0x80;

    /// <summary>
    /// Completes the checksum of a packet that is not a super-packet, in place, when
    /// <paramref name="header"/> says NEEDS_CSUM: the ones' complement sum from csum_start to the
    /// end (the field holds the pseudo-header sum already) goes to csum_start + csum_offset. Null on
    /// success, else what is wrong.
    /// </summary>
    public static string? CompleteChecksum(Span<byte> packet, in VirtioNetHeader header)
    {
        if ((header.Flags & VirtioNetHeader.NeedsChecksum) == 0)
        {
            return null;
        }

        int start = header.ChecksumStart;
        int at = start + header.ChecksumOffset;
        if (start >= packet.Length || at + 2 > packet.Length || (header.ChecksumOffset & 1) != 0)
        {
            return $"virtio_net_hdr csum_start {start} + csum_offset {header.ChecksumOffset} lies outside the {packet.Length}-octet packet";
        }

        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(0, packet[start..]));

        // A UDP checksum that computes to zero is sent as all ones (RFC 768); zero means "none".
        if (checksum == 0 && header.ChecksumOffset == 6)
        {
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[at..], checksum);
        return null;
    }

    /// <summary>
    /// Cuts the super-packet <paramref name="packet"/> into segments written one after another to
    /// <paramref name="output"/>, their lengths to <paramref name="lengths"/>. Returns the number of
    /// segments, or -1 with <paramref name="error"/> saying what was wrong (the packet is then to be
    /// dropped); too little room in <paramref name="output"/> or <paramref name="lengths"/> is an error too.
    /// </summary>
    public static int Split(ReadOnlySpan<byte> packet, in VirtioNetHeader header, Span<byte> output, Span<int> lengths, out string? error)
    {
        if (!TryPlan(packet, header, out GsoPlan plan, out error))
        {
            return -1;
        }

        int count = plan.Count;
        if (count > lengths.Length || (count * plan.HeaderLength) + plan.PayloadLength > output.Length)
        {
            error = $"the super-packet of {packet.Length} octets cuts into {count} segments of {plan.SegmentSize}; room is for {lengths.Length} segments and {output.Length} octets";
            return -1;
        }

        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            int length = plan.WriteSegment(packet, i, output[offset..]);
            lengths[i] = length;
            offset += length;
        }

        return count;
    }

    /// <summary>
    /// Checks the super-packet <paramref name="packet"/> against <paramref name="header"/> and says
    /// how it cuts (<see cref="GsoPlan"/>), so each segment can be written straight to where it is
    /// wanted (the ESP payload of its datagram) with <see cref="GsoPlan.WriteSegment"/>. False with
    /// <paramref name="error"/> saying what was wrong (the packet is then to be dropped).
    /// </summary>
    public static bool TryPlan(ReadOnlySpan<byte> packet, in VirtioNetHeader header, out GsoPlan plan, out string? error)
    {
        plan = default;
        byte gso = header.Gso;
        if (gso is not (VirtioNetHeader.GsoTcpV4 or VirtioNetHeader.GsoTcpV6 or VirtioNetHeader.GsoUdpL4))
        {
            error = $"virtio_net_hdr gso_type {header.GsoType} is not one we asked for (TCPv4 1, TCPv6 4, UDP_L4 5)";
            return false;
        }

        if (!TryReadHeaders(packet, out bool v6, out int ipLength, out byte protocol, out error))
        {
            return false;
        }

        if ((gso == VirtioNetHeader.GsoTcpV4 && v6) || (gso == VirtioNetHeader.GsoTcpV6 && !v6))
        {
            error = $"virtio_net_hdr gso_type {header.GsoType} does not match the IPv{(v6 ? 6 : 4)} packet";
            return false;
        }

        bool tcp = gso != VirtioNetHeader.GsoUdpL4;
        if (protocol != (tcp ? Tcp : Udp))
        {
            error = $"virtio_net_hdr gso_type {header.GsoType} on a packet of IP protocol {protocol}";
            return false;
        }

        int transportLength;
        if (tcp)
        {
            if (packet.Length < ipLength + 20 || (packet[ipLength + 12] >> 4) < 5 || ipLength + ((packet[ipLength + 12] >> 4) * 4) > packet.Length)
            {
                error = $"TCP header at octet {ipLength} of the {packet.Length}-octet super-packet is truncated or has a data offset below 5";
                return false;
            }

            transportLength = (packet[ipLength + 12] >> 4) * 4;
        }
        else
        {
            transportLength = 8;
            if (packet.Length < ipLength + 8)
            {
                error = $"UDP header at octet {ipLength} of the {packet.Length}-octet super-packet is truncated";
                return false;
            }
        }

        int headers = ipLength + transportLength;
        int payload = packet.Length - headers;
        int size = header.GsoSize;
        if (size == 0)
        {
            error = "virtio_net_hdr gso_size is 0 on a super-packet";
            return false;
        }

        int count = payload <= 0 ? 1 : (payload + size - 1) / size;
        ushort id = v6 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        uint sequence = tcp ? BinaryPrimitives.ReadUInt32BigEndian(packet[(ipLength + 4)..]) : 0;
        plan = new GsoPlan(v6, tcp, protocol, ipLength, headers, Math.Max(payload, 0), size, count, id, sequence);
        return true;
    }

    /// <summary>
    /// The IP header of a packet to segment: IPv4 without fragmentation, or IPv6 whose next header
    /// is the transport (extension headers are not segmented here; Linux offers them to TSO rarely).
    /// </summary>
    private static bool TryReadHeaders(ReadOnlySpan<byte> packet, out bool v6, out int ipLength, out byte protocol, out string? error)
    {
        error = null;
        v6 = false;
        ipLength = 0;
        protocol = 0;
        if (packet.Length < 20)
        {
            error = $"a {packet.Length}-octet super-packet has no room for an IP header";
            return false;
        }

        switch (packet[0] >> 4)
        {
            case 4:
                ipLength = (packet[0] & 0x0F) * 4;
                if (ipLength < 20 || ipLength > packet.Length)
                {
                    error = $"IPv4 header length {ipLength} of the {packet.Length}-octet super-packet is invalid (20 to 60, within the packet)";
                    return false;
                }

                if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
                {
                    error = "an IPv4 fragment cannot be a super-packet (MF set or fragment offset not 0)";
                    return false;
                }

                protocol = packet[9];
                return true;
            case 6:
                v6 = true;
                ipLength = 40;
                if (packet.Length < 40)
                {
                    error = $"a {packet.Length}-octet IPv6 super-packet is shorter than the fixed header";
                    return false;
                }

                protocol = packet[6];
                return true;
            default:
                error = $"IP version {packet[0] >> 4} in a super-packet (4 or 6 would be valid)";
                return false;
        }
    }
}
