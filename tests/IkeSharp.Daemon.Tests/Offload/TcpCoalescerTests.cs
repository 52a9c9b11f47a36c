using System.Buffers.Binary;
using IkeSharp.Daemon.Offload;

namespace IkeSharp.Daemon.Tests.Offload;

/// <summary>Merging decrypted TCP segments into super-packets for an offloading TUN device, as tcp_gro_receive would.</summary>
public class TcpCoalescerTests
{
    private sealed class Writes : IVnetPacketWriter
    {
        public List<(VirtioNetHeader Header, byte[] Packet)> All { get; } = [];

        public void Write(in VirtioNetHeader header, ReadOnlySpan<byte> packet) => All.Add((header, packet.ToArray()));
    }

    /// <summary>The segments the kernel makes of a written super-packet: its checksum completed, then cut as on a TSO-less NIC.</summary>
    private static byte[][] Resegment(VirtioNetHeader header, byte[] packet)
    {
        if (header.Gso == VirtioNetHeader.GsoNone)
        {
            return [packet];
        }

        byte[] output = new byte[200_000];
        int[] lengths = new int[256];
        int n = GsoSegmenter.Split(packet, header, output, lengths, out string? error);
        Assert.Null(error);
        var result = new byte[n][];
        int offset = 0;
        for (int i = 0; i < n; i++)
        {
            result[i] = output.AsSpan(offset, lengths[i]).ToArray();
            offset += lengths[i];
        }

        return result;
    }

    private static byte[][] Run(IEnumerable<byte[]> packets, out Writes writes)
    {
        var coalescer = new TcpCoalescer();
        writes = new Writes();
        foreach (byte[] p in packets)
        {
            coalescer.Add(p, writes);
        }

        coalescer.Flush(writes);
        return [.. writes.All.SelectMany(w => Resegment(w.Header, w.Packet))];
    }

    private static List<byte[]> Stream(bool v6, int count, int size, int lastSize, ushort firstId = 100)
    {
        var list = new List<byte[]>();
        uint sequence = 1000;
        for (int i = 0; i < count; i++)
        {
            int n = i == count - 1 ? lastSize : size;
            list.Add(Packets.Tcp(v6, sequence, n, i == count - 1 ? (byte)(Packets.Ack | Packets.Psh) : Packets.Ack, id: (ushort)(firstId + i)));
            sequence += (uint)n;
        }

        return list;
    }

    [Theory]
    [InlineData(false, 10, 1386, 1386)]
    [InlineData(false, 10, 1386, 200)]   // last short segment
    [InlineData(true, 10, 1366, 50)]
    [InlineData(false, 47, 1386, 1386)]  // 47 × 1386 + headers fits in 65535
    public void Consecutive_segments_become_one_super_packet_that_resegments_to_the_same_bytes(bool v6, int count, int size, int lastSize)
    {
        List<byte[]> stream = Stream(v6, count, size, lastSize);
        byte[][] after = Run(stream, out Writes writes);
        (VirtioNetHeader header, byte[] packet) = Assert.Single(writes.All);
        int ip = v6 ? 40 : 20;
        Assert.Equal(v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, header.GsoType);
        Assert.Equal(VirtioNetHeader.NeedsChecksum, header.Flags);
        Assert.Equal(size, header.GsoSize);
        Assert.Equal(ip + 32, header.HeaderLength);
        Assert.Equal(ip, header.ChecksumStart);
        Assert.Equal(16, header.ChecksumOffset);
        Assert.Equal(stream.Sum(p => p.Length) - ((count - 1) * (ip + 32)), packet.Length);
        if (!v6)
        {
            Assert.True(Packets.Ipv4HeaderValid(packet));
        }

        // The partial checksum completes to a valid one (what the kernel would compute).
        byte[] complete = [.. packet];
        Assert.Null(GsoSegmenter.CompleteChecksum(complete, header with { GsoType = 0 }));
        Assert.True(Packets.TransportChecksumValid(complete));

        Assert.Equal(stream.Count, after.Length);
        for (int i = 0; i < stream.Count; i++)
        {
            Assert.Equal(stream[i], after[i]);
        }
    }

