using System.Buffers.Binary;
using IkeSharp.Daemon.Offload;

namespace IkeSharp.Daemon.Tests.Offload;

/// <summary>IP packets with correct checksums, and an independent (byte by byte, RFC 1071 §4.1) checksum to verify them by.</summary>
internal static class Packets
{
    public const byte Ack = 0x10;
    public const byte Psh = 0x08;
    public const byte Fin = 0x01;
    public const byte Cwr = 0x80;

    /// <summary>RFC 1071 §4.1, word by word with a 32-bit accumulator, as written there.</summary>
    public static ushort ReferenceSum(ReadOnlySpan<byte> data, uint start = 0)
    {
        uint sum = start;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)sum;
    }

    public static byte[] V4Source => [10, 1, 0, 1];

    public static byte[] V4Destination => [10, 2, 0, 1];

    public static byte[] V6Source => [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    public static byte[] V6Destination => [0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    /// <summary>Pseudo-header (addresses, protocol, length) plus the transport header and data.</summary>
    public static bool TransportChecksumValid(ReadOnlySpan<byte> packet)
    {
        bool v6 = packet[0] >> 4 == 6;
        int ip = v6 ? 40 : (packet[0] & 0xF) * 4;
        byte protocol = v6 ? packet[6] : packet[9];
        int length = packet.Length - ip;
        byte[] pseudo = new byte[(v6 ? 32 : 8) + 2];
        packet.Slice(v6 ? 8 : 12, v6 ? 32 : 8).CopyTo(pseudo);
        pseudo[^1] = protocol;
        byte[] all = [.. pseudo, .. packet[ip..]];
        // The upper-layer length goes in as a 16-bit word (IPv4) or the 32-bit field (IPv6): both sum alike below 65536.
        uint sum = (uint)length;
        return ReferenceSum(all, sum) == 0xFFFF;
    }

    public static bool Ipv4HeaderValid(ReadOnlySpan<byte> packet) => ReferenceSum(packet[..((packet[0] & 0xF) * 4)]) == 0xFFFF;

    /// <summary>A TCP segment (with a timestamps option unless <paramref name="options"/> is false) and correct checksums.</summary>
    public static byte[] Tcp(bool v6, uint sequence, int payload, byte flags = Ack, byte fill = 0, bool options = true, ushort id = 100, ushort sourcePort = 40000, uint ack = 5000)
    {
        int ip = v6 ? 40 : 20;
        int tcp = options ? 32 : 20;
        byte[] p = new byte[ip + tcp + payload];
        IpHeader(p, v6, 6, id);
        Span<byte> t = p.AsSpan(ip);
        BinaryPrimitives.WriteUInt16BigEndian(t, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(t[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(t[8..], ack);
        t[12] = (byte)((tcp / 4) << 4);
        t[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(t[14..], 502);
        if (options)
        {
            // NOP, NOP, Timestamps (RFC 7323 §3.2)
            t[20] = 1;
            t[21] = 1;
            t[22] = 8;
            t[23] = 10;
            BinaryPrimitives.WriteUInt32BigEndian(t[24..], 0x01020304);
            BinaryPrimitives.WriteUInt32BigEndian(t[28..], 0x0a0b0c0d);
        }

        for (int i = 0; i < payload; i++)
        {
            t[tcp + i] = (byte)(fill + (sequence + (uint)i) * 7);
        }

        FixTransportChecksum(p, 16);
        return p;
    }

    public static byte[] Udp(bool v6, int payload, byte fill = 3)
    {
        int ip = v6 ? 40 : 20;
        byte[] p = new byte[ip + 8 + payload];
        IpHeader(p, v6, 17, 7);
        Span<byte> u = p.AsSpan(ip);
        BinaryPrimitives.WriteUInt16BigEndian(u, 5353);
        BinaryPrimitives.WriteUInt16BigEndian(u[2..], 53);
        BinaryPrimitives.WriteUInt16BigEndian(u[4..], (ushort)(8 + payload));
        for (int i = 0; i < payload; i++)
        {
            u[8 + i] = (byte)(fill + i);
        }

        FixTransportChecksum(p, 6);
        return p;
    }

    private static void IpHeader(byte[] p, bool v6, byte protocol, ushort id)
    {
        if (v6)
        {
            p[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(p.Length - 40));
            p[6] = protocol;
            p[7] = 64;
            V6Source.CopyTo(p, 8);
            V6Destination.CopyTo(p, 24);
        }
        else
        {
            p[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
            p[6] = 0x40;   // DF
            p[8] = 64;
            p[9] = protocol;
            V4Source.CopyTo(p, 12);
            V4Destination.CopyTo(p, 16);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)~ReferenceSum(p.AsSpan(0, 20)));
        }
    }

    /// <summary>Recomputes the TCP (field at 16) or UDP (field at 6) checksum with the reference sum.</summary>
    public static void FixTransportChecksum(byte[] p, int field)
    {
        bool v6 = p[0] >> 4 == 6;
        int ip = v6 ? 40 : 20;
        p[ip + field] = 0;
        p[ip + field + 1] = 0;
        byte[] pseudo = new byte[(v6 ? 32 : 8) + 2];
        p.AsSpan(v6 ? 8 : 12, v6 ? 32 : 8).CopyTo(pseudo);
        pseudo[^1] = v6 ? p[6] : p[9];
        ushort sum = ReferenceSum([.. pseudo, .. p.AsSpan(ip)], (uint)(p.Length - ip));
        ushort checksum = (ushort)~sum;
        if (checksum == 0 && field == 6)
        {
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(ip + field), checksum);
    }

    /// <summary>What a TSO super-packet from the kernel looks like: the headers of the first segment, all the data, and the pseudo-header sum in the checksum (CHECKSUM_PARTIAL).</summary>
    public static (byte[] Packet, VirtioNetHeader Header) SuperPacket(bool v6, uint sequence, int payload, int gsoSize, byte flags, ushort headerLengthClaim = 0)
    {
        byte[] p = Tcp(v6, sequence, payload, flags);
        int ip = v6 ? 40 : 20;
        ulong pseudo = InternetChecksum.PseudoHeader(p.AsSpan(v6 ? 8 : 12, v6 ? 16 : 4), p.AsSpan(v6 ? 24 : 16, v6 ? 16 : 4), 6, p.Length - ip);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(ip + 16), InternetChecksum.Fold(pseudo));
        var header = new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4,
            headerLengthClaim == 0 ? (ushort)(ip + 32) : headerLengthClaim, (ushort)gsoSize, (ushort)ip, 16);
        return (p, header);
    }
}
