using System.Buffers.Binary;
using IkeSharp.Daemon.Offload;

namespace IkeSharp.Daemon.Tests.Offload;

/// <summary>Segmenting TSO/USO super-packets as tcp_gso_segment and __udp_gso_segment would.</summary>
public class GsoSegmenterTests
{
    private static (byte[][] Segments, string? Error) Split(byte[] packet, VirtioNetHeader header, int room = 200_000, int maxSegments = 1024)
    {
        byte[] output = new byte[room];
        int[] lengths = new int[maxSegments];
        int n = GsoSegmenter.Split(packet, header, output, lengths, out string? error);
        if (n < 0)
        {
            return ([], error);
        }

        var segments = new byte[n][];
        int offset = 0;
        for (int i = 0; i < n; i++)
        {
            segments[i] = output.AsSpan(offset, lengths[i]).ToArray();
            offset += lengths[i];
        }

        return (segments, null);
    }

    [Theory]
    [InlineData(false, 4500, 1000)]    // four full segments and a short last one
    [InlineData(false, 4000, 1000)]    // all full
    [InlineData(true, 4500, 1000)]
    [InlineData(false, 64_000, 1386)]  // what the bench's TCP hands over: 47 segments at the tunnel's MSS
    [InlineData(true, 700, 1000)]      // one segment: only the checksum is completed
    public void A_TCP_super_packet_becomes_the_segments_the_kernel_would_have_sent(bool v6, int payload, int gsoSize)
    {
        const uint Sequence = 0xFFFF_F000;   // wraps during the packet
        (byte[] super, VirtioNetHeader header) = Packets.SuperPacket(v6, Sequence, payload, gsoSize, Packets.Ack | Packets.Psh | Packets.Fin | Packets.Cwr);
        (byte[][] segments, string? error) = Split(super, header);
        Assert.Null(error);
        int expected = (payload + gsoSize - 1) / gsoSize;
        Assert.Equal(expected, segments.Length);

        int ip = v6 ? 40 : 20;
        var data = new List<byte>();
        for (int i = 0; i < segments.Length; i++)
        {
            byte[] s = segments[i];
            int take = Math.Min(gsoSize, payload - (i * gsoSize));
            Assert.Equal(ip + 32 + take, s.Length);
            if (v6)
            {
                Assert.Equal(s.Length - 40, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(4)));
            }
            else
            {
                Assert.Equal(s.Length, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(2)));
                Assert.Equal(100 + i, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(4)));
                Assert.True(Packets.Ipv4HeaderValid(s), $"segment {i}: IPv4 header checksum");
            }

            Assert.Equal(unchecked(Sequence + (uint)(i * gsoSize)), BinaryPrimitives.ReadUInt32BigEndian(s.AsSpan(ip + 4)));
            byte flags = s[ip + 13];
            bool last = i == segments.Length - 1;
            Assert.Equal(last, (flags & Packets.Fin) != 0);
            Assert.Equal(last, (flags & Packets.Psh) != 0);
            Assert.Equal(i == 0, (flags & Packets.Cwr) != 0);
            Assert.True((flags & Packets.Ack) != 0);

            // Options and the rest of the header are the first segment's.
            Assert.Equal(super.AsSpan(ip + 20, 12).ToArray(), s.AsSpan(ip + 20, 12).ToArray());
            Assert.True(Packets.TransportChecksumValid(s), $"segment {i}: TCP checksum");
            data.AddRange(s.AsSpan(ip + 32).ToArray());
        }

        Assert.Equal(super.AsSpan(ip + 32).ToArray(), data.ToArray());
    }

    [Fact]
    public void The_header_length_the_kernel_claims_is_not_used()
    {
        (byte[] super, VirtioNetHeader header) = Packets.SuperPacket(false, 1, 3000, 1000, Packets.Ack, headerLengthClaim: 9999);
        (byte[][] segments, string? error) = Split(super, header);
        Assert.Null(error);
        Assert.Equal(3, segments.Length);
        Assert.All(segments, s => Assert.True(Packets.TransportChecksumValid(s)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_UDP_super_packet_becomes_datagrams_with_their_own_length_and_checksum(bool v6)
    {
        byte[] super = Packets.Udp(v6, 2500);
        var header = new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, VirtioNetHeader.GsoUdpL4, 0, 1200, (ushort)(v6 ? 40 : 20), 6);
        (byte[][] segments, string? error) = Split(super, header);
        Assert.Null(error);
        Assert.Equal([1200, 1200, 100], segments.Select(s => s.Length - (v6 ? 48 : 28)).ToArray());
        foreach (byte[] s in segments)
        {
            Assert.Equal(s.Length - (v6 ? 40 : 20), BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan((v6 ? 40 : 20) + 4)));
            Assert.True(Packets.TransportChecksumValid(s));
        }
    }

    [Fact]
    public void A_packet_that_needs_no_checksum_passes_untouched()
    {
        byte[] icmp = Packets.Udp(false, 64);
        icmp[9] = 1;
        byte[] before = [.. icmp];
        Assert.Null(GsoSegmenter.CompleteChecksum(icmp, VirtioNetHeader.None));
        Assert.Equal(before, icmp);
    }

    [Theory]
    [InlineData(false, 17, 6)]
    [InlineData(true, 17, 6)]
    [InlineData(false, 6, 16)]
    public void A_partial_checksum_is_completed(bool v6, byte protocol, int field)
    {
        byte[] p = protocol == 6 ? Packets.Tcp(v6, 9, 333) : Packets.Udp(v6, 333);
        int ip = v6 ? 40 : 20;
        ulong pseudo = InternetChecksum.PseudoHeader(p.AsSpan(v6 ? 8 : 12, v6 ? 16 : 4), p.AsSpan(v6 ? 24 : 16, v6 ? 16 : 4), protocol, p.Length - ip);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(ip + field), InternetChecksum.Fold(pseudo));
        Assert.False(Packets.TransportChecksumValid(p));
        Assert.Null(GsoSegmenter.CompleteChecksum(p, new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, 0, 0, 0, (ushort)ip, (ushort)field)));
        Assert.True(Packets.TransportChecksumValid(p));
    }

    [Fact]
    public void Checksum_offsets_outside_the_packet_are_refused()
    {
        byte[] p = Packets.Udp(false, 10);
        byte[] before = [.. p];
        Assert.Contains("outside", GsoSegmenter.CompleteChecksum(p, new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, 0, 0, 0, 20, 60)), StringComparison.Ordinal);
        Assert.NotNull(GsoSegmenter.CompleteChecksum(p, new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, 0, 0, 0, 500, 6)));
        Assert.NotNull(GsoSegmenter.CompleteChecksum(p, new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, 0, 0, 0, 20, 7)));
        Assert.Equal(before, p);
    }

    public static TheoryData<string, byte[], VirtioNetHeader, string> Malformed()
    {
        (byte[] v4, VirtioNetHeader h4) = Packets.SuperPacket(false, 1, 3000, 1000, Packets.Ack);
        (byte[] v6, VirtioNetHeader h6) = Packets.SuperPacket(true, 1, 3000, 1000, Packets.Ack);
        byte[] fragment = [.. v4];
        fragment[6] = 0x20;   // MF
        byte[] badOffset = [.. v4];
        badOffset[20 + 12] = 0xF0;   // data offset 60 octets
        byte[] shortPacket = v4[..30];
        byte[] udp = Packets.Udp(false, 3000);
        byte[] version = [.. v4];
        version[0] = 0x55;
        return new TheoryData<string, byte[], VirtioNetHeader, string>
        {
            { "TCPv4 type on IPv6", v6, h4, "does not match" },
            { "TCPv6 type on IPv4", v4, h6, "does not match" },
            { "gso_size 0", v4, h4 with { GsoSize = 0 }, "gso_size is 0" },
            { "UFO (3), never asked for", v4, h4 with { GsoType = VirtioNetHeader.GsoUdp }, "not one we asked for" },
            { "unknown type", v4, h4 with { GsoType = 9 }, "not one we asked for" },
            { "IPv4 fragment", fragment, h4, "fragment" },
            { "TCP header past the end", shortPacket, h4, "truncated" },
            { "TCP type on UDP", udp, h4, "IP protocol 17" },
            { "IP version 5", version, h4, "IP version 5" },
            { "header too long for the packet", badOffset[..70], h4, "truncated" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_super_packet_is_refused_with_a_reason(string what, byte[] packet, VirtioNetHeader header, string reason)
    {
        (byte[][] segments, string? error) = Split(packet, header);
        Assert.True(segments.Length == 0, what);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_segments_for_the_room_is_an_error_not_an_overrun()
    {
        (byte[] super, VirtioNetHeader header) = Packets.SuperPacket(false, 1, 64_000, 64, Packets.Ack);
        (byte[][] segments, string? error) = Split(super, header, room: 200_000, maxSegments: 100);
        Assert.Empty(segments);
        Assert.Contains("1000 segments", error, StringComparison.Ordinal);
        (segments, error) = Split(super, header, room: 70_000, maxSegments: 1024);
        Assert.Empty(segments);
        Assert.NotNull(error);
    }

    [Fact]
    public void Internet_checksum_matches_RFC_1071_word_by_word_at_every_length_and_alignment()
    {
        var random = new Random(1071);
        byte[] data = new byte[3000];
        random.NextBytes(data);
        for (int length = 0; length < 200; length++)
        {
            for (int start = 0; start < 4; start++)
            {
                ReadOnlySpan<byte> slice = data.AsSpan(start * 2, length);
                Assert.Equal(Packets.ReferenceSum(slice), InternetChecksum.Fold(InternetChecksum.Add(0, slice)));
            }
        }

        Assert.Equal(Packets.ReferenceSum(data), InternetChecksum.Fold(InternetChecksum.Add(0, data)));

        // The IPv4 header example of RFC 1071's usual illustration: checksum b861.
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        Assert.Equal(0xb861, InternetChecksum.Ipv4Header(header));
    }

    [Fact]
    public void Copying_and_summing_in_one_pass_gives_the_copy_and_the_sum_at_every_length_and_alignment()
    {
        var random = new Random(793);
        byte[] data = new byte[3000];
        random.NextBytes(data);
        byte[] target = new byte[3100];
        foreach (int length in Enumerable.Range(0, 300).Concat([1386, 1387, 2999]))
        {
            for (int start = 0; start < 3; start++)
            {
                ReadOnlySpan<byte> slice = data.AsSpan(start * 2, Math.Min(length, data.Length - 4));
                target.AsSpan().Fill(0x5A);
                ulong sum = InternetChecksum.CopyAndAdd(0x1234, slice, target.AsSpan(start));
                Assert.Equal(InternetChecksum.Fold(InternetChecksum.Add(0x1234, slice)), InternetChecksum.Fold(sum));
                Assert.Equal(slice.ToArray(), target.AsSpan(start, slice.Length).ToArray());
                Assert.Equal(0x5A, target[start + slice.Length]);
            }
        }

        Assert.Throws<ArgumentException>(() => InternetChecksum.CopyAndAdd(0, data, target.AsSpan(0, 100)));
    }

    [Theory]
    [InlineData(false, true, 64_000, 1386)]
    [InlineData(true, true, 4500, 1000)]
    [InlineData(false, false, 4500, 1000)]
    [InlineData(true, false, 3000, 1200)]
    public void A_plan_writes_each_segment_anywhere_as_Split_writes_it(bool v6, bool tcp, int payload, int gsoSize)
    {
        (byte[] super, VirtioNetHeader header) = tcp
            ? Packets.SuperPacket(v6, 77, payload, gsoSize, Packets.Ack | Packets.Psh)
            : (Packets.Udp(v6, payload), new VirtioNetHeader(VirtioNetHeader.NeedsChecksum, VirtioNetHeader.GsoUdpL4, 0, (ushort)gsoSize, (ushort)(v6 ? 40 : 20), 6));
        (byte[][] expected, string? error) = Split(super, header);
        Assert.Null(error);
        Assert.True(GsoSegmenter.TryPlan(super, header, out GsoPlan plan, out error), error);
        Assert.Equal(expected.Length, plan.Count);

        // Into a dirty buffer at an odd place, as the data plane writes each at the ESP payload offset of its datagram.
        byte[] room = new byte[70_000];
        for (int i = 0; i < plan.Count; i++)
        {
            room.AsSpan().Fill(0xEE);
            Assert.Equal(expected[i].Length, plan.SegmentLength(i));
            Assert.Equal(expected[i].Length, plan.WriteSegment(super, i, room.AsSpan(17)));
            Assert.Equal(expected[i], room.AsSpan(17, expected[i].Length).ToArray());
            Assert.Equal(0xEE, room[17 + expected[i].Length]);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => plan.WriteSegment(super, plan.Count, room));
    }

    [Fact]
    public void Segmenting_allocates_nothing()
    {
        (byte[] super, VirtioNetHeader header) = Packets.SuperPacket(false, 1, 64_000, 1386, Packets.Ack);
        byte[] output = new byte[200_000];
        int[] lengths = new int[1024];
        Assert.Equal(47, GsoSegmenter.Split(super, header, output, lengths, out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            GsoSegmenter.Split(super, header, output, lengths, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
