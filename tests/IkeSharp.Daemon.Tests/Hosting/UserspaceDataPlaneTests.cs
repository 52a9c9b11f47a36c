using System.Buffers.Binary;
using System.Collections.Concurrent;
using IkeSharp.Core.Engine;
using IkeSharp.Daemon.Control;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Daemon.Offload;
using Microsoft.Extensions.Logging.Abstractions;
using TestPackets = IkeSharp.Daemon.Tests.Offload.Packets;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>ESP between two daemons over loopback UDP, with queues as the clear side.</summary>
public class UserspaceDataPlaneTests
{
    /// <summary>A clear side that keeps what it is given: delivered packets and the routes asked for.</summary>
    internal sealed class QueueInterface : IInnerInterface
    {
        public ConcurrentQueue<byte[]> Delivered { get; } = new();

        public ConcurrentQueue<string> Routes { get; } = new();

        public void Write(ReadOnlySpan<byte> ipPacket) => Delivered.Enqueue(ipPacket.ToArray());

        public bool AddRoute(Wire.Payloads.TrafficSelector remote, IReadOnlyList<Wire.Payloads.TrafficSelector> local, out string? error)
        {
            Routes.Enqueue("+" + remote);
            error = null;
            return true;
        }

        public void RemoveRoute(Wire.Payloads.TrafficSelector remote) => Routes.Enqueue("-" + remote);

        public bool ExcludePeer(IPAddress peer, out string? error)
        {
            Routes.Enqueue("!" + peer);
            error = null;
            return true;
        }

        public void IncludePeer(IPAddress peer) => Routes.Enqueue("~" + peer);
    }

    /// <summary>A minimal IPv4/UDP packet (checksums zero; nothing here checks them).</summary>
    internal static byte[] Udp4(string source, string destination, int payload, byte fill)
    {
        byte[] p = new byte[28 + payload];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        p[8] = 64;
        p[9] = 17;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(p, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(p, 16);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), 9);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), (ushort)(8 + payload));
        p.AsSpan(28).Fill(fill);
        return p;
    }

    [Theory]
    [InlineData("aes128gcm16", 21600, true)]
    [InlineData("aes256-sha256", 21610, true)]
    [InlineData("chacha20poly1305", 21620, true)]
    [InlineData("aes128gcm16", 21630, false)]
    [InlineData("aes256-sha256", 21640, false)]
    public async Task Packets_cross_the_tunnel_both_ways_and_only_inside_the_selectors(string esp, int port, bool encap)
    {
        var aliceInner = new QueueInterface();
        var bobInner = new QueueInterface();
        UserspaceDataPlane? alicePlane = null;
        UserspaceDataPlane? bobPlane = null;
        var espProposal = Crypto.Proposals.ProposalParser.Parse(esp, Wire.SecurityProtocol.Esp, allowWeak: false).Transforms;
        await using LoopbackPair p = LoopbackPair.Start(port,
            aliceTweak: c => c with { Encap = encap, Children = [c.Children[0] with { EspProposals = [espProposal] }] },
            bobTweak: c => c with { Children = [c.Children[0] with { EspProposals = [espProposal] }] },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(aliceInner, host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => bobPlane = new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));
        if (!encap)
        {
            // Plain ESP (IP protocol 50) on raw sockets: the tests run as root.
            p.Alice.Host.EnablePlainEsp();
            p.Bob.Host.EnablePlainEsp();
        }

        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        Assert.Equal(encap, p.AliceEvents.OfType<ChildSaInstalled>().Single().UdpEncapsulation);

        for (int i = 0; i < 20; i++)
        {
            Assert.True(alicePlane!.SendInner(Udp4("10.1.0.5", "10.2.0.7", 100 + i, (byte)i)));
            Assert.True(bobPlane!.SendInner(Udp4("10.2.0.7", "10.1.0.5", 1300, (byte)i)));
        }

        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 20 && aliceInner.Delivered.Count == 20));
        byte[][] atBob = [.. bobInner.Delivered];
        Assert.Equal(Udp4("10.1.0.5", "10.2.0.7", 100, 0), atBob[0]);
        Assert.Equal(Udp4("10.1.0.5", "10.2.0.7", 119, 19), atBob[19]);

        // Outside the selectors: not sent at all.
        Assert.False(alicePlane!.SendInner(Udp4("10.1.0.5", "10.3.0.1", 10, 1)));
        Assert.False(alicePlane.SendInner(Udp4("192.168.1.1", "10.2.0.7", 10, 1)));
        Assert.Equal(2, alicePlane.NoPolicyDrops);

        StatusReport.IkeRow aliceRow = Assert.Single(await p.Alice.StatusRowsAsync());
        Assert.Equal(20UL, aliceRow.Children[0].Counters.PacketsOut);
        Assert.Equal(20UL, aliceRow.Children[0].Counters.PacketsIn);
        Assert.Equal((ulong)(20 * 1328), aliceRow.Children[0].Counters.BytesIn);

        // A Child SA rekey: traffic continues on the new SA.
        ulong spi = aliceRow.SpiI;
        await p.Alice.Host.InvokeAsync((e, now) => { e.Execute(new RekeyChildSa(spi, aliceRow.Children[0].SpiIn), now); return 0; });
        await DaemonRuntimeTests.WaitUntil(async () => (await p.Alice.StatusRowsAsync())[0].Children is [var c] && c.SpiIn != aliceRow.Children[0].SpiIn);
        Assert.True(alicePlane.SendInner(Udp4("10.1.0.5", "10.2.0.7", 50, 0xAB)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 21));
    }
}