    /// <summary>As <see cref="Run"/>, but every packet is written into the room the coalescer reserves first, as the data plane opens ESP into it.</summary>
    private static byte[][] RunReserved(IEnumerable<byte[]> packets, out Writes writes, int flows = 8)
    {
        var coalescer = new TcpCoalescer(flows);
        writes = new Writes();
        foreach (byte[] p in packets)
        {
            // Room for the whole ciphertext (padding and trailer too), more than the packet.
            Span<byte> room = coalescer.Reserve(p.Length + 18, writes);
            p.CopyTo(room);
            coalescer.Add(room[..p.Length], writes);
        }

        coalescer.Flush(writes);
        return [.. writes.All.SelectMany(w => Resegment(w.Header, w.Packet))];
    }

    [Fact]
    public void A_packet_opened_into_the_reserved_room_is_merged_where_it_lies()
    {
        List<byte[]> stream = Stream(false, 5, 1386, 1386);
        var coalescer = new TcpCoalescer();
        var writes = new Writes();
        Span<byte> last = default;
        foreach (byte[] p in stream)
        {
            Span<byte> room = coalescer.Reserve(p.Length, writes);
            p.CopyTo(room);
            coalescer.Add(room[..p.Length], writes);
            last = room[..p.Length];
        }

        // Changed after Add: a coalescer that had copied the packet would not see it.
        last[^1] ^= 0xFF;
        coalescer.Flush(writes);
        (VirtioNetHeader header, byte[] packet) = Assert.Single(writes.All);
        Assert.Equal(VirtioNetHeader.GsoTcpV4, header.GsoType);
        Assert.Equal(stream[^1][^1] ^ 0xFF, packet[^1]);
        Assert.Equal(stream[0][52..], packet[52..1438]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Flows_interleaved_beyond_the_arena_are_written_early_and_resegment_to_the_same_bytes(bool reserved)
    {
        // Eight flows of 64 full segments each, interleaved: 750 KB, more than the arena holds, so
        // what is held is written part-way, and each flow's bytes still come out in order.
        var flows = new List<byte[]>[8];
        for (int f = 0; f < flows.Length; f++)
        {
            flows[f] = [.. Stream(false, 64, 1386, 1386, firstId: (ushort)(f * 100)).Select(p => WithSourcePort(p, (ushort)(40000 + f)))];
        }

        List<byte[]> input = [.. Enumerable.Range(0, 64).SelectMany(i => flows.Select(f => f[i]))];
        byte[][] after = reserved ? RunReserved(input, out Writes writes) : Run(input, out writes);
        Assert.True(writes.All.Count > 8, $"{writes.All.Count} writes: the arena should have run out part-way");
        for (int f = 0; f < flows.Length; f++)
        {
            ushort port = (ushort)(40000 + f);
            byte[][] mine = [.. after.Where(p => BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(20)) == port)];
            Assert.Equal(flows[f].Count, mine.Length);
            for (int i = 0; i < mine.Length; i++)
            {
                Assert.Equal(SetId(flows[f][i], 0), SetId(mine[i], 0));
            }
        }
    }

    [Fact]
    public void Room_reserved_and_left_unused_costs_nothing_and_lone_packets_in_it_go_out_as_they_are()
    {
        byte[] udp = Packets.Udp(false, 100);
        List<byte[]> stream = Stream(true, 3, 1000, 1000);
        byte[][] input = [.. stream, udp, .. Stream(false, 2, 900, 900)];
        byte[][] after = RunReserved(input, out Writes writes);
        Assert.Equal(input, after);
        Assert.Equal(3, writes.All.Count);
    }

    private static byte[] WithSourcePort(byte[] packet, ushort port)
    {
        byte[] copy = [.. packet];
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(20), port);
        Packets.FixTransportChecksum(copy, 16);
        return copy;
    }

    [Fact]
    public void Packets_that_cannot_be_merged_go_alone_in_order()
    {
        List<byte[]> a = Stream(false, 3, 1000, 1000);
        byte[] udp = Packets.Udp(false, 100);
        byte[] pureAck = Packets.Tcp(false, 4000, 0);
        byte[] syn = Packets.Tcp(false, 4000, 10, flags: 0x02);
        byte[] badChecksum = Packets.Tcp(false, 4000, 1000, id: 103);
        badChecksum[^1] ^= 0xFF;
        byte[] outOfOrder = Packets.Tcp(false, 9000, 1000, id: 104);
        byte[] noOptions = Packets.Tcp(false, 10000, 1000, options: false);
        byte[][] input = [.. a, udp, pureAck, syn, badChecksum, outOfOrder, noOptions];
        byte[][] after = Run(input, out Writes writes);
        Assert.Equal(input, after);

        // The three in sequence were merged; everything else was written as it came, with an empty header.
        Assert.Equal(VirtioNetHeader.GsoTcpV4, writes.All[0].Header.GsoType);
        Assert.All(writes.All.Skip(1), w => Assert.Equal(VirtioNetHeader.None, w.Header));
        Assert.Equal(udp, writes.All[1].Packet);
    }

