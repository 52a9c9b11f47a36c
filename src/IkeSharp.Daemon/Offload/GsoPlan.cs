using System.Buffers.Binary;

namespace IkeSharp.Daemon.Offload;

/// <summary>
/// How one checked super-packet cuts into segments (<see cref="GsoSegmenter.TryPlan"/>): each
/// segment is the first's headers with its own lengths, IPv4 identification, TCP sequence number
/// and flags, and up to <see cref="SegmentSize"/> octets of the payload, with a complete checksum
/// (RFC 9293 §3.1, RFC 768), as the kernel's tcp_gso_segment and __udp_gso_segment make them.
/// <see cref="WriteSegment"/> writes one segment wherever the caller wants it: the data plane has
/// it written straight into the ESP payload area of its datagram, so the payload is copied once,
/// and summed for the checksum in the same pass.
/// </summary>
public readonly record struct GsoPlan(bool V6, bool Tcp, byte Protocol, int IpLength, int HeaderLength, int PayloadLength, int SegmentSize, int Count, ushort Identification, uint Sequence)
{
    /// <summary>Octets of segment <paramref name="index"/>: the headers and its share of the payload.</summary>
    public int SegmentLength(int index) => HeaderLength + Math.Min(SegmentSize, Math.Max(PayloadLength - (index * SegmentSize), 0));

    /// <summary>
    /// Writes segment <paramref name="index"/> of <paramref name="packet"/> (the super-packet this
    /// plan was made for) to the start of <paramref name="destination"/>, which must not overlap
    /// it; returns its length.
    /// </summary>
    public int WriteSegment(ReadOnlySpan<byte> packet, int index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int take = Math.Min(SegmentSize, Math.Max(PayloadLength - (index * SegmentSize), 0));
        int length = HeaderLength + take;
        Span<byte> segment = destination[..length];
        packet[..HeaderLength].CopyTo(segment);
        int ip = IpLength;
        if (V6)
        {
            // RFC 8200 §3: the payload length counts everything after the fixed header.
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)(length - 40));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[2..], (ushort)length);
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)(Identification + index));
            BinaryPrimitives.WriteUInt16BigEndian(segment[10..], InternetChecksum.Ipv4Header(segment[..ip]));
        }

        Span<byte> transport = segment[ip..];
        ReadOnlySpan<byte> source = V6 ? segment.Slice(8, 16) : segment.Slice(12, 4);
        ReadOnlySpan<byte> target = V6 ? segment.Slice(24, 16) : segment.Slice(16, 4);
        ulong sum = InternetChecksum.PseudoHeader(source, target, Protocol, transport.Length);
        int checksumAt;
        if (Tcp)
        {
            BinaryPrimitives.WriteUInt32BigEndian(transport[4..], Sequence + (uint)(index * SegmentSize));
            if (index != Count - 1)
            {
                transport[13] &= unchecked((byte)~(GsoSegmenter.TcpFin | GsoSegmenter.TcpPsh));
            }

            if (index != 0)
            {
                transport[13] &= unchecked((byte)~GsoSegmenter.TcpCwr);
            }

            checksumAt = 16;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(transport[4..], (ushort)transport.Length);
            checksumAt = 6;
        }

        transport[checksumAt] = 0;
        transport[checksumAt + 1] = 0;

        // The transport header is a multiple of 4 octets, so the payload starts on a 16-bit word
        // boundary and its sum adds to the header's (RFC 1071 §2(C)).
        sum = InternetChecksum.Add(sum, transport[..(HeaderLength - ip)]);
        sum = InternetChecksum.CopyAndAdd(sum, packet.Slice(HeaderLength + (index * SegmentSize), take), segment[HeaderLength..]);
        ushort checksum = InternetChecksum.Finish(sum);

        // A UDP checksum that computes to zero is sent as all ones (RFC 768); zero means "none".
        if (!Tcp && checksum == 0)
        {
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(transport[checksumAt..], checksum);
        return length;
    }
}