/// <summary>TUN super-packets cut and sealed straight into the ESP datagrams (UserspaceDataPlane.QueueSegments).</summary>
public class SuperPacketSegmentingTests
{
    /// <summary>Keeps what it is given, in order; <see cref="Offload"/> says whether the data plane uses UDP GSO and GRO.</summary>
    private sealed class Recorder(bool offload) : IInnerInterface
    {
        public ConcurrentQueue<byte[]> Delivered { get; } = new();

        public bool Offload => offload;

        public void Write(ReadOnlySpan<byte> ipPacket) => Delivered.Enqueue(ipPacket.ToArray());
    }

    [Theory]
    [InlineData(true, true, 21820)]     // UDP GSO messages (the TUN offload path as the daemon runs it)
    [InlineData(true, false, 21830)]    // [daemon] offload = false: a datagram per segment, sendmmsg batches
    [InlineData(false, false, 21840)]   // plain ESP (IP protocol 50), one send per segment
    public async Task The_segments_arrive_as_the_segmenter_cuts_them_with_or_without_UDP_GSO(bool encap, bool offload, int port)
    {
        var bobInner = new Recorder(offload);
        UserspaceDataPlane? alicePlane = null;
        await using LoopbackPair p = LoopbackPair.Start(port, aliceTweak: c => c with { Encap = encap },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(new Recorder(offload), host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));
        if (!encap)
        {
            p.Alice.Host.EnablePlainEsp();
            p.Bob.Host.EnablePlainEsp();
        }

        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);

        // Two super-packets of one flow, 10.1.0.1 -> 10.2.0.1 inside the selectors: 47 segments of
        // 1386 and 4 (the last short), as the kernel hands them over with TSO.
        (byte[] first, VirtioNetHeader firstHeader) = TestPackets.SuperPacket(false, 1000, 64_000, 1386, TestPackets.Ack);
        (byte[] second, VirtioNetHeader secondHeader) = TestPackets.SuperPacket(false, 65_000, 5000, 1386, TestPackets.Ack | TestPackets.Psh);
        var expected = new List<byte[]>();
        foreach ((byte[] super, VirtioNetHeader header) in new[] { (first, firstHeader), (second, secondHeader) })
        {
            byte[] output = new byte[100_000];
            int[] lengths = new int[100];
            int n = GsoSegmenter.Split(super, header, output, lengths, out string? error);
            Assert.Null(error);
            for (int i = 0, at = 0; i < n; at += lengths[i], i++)
            {
                expected.Add(output.AsSpan(at, lengths[i]).ToArray());
            }
        }

