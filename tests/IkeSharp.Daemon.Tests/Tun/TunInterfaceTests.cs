using System.Collections.Concurrent;
using System.Net.Sockets;
using IkeSharp.Daemon.Tun;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Tun;

/// <summary>The TUN device and rtnetlink, each test in its own network namespace.</summary>
public class TunInterfaceTests
{
    [Fact]
    public void Tun_comes_up_with_its_mtu_routes_come_and_go_and_packets_pass_both_ways()
    {
        using var ns = new NetNs("ikesharp-test-tun");
        ns.Must("-n", ns.Name, "addr", "add", "10.1.0.1/24", "dev", "lo");
        ns.Run(() =>
        {
            using TunInterface tun = TunInterface.Open("ikst0", NullLogger.Instance, mtu: 1380);
            string link = ns.Must("-n", ns.Name, "link", "show", "ikst0");
            Assert.Contains("mtu 1380", link, StringComparison.Ordinal);
            Assert.Contains("UP", link, StringComparison.Ordinal);

            string main = ns.Must("-n", ns.Name, "route", "show");
            Assert.True(tun.AddRoute(TrafficSelector.Subnet("10.2.0.0/24"), [TrafficSelector.Subnet("10.1.0.0/24")], out string? error), error);
            string routes = ns.Must("-n", ns.Name, "route", "show", "table", "220");
            Assert.Contains("10.2.0.0/24 dev ikst0 proto static scope link src 10.1.0.1", routes, StringComparison.Ordinal);
            Assert.Equal(main, ns.Must("-n", ns.Name, "route", "show"));

            // The host routes a datagram for 10.2.0.7 into the TUN device: we read the IP packet.
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.SendTo("hello tunnel"u8, new IPEndPoint(IPAddress.Parse("10.2.0.7"), 9));
            var sink = new Sink();
            tun.Attach(sink);
            byte[] buffer = sink.Take(TimeSpan.FromSeconds(3)) ?? [];
            int n = buffer.Length;
            Assert.True(n > 28, "no packet read from the TUN device");
            Assert.Equal(IPAddress.Parse("10.1.0.1"), new IPAddress(buffer.AsSpan(12, 4)));
            Assert.Equal(IPAddress.Parse("10.2.0.7"), new IPAddress(buffer.AsSpan(16, 4)));
            Assert.Equal("hello tunnel"u8.ToArray(), buffer.AsSpan(28, n - 28).ToArray());

            // A packet written to the TUN device reaches a socket of the host.
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            listener.Bind(new IPEndPoint(IPAddress.Parse("10.1.0.1"), 7777));
            listener.ReceiveTimeout = 2000;
            byte[] packet = Hosting.UserspaceDataPlaneTests.Udp4("10.2.0.7", "10.1.0.1", 5, 0x42);
            packet[22] = 7777 >> 8;
            packet[23] = 7777 & 0xFF;
            FixIpv4Checksum(packet);
            tun.Write(packet);
            byte[] received = new byte[64];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int got = listener.ReceiveFrom(received, ref from);
            Assert.Equal(5, got);
            Assert.Equal(IPAddress.Parse("10.2.0.7"), ((IPEndPoint)from).Address);

            tun.RemoveRoute(TrafficSelector.Subnet("10.2.0.0/24"));
            Assert.DoesNotContain("10.2.0.0/24", ns.Must("-n", ns.Name, "route", "show", "table", "all"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_multi_queue_device_carries_packets_on_every_queue_in_batches()
    {
        using var ns = new NetNs("ikesharp-test-mq");
        ns.Must("-n", ns.Name, "addr", "add", "10.1.0.1/24", "dev", "lo");
        ns.Run(() =>
        {
            const int Queues = 4;
            const int Flows = 256;
            using TunInterface tun = TunInterface.Open("ikmq0", NullLogger.Instance, mtu: 1400, queues: Queues);
            Assert.Equal(Queues, tun.Queues);
            Assert.True(tun.AddRoute(TrafficSelector.Subnet("10.2.0.0/24"), [TrafficSelector.Subnet("10.1.0.1/32")], out string? error), error);

            // The kernel picks a queue by each flow's hash (tun_automq_select_queue): many flows,
            // each from its own source port, land on every queue.
            var sink = new QueueSink();
            tun.Attach(sink);
            var sockets = new List<Socket>();
            try
            {
                for (int f = 0; f < Flows; f++)
                {
                    var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    sockets.Add(udp);
                    udp.Bind(new IPEndPoint(IPAddress.Parse("10.1.0.1"), 0));
                    byte[] payload = new byte[100 + f];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(payload, f);
                    payload.AsSpan(4).Fill((byte)f);
                    udp.SendTo(payload, new IPEndPoint(IPAddress.Parse("10.2.0.7"), 9));
                }

                var until = DateTime.UtcNow.AddSeconds(10);
                while (sink.Flows.Count < Flows && DateTime.UtcNow < until)
                {
                    Thread.Sleep(20);
                }
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }

            Assert.Equal(Flows, sink.Flows.Count);
            foreach ((int f, byte[] packet) in sink.Flows)
            {
                // IPv4 (20) + UDP (8) + the payload, whole.
                Assert.Equal(128 + f, packet.Length);
                Assert.Equal(f, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(28)));
                Assert.True(packet.AsSpan(32).IndexOfAnyExcept((byte)f) < 0, $"flow {f}: payload changed");
            }

            for (int q = 0; q < Queues; q++)
            {
                Assert.True(tun.QueuePackets(q) > 0, $"queue {q} read nothing: {string.Join(", ", Enumerable.Range(0, Queues).Select(tun.QueuePackets))}");
            }

            Assert.True(sink.Flushes > 0 && sink.Flushes <= sink.Queued, $"{sink.Flushes} flushes for {sink.Queued} packets");
        });
    }

    /// <summary>Keeps the IPv4 UDP packets to port 9 by flow number, and counts batches.</summary>
    private sealed class QueueSink : DataPlane.IOutboundPackets
    {
        public ConcurrentDictionary<int, byte[]> Flows { get; } = new();

        public int Queued;
        public int Flushes;

        public bool SendInner(ReadOnlySpan<byte> ipPacket) => throw new InvalidOperationException("the TUN reader queues and flushes");

        public bool QueueInner(ReadOnlySpan<byte> ipPacket)
        {
            Interlocked.Increment(ref Queued);
            if (ipPacket.Length >= 32 && ipPacket[0] == 0x45 && ipPacket[9] == 17 && ipPacket[23] == 9)
            {
                Flows[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ipPacket[28..])] = ipPacket.ToArray();
            }

            return true;
        }

        public void FlushInner() => Interlocked.Increment(ref Flushes);
    }

    [Fact]
    public void With_offloads_a_UDP_GSO_send_arrives_as_its_datagrams_with_complete_checksums_and_writes_reach_the_host()
    {
        using var ns = new NetNs("ikesharp-test-off");
        ns.Must("-n", ns.Name, "addr", "add", "10.1.0.1/24", "dev", "lo");
        ns.Run(() =>
        {
            using TunInterface tun = TunInterface.Open("ikoff0", NullLogger.Instance, mtu: 1400, offload: true);
            Assert.True(tun.Offload, "this kernel takes IFF_VNET_HDR and TSO on a TUN device");
            Assert.True(tun.AddRoute(TrafficSelector.Subnet("10.2.0.0/24"), [TrafficSelector.Subnet("10.1.0.0/24")], out string? error), error);
            var sink = new Sink();
            tun.Attach(sink);

            // One send of 3500 octets cut in 1000 (UDP_SEGMENT, udp(7)): with USO the TUN device
            // hands over one super-packet, without it the kernel's four segments; either way the
            // reader passes on four datagrams whose checksums (left partial by the stack) are complete.
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Parse("10.1.0.1"), 0));
            Span<byte> segment = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(segment, 1000);
            udp.SetRawSocketOption(17, 103, segment);
            byte[] payload = [.. Enumerable.Range(0, 3500).Select(i => (byte)(i * 7))];
            udp.SendTo(payload, new IPEndPoint(IPAddress.Parse("10.2.0.7"), 9));
            var data = new List<byte>();
            for (int i = 0; i < 4; i++)
            {
                byte[] packet = sink.Take(TimeSpan.FromSeconds(5)) ?? throw new Xunit.Sdk.XunitException($"datagram {i} of 4 was not read");
                Assert.Equal(i == 3 ? 528 : 1028, packet.Length);
                Assert.True(Offload.Packets.Ipv4HeaderValid(packet));
                Assert.True(Offload.Packets.TransportChecksumValid(packet), $"datagram {i}: UDP checksum");
                data.AddRange(packet.AsSpan(28).ToArray());
            }

            Assert.Equal(payload, data.ToArray());
            Assert.Equal(0, tun.OffloadErrors);
            if ((tun.OffloadFlags & 0x20) != 0)
            {
                Assert.Equal(1, tun.SuperPackets);
            }

            // A packet written with a virtio_net_hdr (kept until the flush) reaches a socket of the host.
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            listener.Bind(new IPEndPoint(IPAddress.Parse("10.1.0.1"), 7777));
            listener.ReceiveTimeout = 5000;
            byte[] back = Hosting.UserspaceDataPlaneTests.Udp4("10.2.0.7", "10.1.0.1", 5, 0x42);
            back[22] = 7777 >> 8;
            back[23] = 7777 & 0xFF;
            FixIpv4Checksum(back);
            tun.Write(back);
            tun.Flush();
            byte[] received = new byte[64];
            Assert.Equal(5, listener.Receive(received));
        });
    }

    /// <summary>Hands the coalescer's writes to a real TUN device, plain and gathered, and keeps what it answered.</summary>
    private sealed class DeviceWriter(TunDevice device) : IkeSharp.Daemon.Offload.IVnetPacketWriter
    {
        public List<(bool Ok, int Length, int Pieces)> Results { get; } = [];

        public void Write(in IkeSharp.Daemon.Offload.VirtioNetHeader header, ReadOnlySpan<byte> packet) => Results.Add((device.Write(header, packet), packet.Length, 1));

        public void Write(in IkeSharp.Daemon.Offload.VirtioNetHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<IkeSharp.Daemon.Offload.PacketPiece> pieces)
        {
            int length = 0;
            foreach (IkeSharp.Daemon.Offload.PacketPiece piece in pieces)
            {
                length += piece.Length;
            }

            Results.Add((device.Write(header, source, pieces), length, pieces.Length));
        }
    }

    [Fact]
    public void A_super_packet_gathered_from_its_segments_is_taken_whole_by_an_offloading_TUN_device()
    {
        using var ns = new NetNs("ikesharp-test-gather");
        ns.Run(() =>
        {
            using TunDevice device = TunDevice.Open("ikgat0", offload: true);
            Assert.True(device.VnetHeader, "this kernel takes IFF_VNET_HDR and TSO on a TUN device");
            ns.Must("-n", ns.Name, "addr", "add", "10.1.0.1/24", "dev", "ikgat0");
            ns.Must("-n", ns.Name, "link", "set", "ikgat0", "up");
            long RxBytes() => System.Text.Json.JsonDocument.Parse(ns.Must("-n", ns.Name, "-j", "-s", "link", "show", "ikgat0")).RootElement[0]
                .GetProperty("stats64").GetProperty("rx").GetProperty("bytes").GetInt64();
            long before = RxBytes();

            // Ten segments of a flow from 10.2.0.1 to 10.1.0.1, opened into the coalescer's room as
            // the data plane does: one writev of the virtio_net_hdr, the first segment and nine payloads.
            var coalescer = new IkeSharp.Daemon.Offload.TcpCoalescer();
            var writer = new DeviceWriter(device);
            uint sequence = 1000;
            int total = 0;
            for (int i = 0; i < 10; i++)
            {
                byte[] p = Offload.Packets.Tcp(false, sequence, 1386, id: (ushort)i);
                (p[12], p[13], p[14], p[15], p[16], p[17], p[18], p[19]) = (10, 2, 0, 1, 10, 1, 0, 1);
                p[10] = 0;
                p[11] = 0;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)~Offload.Packets.ReferenceSum(p.AsSpan(0, 20)));
                Offload.Packets.FixTransportChecksum(p, 16);
                sequence += 1386;
                Span<byte> room = coalescer.Reserve(p.Length, writer);
                p.CopyTo(room);
                coalescer.Add(room[..p.Length], writer);
                total += i == 0 ? p.Length : 1386;
            }

            coalescer.Flush(writer);
            (bool ok, int length, int pieces) = Assert.Single(writer.Results);
            Assert.True(ok, "the TUN device refused the gathered super-packet");
            Assert.Equal((total, 10), (length, pieces));
            Assert.Equal(total, RxBytes() - before);
        });
    }

    [Fact]
    public void A_range_selector_becomes_the_fewest_prefixes()
    {
        IReadOnlyList<(IPAddress Network, int Prefix)> p = TunInterface.Prefixes(TrafficSelector.Range(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.6")));
        Assert.Equal(["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"], p.Select(x => $"{x.Network}/{x.Prefix}"));
        Assert.Equal("0.0.0.0/0", string.Join(",", TunInterface.Prefixes(TrafficSelector.Subnet("0.0.0.0/0")).Select(x => $"{x.Network}/{x.Prefix}")));
        Assert.Equal("::/0", string.Join(",", TunInterface.Prefixes(TrafficSelector.Subnet("::/0")).Select(x => $"{x.Network}/{x.Prefix}")));
        Assert.Equal("fd00::/64", string.Join(",", TunInterface.Prefixes(TrafficSelector.Subnet("fd00::/64")).Select(x => $"{x.Network}/{x.Prefix}")));
    }

    /// <summary>Keeps the IPv4 UDP packets the TUN reader hands on (and skips IPv6 chatter such as router solicitations).</summary>
    private sealed class Sink : DataPlane.IOutboundPackets
    {
        private readonly System.Collections.Concurrent.BlockingCollection<byte[]> packets = [];

        public bool SendInner(ReadOnlySpan<byte> ipPacket)
        {
            if (ipPacket.Length > 20 && ipPacket[0] >> 4 == 4 && ipPacket[9] == 17)
            {
                packets.Add(ipPacket.ToArray());
            }

            return true;
        }

        public byte[]? Take(TimeSpan timeout) => packets.TryTake(out byte[]? p, timeout) ? p : null;
    }

    private static void FixIpv4Checksum(byte[] p)
    {
        p[10] = 0;
        p[11] = 0;
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += (uint)(p[i] << 8 | p[i + 1]);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        ushort c = (ushort)~sum;
        p[10] = (byte)(c >> 8);
        p[11] = (byte)c;
    }
}
