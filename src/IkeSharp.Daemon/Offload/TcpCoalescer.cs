using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IkeSharp.Daemon.Offload;

/// <summary>Where coalesced packets go: an IFF_VNET_HDR TUN device, one header and one packet per write.</summary>
public interface IVnetPacketWriter
{
    void Write(in VirtioNetHeader header, ReadOnlySpan<byte> packet);

    /// <summary>
    /// Writes one packet made of <paramref name="pieces"/> of <paramref name="source"/>, in order
    /// (a TUN device gathers them with one writev(2), so the merged packet is never copied
    /// together in userspace). This default joins them in a pooled buffer.
    /// </summary>
    void Write(in VirtioNetHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<PacketPiece> pieces)
    {
        int total = 0;
        foreach (PacketPiece piece in pieces)
        {
            total += piece.Length;
        }

        byte[] joined = System.Buffers.ArrayPool<byte>.Shared.Rent(total);
        int at = 0;
        foreach (PacketPiece piece in pieces)
        {
            source.Slice(piece.Offset, piece.Length).CopyTo(joined.AsSpan(at));
            at += piece.Length;
        }

        Write(header, joined.AsSpan(0, total));
        System.Buffers.ArrayPool<byte>.Shared.Return(joined);
    }
}

/// <summary>Octets <see cref="Offset"/> to <see cref="Offset"/> + <see cref="Length"/> of a buffer: one piece of a packet written with gather I/O.</summary>
public readonly record struct PacketPiece(int Offset, int Length);

/// <summary>
/// Receive coalescing (GRO) in software, for packets headed into an offloading TUN device: TCP
/// segments of one flow that follow each other in sequence, with the same acknowledgement, flags
/// and options and equal payload sizes (the last may be shorter), become one super-packet with a
/// <see cref="VirtioNetHeader"/> of type TCPv4/TCPv6 and a partial checksum, so the host's stack
/// takes them in one pass, as the kernel's tcp_gro_receive would have merged them off a NIC. Each
/// segment's checksum is verified before it is merged (the super-packet's is left for the kernel to
/// trust, so a corrupted segment must not hide in it); anything else (other protocols, IP options,
/// fragments, SYN/FIN/RST/URG, empty segments, a bad checksum) first sends what is pending, so
/// order is kept, and goes on alone. Nothing is allocated after construction; one thread at a time.
/// </summary>
/// <remarks>
/// Packets are kept in one arena, and a super-packet is written as the first segment (its headers
/// rewritten for the whole) followed by the payloads of the others, gathered by the writer
/// (<see cref="IVnetPacketWriter.Write(in VirtioNetHeader, ReadOnlySpan{byte}, ReadOnlySpan{PacketPiece})"/>),
/// so no payload is copied to merge it. A caller that decrypts packets can open each straight into
/// the arena (<see cref="Reserve"/>): <see cref="Add"/> then takes it where it lies, with no copy at all.
/// </remarks>
public sealed class TcpCoalescer
{
    /// <summary>Segments merged into one super-packet at most (Linux's GRO merges up to 64 too, MAX_GRO_SKBS aside).</summary>
    public const int MaxSegments = 64;

    /// <summary>The largest super-packet: an IPv4 total length (RFC 791) or IPv6 payload length cannot say more.</summary>
    public const int MaxPacket = 65535;

    private const byte Ack = 0x10;
    private const byte Psh = 0x08;

    private readonly byte[] arena;
    private readonly Item[] items;
    private readonly PacketPiece[] pieces;

    // Octets of the arena in use: what is held, and what was given out by Reserve.
    private int used;

    private struct Item
    {
        /// <summary>Where the first segment lies in the arena; its headers become the super-packet's.</summary>
        public int Start;
        public int Length;
        public int IpLength;
        public int TcpLength;
        public bool V6;
        public uint NextSequence;
        public int SegmentSize;
        public int Segments;
        public bool Closed;
    }

    public TcpCoalescer(int flows = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(flows, 1);
        items = new Item[flows];
        pieces = new PacketPiece[flows * MaxSegments];

        // Room for every flow's largest super-packet and a few packets more; when it runs out,
        // what is held is written and the arena starts again.
        arena = GC.AllocateUninitializedArray<byte>((flows + 2) * MaxPacket);
    }

    /// <summary>Packets that went into a super-packet of two or more.</summary>
    public long Merged { get; private set; }

    /// <summary>Super-packets and lone packets written.</summary>
    public long Written { get; private set; }

    /// <summary>
    /// Room in the arena for the next packet, of up to <paramref name="length"/> octets: a packet
    /// written there and then given to <see cref="Add"/> is kept where it lies. What is held is
    /// written first if the arena has no room left. Valid until the next call on this coalescer.
    /// </summary>
    public Span<byte> Reserve(int length, IVnetPacketWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, arena.Length);
        if (used + length > arena.Length)
        {
            Flush(writer);
        }