        Assert.Equal(47, alicePlane!.QueueSegments(first, firstHeader, out string? e1));
        Assert.Null(e1);
        Assert.Equal(4, alicePlane.QueueSegments(second, secondHeader, out _));
        alicePlane.FlushInner();

        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count >= expected.Count));
        byte[][] atBob = [.. bobInner.Delivered];
        Assert.Equal(expected.Count, atBob.Length);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(atBob[i]), $"segment {i} differs");
        }

        StatusReport.IkeRow row = Assert.Single(await p.Alice.StatusRowsAsync());
        Assert.Equal((ulong)expected.Count, row.Children[0].Counters.PacketsOut);
        Assert.Equal((ulong)expected.Sum(s => s.Length), row.Children[0].Counters.BytesOut);

        // A super-packet outside the selectors is dropped and counted segment by segment; a malformed one is refused with a reason.
        byte[] outside = (byte[])first.Clone();
        outside[17] = 3;    // destination 10.3.0.1
        Assert.Equal(47, alicePlane.QueueSegments(outside, firstHeader, out _));
        Assert.Equal(47, alicePlane.NoPolicyDrops);
        Assert.Equal(-1, alicePlane.QueueSegments(first.AsSpan(0, 30), firstHeader, out string? truncated));
        Assert.Contains("TCP header", truncated, StringComparison.Ordinal);
        alicePlane.FlushInner();
    }
}

public class DataPlaneLimitTests
{
    private sealed class Discard : IInnerInterface
    {
        public int Count;

        public void Write(ReadOnlySpan<byte> ipPacket) => Interlocked.Increment(ref Count);
    }

    [Fact]
    public async Task Rekey_packets_rekey_the_child_sa_and_life_packets_delete_it()
    {
        UserspaceDataPlane? alicePlane = null;
        var bobInner = new Discard();
        await using LoopbackPair p = LoopbackPair.Start(port: 21660,
            aliceTweak: c => c with { Encap = true, Children = [c.Children[0] with { RekeyPackets = 10, LifePackets = 30 }] },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(new Discard(), host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        uint first = p.AliceEvents.OfType<ChildSaInstalled>().Single().SpiIn;

        for (int i = 0; i < 12; i++)
        {
            Assert.True(alicePlane!.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 10, 1)));
        }

        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(p.AliceEvents.OfType<ChildSaRekeyed>().Any(r => r.OldSpiIn == first)));
        await DaemonRuntimeTests.WaitUntil(async () => (await p.Alice.StatusRowsAsync())[0].Children is [var c] && c.SpiIn != first);
        uint second = (await p.Alice.StatusRowsAsync())[0].Children[0].SpiIn;

        // The new SA counts from zero: 10 packets rekey it again, 30 delete it. Send 30 in one go.
        for (int i = 0; i < 30; i++)
        {
            alicePlane!.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 10, 1));
        }

        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(p.AliceEvents.OfType<ChildSaDeleted>().Any(d => d.SpiIn == second)));
        Assert.Single(await p.Alice.StatusRowsAsync());
    }
}

/// <summary>Counts what the whole process allocates, so it runs alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(PacketPathAllocationTests), DisableParallelization = true)]
public class PacketPathAllocationCollection;