    [Fact]
    public void A_short_segment_ends_a_super_packet_and_the_next_starts_another()
    {
        var input = new List<byte[]>
        {
            Packets.Tcp(false, 0, 1000),
            Packets.Tcp(false, 1000, 1000),
            Packets.Tcp(false, 2000, 500),
            Packets.Tcp(false, 2500, 1000),
            Packets.Tcp(false, 3500, 1000),
        };
        byte[][] after = Run(input, out Writes writes);
        Assert.Equal(2, writes.All.Count);
        Assert.Equal(input.Select(p => SetId(p, 100)), after.Select(p => SetId(p, 100)));
    }

    [Fact]
    public void Two_flows_interleaved_become_two_super_packets()
    {
        var input = new List<byte[]>();
        for (int i = 0; i < 6; i++)
        {
            input.Add(Packets.Tcp(false, (uint)(i * 1000), 1000, sourcePort: 40000));
            input.Add(Packets.Tcp(false, (uint)(i * 1000), 1000, sourcePort: 40001));
        }

        byte[][] after = Run(input, out Writes writes);
        Assert.Equal(2, writes.All.Count);
        Assert.All(writes.All, w => Assert.Equal(6000 + 20 + 32, w.Packet.Length));
        Assert.Equal(input.Where((_, i) => i % 2 == 0).Concat(input.Where((_, i) => i % 2 == 1)).Select(p => SetId(p, 100)), after.Select(p => SetId(p, 100)));
    }

    [Fact]
    public void A_different_acknowledgement_or_option_starts_a_new_super_packet()
    {
        var input = new List<byte[]>
        {
            Packets.Tcp(false, 0, 1000, ack: 1),
            Packets.Tcp(false, 1000, 1000, ack: 1),
            Packets.Tcp(false, 2000, 1000, ack: 2),
        };
        byte[] otherTimestamp = Packets.Tcp(false, 3000, 1000, ack: 2);
        otherTimestamp[20 + 27] ^= 1;
        Packets.FixTransportChecksum(otherTimestamp, 16);
        input.Add(otherTimestamp);
        _ = Run(input, out Writes writes);
        Assert.Equal([2, 1, 1], writes.All.Select(w => w.Packet.Length > 2000 ? 2 : 1).ToArray());
    }

    [Fact]
    public void No_more_than_64_KiB_goes_into_one_super_packet()
    {
        List<byte[]> stream = Stream(false, 100, 1386, 1386);
        byte[][] after = Run(stream, out Writes writes);
        Assert.All(writes.All, w => Assert.True(w.Packet.Length <= 65535));
        Assert.Equal(3, writes.All.Count);
        Assert.Equal(stream.Count, after.Length);
    }

    [Fact]
    public void Merging_allocates_nothing()
    {
        List<byte[]> stream = Stream(false, 40, 1386, 1386);
        var coalescer = new TcpCoalescer();
        var sink = new CountingWriter();
        foreach (byte[] p in stream)
        {
            coalescer.Add(p, sink);
        }

        coalescer.Flush(sink);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 20; round++)
        {
            foreach (byte[] p in stream)
            {
                coalescer.Add(p, sink);
            }

            coalescer.Flush(sink);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(21, sink.Count);
    }

    private sealed class CountingWriter : IVnetPacketWriter
    {
        public int Count;

        public void Write(in VirtioNetHeader header, ReadOnlySpan<byte> packet) => Count++;

        public void Write(in VirtioNetHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<PacketPiece> pieces) => Count++;
    }

    /// <summary>Merging keeps the first segment's IPv4 identification and resegmenting counts up from it; compare the rest.</summary>
    private static byte[] SetId(byte[] packet, ushort id)
    {
        byte[] copy = [.. packet];
        if (copy[0] >> 4 == 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(4), id);
            copy[10] = 0;
            copy[11] = 0;
        }

        return copy;
    }
}