        return arena.AsSpan(used, length);
    }

    /// <summary>Takes one IP packet; it is written now, or kept to be merged with the next until <see cref="Flush"/>.</summary>
    public void Add(ReadOnlySpan<byte> packet, IVnetPacketWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!TryReadSegment(packet, out bool v6, out int ipLength, out int tcpLength, out int payload))
        {
            Flush(writer);
            WriteAlone(packet, writer);
            return;
        }

        int at = Place(packet, writer);
        ReadOnlySpan<byte> placed = arena.AsSpan(at, packet.Length);
        int free = -1;
        for (int i = 0; i < items.Length; i++)
        {
            ref Item item = ref items[i];
            if (item.Segments == 0)
            {
                free = free < 0 ? i : free;
                continue;
            }

            Span<byte> held = Headers(i);
            if (item.V6 != v6 || !SameFlow(held, placed, v6, ipLength))
            {
                continue;
            }

            if (CanAppend(ref item, held, placed, ipLength, tcpLength, payload))
            {
                pieces[(i * MaxSegments) + item.Segments] = new PacketPiece(at + ipLength + tcpLength, payload);
                item.Length += payload;
                item.NextSequence += (uint)payload;
                item.Segments++;
                Merged += item.Segments == 2 ? 2 : 1;
                byte flags = placed[ipLength + 13];
                if (payload < item.SegmentSize || (flags & Psh) != 0)
                {
                    // A short segment or PSH ends a burst: nothing may follow it in this super-packet.
                    item.Closed = true;
                    held[ipLength + 13] |= (byte)(flags & Psh);
                }

                return;
            }

            WriteItem(i, writer);
            Start(i, at, placed, v6, ipLength, tcpLength, payload);
            return;
        }

        if (free < 0)
        {
            // Every flow slot is taken: write them all (the packet just placed stays in the arena).
            WriteAll(writer);
            free = 0;
        }

        Start(free, at, placed, v6, ipLength, tcpLength, payload);
    }

    /// <summary>Writes everything kept, in the order the flows were first seen, and empties the arena.</summary>
    public void Flush(IVnetPacketWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteAll(writer);
        used = 0;
    }

    private void WriteAll(IVnetPacketWriter writer)
    {
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i].Segments > 0)
            {
                WriteItem(i, writer);
            }
        }
    }

    /// <summary>
    /// Where the packet lies in the arena: where it is, when it was opened into the room
    /// <see cref="Reserve"/> gave; else copied to the free end (all held packets written first if
    /// there is no room).
    /// </summary>
    private int Place(ReadOnlySpan<byte> packet, IVnetPacketWriter writer)
    {
        nint offset = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(arena), ref MemoryMarshal.GetReference(packet));
        if (offset >= used && offset + packet.Length <= arena.Length)
        {
            used = (int)offset + packet.Length;
            return (int)offset;
        }

        if (used + packet.Length > arena.Length)
        {
            Flush(writer);
        }

        int at = used;
        packet.CopyTo(arena.AsSpan(at));
        used += packet.Length;
        return at;
    }

    /// <summary>The IP and TCP headers of flow <paramref name="i"/>'s first segment, in the arena.</summary>
    private Span<byte> Headers(int i) => arena.AsSpan(items[i].Start, items[i].IpLength + items[i].TcpLength);

    private void Start(int i, int at, ReadOnlySpan<byte> packet, bool v6, int ipLength, int tcpLength, int payload)
    {
        pieces[i * MaxSegments] = new PacketPiece(at, packet.Length);
        items[i] = new Item
        {
            Start = at,
            Length = packet.Length,
            IpLength = ipLength,
            TcpLength = tcpLength,
            V6 = v6,
            NextSequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(ipLength + 4)..]) + (uint)payload,
            SegmentSize = payload,
            Segments = 1,
            Closed = (packet[ipLength + 13] & Psh) != 0,
        };
    }

    private void WriteAlone(ReadOnlySpan<byte> packet, IVnetPacketWriter writer)
    {
        Written++;
        writer.Write(VirtioNetHeader.None, packet);
    }

    private void WriteItem(int i, IVnetPacketWriter writer)
    {
        ref Item item = ref items[i];
        int segments = item.Segments;
        item.Segments = 0;
        Written++;
        if (segments == 1)
        {
            writer.Write(VirtioNetHeader.None, arena.AsSpan(item.Start, item.Length));
            return;
        }

        // The first segment's headers, rewritten for the whole super-packet.
        Span<byte> packet = Headers(i);
        int ip = item.IpLength;
        if (item.V6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(item.Length - 40));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)item.Length);
            BinaryPrimitives.WriteUInt16BigEndian(packet[10..], InternetChecksum.Ipv4Header(packet[..ip]));
        }

        // NEEDS_CSUM (CHECKSUM_PARTIAL): the field holds the folded pseudo-header sum, the rest is
        // summed from csum_start by whoever needs the checksum (tcp_v4_send_check does the same).
        ReadOnlySpan<byte> source = item.V6 ? packet.Slice(8, 16) : packet.Slice(12, 4);
        ReadOnlySpan<byte> destination = item.V6 ? packet.Slice(24, 16) : packet.Slice(16, 4);
        ushort pseudo = InternetChecksum.Fold(InternetChecksum.PseudoHeader(source, destination, 6, item.Length - ip));
        BinaryPrimitives.WriteUInt16BigEndian(packet[(ip + 16)..], pseudo);
        var header = new VirtioNetHeader(
            VirtioNetHeader.NeedsChecksum,
            item.V6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4,
            (ushort)(ip + item.TcpLength),
            (ushort)item.SegmentSize,
            (ushort)ip,
            16);
        writer.Write(header, arena, pieces.AsSpan(i * MaxSegments, segments));
    }

    private static bool CanAppend(ref Item item, ReadOnlySpan<byte> held, ReadOnlySpan<byte> packet, int ipLength, int tcpLength, int payload)
    {
        if (item.Closed || item.Segments >= MaxSegments || payload > item.SegmentSize || item.Length + payload > MaxPacket
            || tcpLength != item.TcpLength || BinaryPrimitives.ReadUInt32BigEndian(packet[(ipLength + 4)..]) != item.NextSequence)
        {
            return false;
        }

        ReadOnlySpan<byte> a = held[ipLength..];
        ReadOnlySpan<byte> b = packet[ipLength..];

        // The same acknowledgement, flags (but PSH) and options (RFC 7323 timestamps included, as tcp_gro_receive asks).
        if (!a.Slice(8, 4).SequenceEqual(b.Slice(8, 4)) || (a[13] & ~Psh) != (b[13] & ~Psh) || a[12] != b[12]
            || !a[20..tcpLength].SequenceEqual(b[20..tcpLength]))
        {
            return false;
        }

        // The IP fields that the super-packet carries for all: IPv4 TOS, DF and TTL; IPv6 traffic class, flow label and hop limit.
        return item.V6
            ? held[..4].SequenceEqual(packet[..4]) && held[7] == packet[7]
            : held[1] == packet[1] && (held[6] & 0x40) == (packet[6] & 0x40) && held[8] == packet[8];
    }

    private static bool SameFlow(ReadOnlySpan<byte> held, ReadOnlySpan<byte> packet, bool v6, int ipLength) =>
        v6
            ? held.Slice(8, 32).SequenceEqual(packet.Slice(8, 32)) && held.Slice(40, 4).SequenceEqual(packet.Slice(40, 4))
            : held.Slice(12, 8).SequenceEqual(packet.Slice(12, 8)) && held.Slice(ipLength, 4).SequenceEqual(packet.Slice(ipLength, 4));

    /// <summary>
    /// A TCP segment that may be merged: IPv4 without options or fragmentation, or IPv6 whose next
    /// header is TCP; IP length equal to the packet's (no trailing octets); data and only ACK (and
    /// PSH) set; and a checksum that verifies.
    /// </summary>
    internal static bool TryReadSegment(ReadOnlySpan<byte> packet, out bool v6, out int ipLength, out int tcpLength, out int payload)
    {
        v6 = false;
        ipLength = 0;
        tcpLength = 0;
        payload = 0;
        if (packet.Length < 40)
        {
            return false;
        }

        int version = packet[0] >> 4;
        if (version == 4)
        {
            if (packet[0] != 0x45 || packet[9] != 6 || BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) != packet.Length
                || (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
            {
                return false;
            }

            ipLength = 20;
        }
        else if (version == 6)
        {
            if (packet.Length < 60 || packet[6] != 6 || BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 40 != packet.Length)
            {
                return false;
            }

            v6 = true;
            ipLength = 40;
        }
        else
        {
            return false;
        }

        tcpLength = (packet[ipLength + 12] >> 4) * 4;
        if (tcpLength < 20 || ipLength + tcpLength >= packet.Length || packet[ipLength + 13] is not (Ack or (Ack | Psh)))
        {
            return false;
        }

        payload = packet.Length - ipLength - tcpLength;
        ReadOnlySpan<byte> source = v6 ? packet.Slice(8, 16) : packet.Slice(12, 4);
        ReadOnlySpan<byte> destination = v6 ? packet.Slice(24, 16) : packet.Slice(16, 4);
        ulong sum = InternetChecksum.PseudoHeader(source, destination, 6, packet.Length - ipLength);
        return InternetChecksum.Fold(InternetChecksum.Add(sum, packet[ipLength..])) == 0xFFFF;
    }
}