[Collection(nameof(PacketPathAllocationTests))]
public class PacketPathAllocationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Counts delivered packets; with <see cref="Offload"/>, the data planes use UDP GSO and GRO as on an offloading TUN device.</summary>
    private sealed class Counter(bool offload = false) : IInnerInterface
    {
        public int Count;

        public int Flushes;

        public bool Offload => offload;

        public void Write(ReadOnlySpan<byte> ipPacket) => Interlocked.Increment(ref Count);

        public void Flush() => Interlocked.Increment(ref Flushes);
    }

    [Theory]
    [InlineData(false, 21670, false, false)]
    [InlineData(true, 21680, false, false)]
    [InlineData(true, 21790, true, false)]
    [InlineData(true, 21850, true, true)]
    public async Task Twenty_thousand_packets_through_seal_udp_and_open_allocate_nothing_per_packet(bool batched, int port, bool offload, bool superPackets)
    {
        UserspaceDataPlane? alicePlane = null;
        var bobInner = new Counter(offload);
        await using LoopbackPair p = LoopbackPair.Start(port, aliceTweak: c => c with { Encap = true },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(new Counter(offload), host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        byte[] packet = UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 1372, 7);
        (byte[] super, VirtioNetHeader superHeader) = TestPackets.SuperPacket(false, 1, 40 * 1372, 1372, TestPackets.Ack);

        // Send as the TUN reader does: one at a time, or bursts of 32 sealed into the thread's
        // batch and sent with one sendmmsg, or TSO super-packets of 40 segments each cut and
        // sealed into the batch, a sendmmsg after each.
        void Send(int count)
        {
            if (superPackets)
            {
                for (int i = 0; i < count; i += 40)
                {
                    alicePlane!.QueueSegments(super, superHeader, out _);
                    alicePlane.FlushInner();
                    if (i % 480 == 440)
                    {
                        Thread.Sleep(1);
                    }
                }

                return;
            }

            for (int i = 0; i < count; i++)
            {
                if (!batched)
                {
                    alicePlane!.SendInner(packet);
                }
                else
                {
                    alicePlane!.QueueInner(packet);
                    if (i % 32 == 31)
                    {
                        alicePlane.FlushInner();
                    }
                }

                if (i % 500 == 499)
                {
                    alicePlane.FlushInner();
                    Thread.Sleep(1);   // let the receiver keep up; loopback drops what overflows its buffer
                }
            }

            alicePlane!.FlushInner();
        }

        // Warm up every path (JIT tiers, pools, this thread's buffers), then count what the whole
        // process allocates. The waits here block rather than await, so the measured sends run on the
        // thread that warmed up (a thread-static buffer made anew on another thread is not per packet).
        Send(2000);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref bobInner.Count) >= 1800, 15_000), $"{bobInner.Count} of 2000 warm-up packets arrived");
        Thread.Sleep(200);
        int before = bobInner.Count;
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        const int Packets = 20_000;
        Send(Packets);

        // Wait by sleeping (no tasks, no allocation), so a slow, loaded machine does not count its waiting.
        waiting.Restart();
        while (bobInner.Count - before < Packets * 9 / 10 && waiting.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(5);
        }

        Assert.True(bobInner.Count - before >= Packets * 9 / 10, $"only {bobInner.Count - before} of {Packets} packets arrived");
        long delta = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        int delivered = bobInner.Count - before;
        if (offload)
        {
            // Each receive batch ended with a flush of the clear side.
            Assert.True(bobInner.Flushes > 0);
        }

        output.WriteLine($"seal, UDP ({(superPackets ? "super-packets of 40 segments" : batched ? "sendmmsg batches of 32" : "one send per packet")}{(offload ? ", UDP GSO and GRO" : "")}), recvmmsg, open: {delivered} packets, {delta} B allocated in the process ({(double)delta / delivered:F2} B/packet)");

        // One 24-octet object per packet on either side would be 960,000 octets (48 per packet); what remains is the
        // engines' timers and the test's own waiting.
        Assert.True(delta < Packets * 8, $"{delta} bytes allocated for {delivered} packets ({(double)delta / delivered:F1} per packet)");
    }
}
