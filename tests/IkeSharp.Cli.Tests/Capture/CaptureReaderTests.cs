using System.Buffers.Binary;
using System.Net;
using IkeSharp.Cli.Capture;
using Xunit;

namespace IkeSharp.Cli.Tests.Capture;

public sealed class CaptureReaderTests
{
    private const string X25519Capture = "sw-pair-aes128gcm16_prfsha256_x25519.pcapng";
    private const string Modp2048Capture = "sw-pair-aes256_sha256_modp2048.pcapng";

    private static readonly IPAddress Initiator = IPAddress.Parse("10.99.0.1");
    private static readonly IPAddress Responder = IPAddress.Parse("10.99.0.2");

    private static byte[] Fixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    // ---- Real captures (dumpcap 4.0, pcapng, Ethernet, if_tsresol 9) ----

    [Theory]
    [InlineData(X25519Capture, 0x7a4f3178u, 0x95eed4f1u)]
    [InlineData(Modp2048Capture, 0x5f9e3a5bu, 0xdc11a2feu)]
    public void Fixture_capture_dissects_as_tshark_shows(string name, uint initiatorEspSpi, uint responderEspSpi)
    {
        CaptureReadResult result = CaptureReader.Read(Fixture(name));

        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.PcapNg, result.Format);
        Assert.Equal(16, result.Frames.Count);
        Assert.Equal(Enumerable.Range(1, 16), result.Frames.Select(f => f.Number));
        Assert.All(result.Frames, f => Assert.Equal(LinkType.Ethernet, f.LinkType));
        Assert.All(result.Frames, f => Assert.NotNull(f.Timestamp));

        byte[]? ikeInitiatorSpi = null;
        foreach (CaptureFrame frame in result.Frames)
        {
            DissectedPacket packet = PacketDissector.Dissect(frame);
            int n = packet.FrameNumber;
            bool fromInitiator = n % 2 == 1;
            int port = n <= 2 ? 500 : 4500;

            Assert.Equal(frame.Number, n);
            Assert.Null(packet.Note);
            Assert.Equal(new IPEndPoint(fromInitiator ? Initiator : Responder, port), packet.Source);
            Assert.Equal(new IPEndPoint(fromInitiator ? Responder : Initiator, port), packet.Destination);

            PacketKind expected = n switch
            {
                <= 2 => PacketKind.Ike,
                <= 4 or >= 15 => PacketKind.IkeNatT,
                _ => PacketKind.EspInUdp,
            };
            Assert.Equal(expected, packet.Kind);

            ReadOnlySpan<byte> payload = packet.Payload.Span;
            if (expected == PacketKind.EspInUdp)
            {
                Assert.Equal(fromInitiator ? initiatorEspSpi : responderEspSpi, packet.EspSpi);
                Assert.Equal((uint)((n - 5) / 2) + 1, packet.EspSequence);
                Assert.Equal(packet.EspSpi, BinaryPrimitives.ReadUInt32BigEndian(payload));
                continue;
            }

            // The payload is exactly one IKE message (RFC 7296 §3.1): version 2.0 and a Length
            // field equal to the payload length, so neither the marker nor padding leaked in.
            Assert.Equal(0u, packet.EspSpi);
            Assert.Equal(0x20, payload[17]);
            Assert.Equal((uint)payload.Length, BinaryPrimitives.ReadUInt32BigEndian(payload[24..]));
            Assert.Equal(n switch { <= 2 => 34, <= 4 => 35, _ => 37 }, payload[18]);
            ikeInitiatorSpi ??= payload[..8].ToArray();
            Assert.Equal(ikeInitiatorSpi, payload[..8].ToArray());
        }
    }

    [Fact]
    public void Fixture_timestamps_match_tshark_to_the_100ns_tick()
    {
        IReadOnlyList<CaptureFrame> frames = CaptureReader.Read(Fixture(X25519Capture)).Frames;

        // tshark frame.time_epoch: 1795874617.778121837 and 1795874618.712501801.
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795874617).AddTicks(7781218), frames[0].Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795874618).AddTicks(7125018), frames[15].Timestamp);
    }

    [Fact]
    public void Fixture_frame_lengths_match_tshark()
    {
        IReadOnlyList<CaptureFrame> frames = CaptureReader.Read(Fixture(X25519Capture)).Frames;

        int[] expected = [274, 282, 283, 239, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 111, 103];
        Assert.Equal(expected, frames.Select(f => f.Data.Length));
    }

    // ---- PcapWriter round trips ----

    [Fact]
    public void Written_ipv4_pcap_reads_back_through_reader_and_dissector()
    {
        byte[] ike = FixtureIkeSaInit();
        byte[] esp = [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 9, 0xAA, 0xBB, 0xCC];
        var a = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500);
        var b = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 500);
        var aNat = new IPEndPoint(a.Address, 4500);
        var bNat = new IPEndPoint(b.Address, 4500);

        byte[] file = PcapWriter.WriteUdpPcap([(a, b, ike), (bNat, aNat, ike), (aNat, bNat, ike[..1])]);
        byte[] espFile = PcapWriter.WriteUdpPcap([(aNat, bNat, esp), (aNat, bNat, new byte[] { 0xFF })], nonEspMarkerOn4500: false);

        CaptureReadResult result = CaptureReader.Read(file);
        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.Pcap, result.Format);
        Assert.Equal(3, result.Frames.Count);
        Assert.All(result.Frames, f => Assert.Equal(LinkType.Raw, f.LinkType));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMilliseconds(1), result.Frames[1].Timestamp);

        DissectedPacket[] packets = [.. result.Frames.Select(PacketDissector.Dissect)];
        Assert.Equal([PacketKind.Ike, PacketKind.IkeNatT, PacketKind.IkeNatT], packets.Select(p => p.Kind));
        Assert.Equal(a, packets[0].Source);
        Assert.Equal(b, packets[0].Destination);
        Assert.Equal(bNat, packets[1].Source);
        Assert.Equal(aNat, packets[1].Destination);
        Assert.Equal(ike, packets[0].Payload.ToArray());
        Assert.Equal(ike, packets[1].Payload.ToArray());
        Assert.Equal(ike[..1], packets[2].Payload.ToArray());

        foreach (CaptureFrame frame in result.Frames)
        {
            ReadOnlySpan<byte> ip = frame.Data.Span;
            Assert.Equal(ip.Length, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
            Assert.Equal(0, OnesComplementSum(ip[..20], 0));
            Assert.Equal(0, UdpChecksumResidue(ip[12..16], ip[16..20], ip[20..]));
        }

        DissectedPacket[] espPackets = [.. CaptureReader.Read(espFile).Frames.Select(PacketDissector.Dissect)];
        Assert.Equal(PacketKind.EspInUdp, espPackets[0].Kind);
        Assert.Equal(0x12345678u, espPackets[0].EspSpi);
        Assert.Equal(9u, espPackets[0].EspSequence);
        Assert.Equal(esp, espPackets[0].Payload.ToArray());
        Assert.Equal(PacketKind.NatKeepalive, espPackets[1].Kind);
    }

    [Fact]
    public void Written_ipv6_pcap_reads_back_with_a_valid_udp_checksum()
    {
        byte[] ike = FixtureIkeSaInit();
        var a = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 500);
        var b = new IPEndPoint(IPAddress.Parse("2001:db8:ffff::2"), 4500);

        // Odd payload length exercises the checksum's zero padding.
        byte[] file = PcapWriter.WriteUdpPcap([(a, new IPEndPoint(b.Address, 500), ike), (b, a, ike[..^1])]);

        CaptureReadResult result = CaptureReader.Read(file);
        Assert.Null(result.Error);
        Assert.Equal(2, result.Frames.Count);
        DissectedPacket first = PacketDissector.Dissect(result.Frames[0]);
        DissectedPacket second = PacketDissector.Dissect(result.Frames[1]);
        Assert.Equal(PacketKind.Ike, first.Kind);
        Assert.Equal(a, first.Source);
        Assert.Equal(ike, first.Payload.ToArray());
        // Port 500 on either side wins over 4500, as the IKE port is checked first.
        Assert.Equal(PacketKind.Ike, second.Kind);
        Assert.Equal(b, second.Source);
        Assert.Equal(ike[..^1], second.Payload.ToArray()[4..]);

        foreach (CaptureFrame frame in result.Frames)
        {
            ReadOnlySpan<byte> ip = frame.Data.Span;
            Assert.Equal(ip.Length - 40, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
            Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(ip[46..]));
            Assert.Equal(0, UdpChecksumResidue(ip[8..24], ip[24..40], ip[40..]));
        }
    }

    [Fact]
    public void Writer_rejects_mixed_address_families()
    {
        var v4 = new IPEndPoint(IPAddress.Loopback, 500);
        var v6 = new IPEndPoint(IPAddress.IPv6Loopback, 500);

        Assert.Throws<ArgumentException>(() => PcapWriter.WriteUdpPcap([(v4, v6, new byte[1])]));
    }

    // ---- Link layers built by hand ----

    [Fact]
    public void Linux_sll_frame_carries_ipv4_ike()
    {
        byte[] sll = [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
        byte[] ip = Ipv4(17, Udp(500, 500, [1, 2, 3]));

        DissectedPacket packet = DissectSingle(LinkType.LinuxSll, [.. sll, .. ip]);

        Assert.Equal(PacketKind.Ike, packet.Kind);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500), packet.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.2"), 500), packet.Destination);
        Assert.Equal([1, 2, 3], packet.Payload.ToArray());
    }

    [Fact]
    public void Linux_sll2_frame_carries_ipv6_ike_after_the_non_esp_marker()
    {
        byte[] sll2 = [0x86, 0xDD, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        byte[] ip = Ipv6(17, Udp(4500, 4500, [0, 0, 0, 0, 7, 8, 9]));

        DissectedPacket packet = DissectSingle(LinkType.LinuxSll2, [.. sll2, .. ip]);

        Assert.Equal(PacketKind.IkeNatT, packet.Kind);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500), packet.Source);
        Assert.Equal([7, 8, 9], packet.Payload.ToArray());
    }

    [Fact]
    public void Ethernet_with_vlan_tags_and_padding_yields_the_keepalive_byte_only()
    {
        byte[] macs = [.. new byte[6], 2, 0, 0, 0, 0, 1];
        byte[] ip = Ipv4(17, Udp(4500, 4500, [0xFF]));
        // 802.1ad outer tag, 802.1Q inner tag, then IPv4; padded to the 60-byte Ethernet minimum.
        byte[] frame = [.. macs, 0x88, 0xA8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0A, 0x08, 0x00, .. ip];
        frame = [.. frame, .. Enumerable.Repeat((byte)0xEE, 60 - frame.Length)];

        DissectedPacket packet = DissectSingle(LinkType.Ethernet, frame);

        Assert.Equal(PacketKind.NatKeepalive, packet.Kind);
        Assert.Equal([0xFF], packet.Payload.ToArray());
        Assert.Null(packet.Note);
    }

    [Fact]
    public void Ethernet_with_one_vlan_tag_carries_plain_esp()
    {
        byte[] frame = [.. new byte[12], 0x81, 0x00, 0x00, 0x05, 0x86, 0xDD, .. Ipv6(50, [0xC0, 0xFF, 0xEE, 0x01, 0, 0, 1, 0, 0x99])];

        DissectedPacket packet = DissectSingle(LinkType.Ethernet, frame);

        Assert.Equal(PacketKind.Esp, packet.Kind);
        Assert.Equal(0xC0FFEE01u, packet.EspSpi);
        Assert.Equal(256u, packet.EspSequence);
        Assert.Equal(0, packet.Source.Port);
        Assert.Equal(IPAddress.Parse("2001:db8::2"), packet.Destination.Address);
    }

    [Theory]
    [InlineData(LinkType.Raw, 4)]
    [InlineData(LinkType.Raw, 6)]
    [InlineData(LinkType.RawBsd, 4)]
    [InlineData(LinkType.Ipv4, 4)]
    [InlineData(LinkType.Ipv6, 6)]
    public void Raw_ip_link_types_carry_ike(LinkType linkType, int version)
    {
        byte[] udp = Udp(500, 500, [42]);

        DissectedPacket packet = DissectSingle(linkType, version == 4 ? Ipv4(17, udp) : Ipv6(17, udp));

        Assert.Equal(PacketKind.Ike, packet.Kind);
        Assert.Equal([42], packet.Payload.ToArray());
    }

    [Fact]
    public void Raw_ipv4_link_type_rejects_an_ipv6_packet()
    {
        DissectedPacket packet = DissectSingle(LinkType.Ipv4, Ipv6(17, Udp(500, 500, [42])));

        Assert.Equal(PacketKind.Other, packet.Kind);
        Assert.NotNull(packet.Note);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0, 0 }, 4)]     // AF_INET, little-endian host
    [InlineData(new byte[] { 0, 0, 0, 2 }, 4)]     // AF_INET, big-endian host
    [InlineData(new byte[] { 30, 0, 0, 0 }, 6)]    // AF_INET6 on macOS
    [InlineData(new byte[] { 0, 0, 0, 28 }, 6)]    // AF_INET6 on big-endian FreeBSD
    public void Null_loopback_header_in_either_byte_order(byte[] family, int version)
    {
        byte[] udp = Udp(4500, 4500, [0, 0, 0, 0, 5]);

        DissectedPacket packet = DissectSingle(LinkType.Null, [.. family, .. version == 4 ? Ipv4(17, udp) : Ipv6(17, udp)]);

        Assert.Equal(PacketKind.IkeNatT, packet.Kind);
        Assert.Equal([5], packet.Payload.ToArray());
    }

    // ---- IP and UDP details ----

    [Fact]
    public void Ipv6_extension_headers_are_walked_to_udp()
    {
        byte[] hopByHop = [60, 0, 1, 4, 0, 0, 0, 0];                       // next: destination options
        byte[] destination = [17, 1, 1, 12, .. new byte[12]];              // next: UDP, 16 bytes
        byte[] ip = Ipv6(0, [.. hopByHop, .. destination, .. Udp(500, 500, [1, 2])]);

        DissectedPacket packet = DissectSingle(LinkType.Raw, ip);

        Assert.Equal(PacketKind.Ike, packet.Kind);
        Assert.Equal([1, 2], packet.Payload.ToArray());
    }

    [Fact]
    public void Ipv6_fragment_is_reported_not_reassembled()
    {
        byte[] fragment = [17, 0, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF];     // offset 0, more fragments
        DissectedPacket packet = DissectSingle(LinkType.Raw, Ipv6(44, [.. fragment, .. Udp(500, 500, [1])]));

        Assert.Equal(PacketKind.Other, packet.Kind);
        Assert.Contains("IPv6 fragment", packet.Note, StringComparison.Ordinal);
        Assert.Contains("0xdeadbeef", packet.Note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x20, 0x00)]  // first fragment: more-fragments set
    [InlineData(0x00, 0xB9)]  // last fragment: offset 185 * 8
    public void Ipv4_fragment_is_reported_not_reassembled(byte flagsHigh, byte offsetLow)
    {
        byte[] ip = Ipv4(17, Udp(500, 500, [1, 2, 3]));
        ip[6] = flagsHigh;
        ip[7] = offsetLow;

        DissectedPacket packet = DissectSingle(LinkType.Raw, ip);

        Assert.Equal(PacketKind.Other, packet.Kind);
        Assert.Contains("IPv4 fragment", packet.Note, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), packet.Source.Address);
    }

    [Fact]
    public void Ipv4_options_are_skipped()
    {
        byte[] ip = Ipv4(17, Udp(500, 500, [9]), options: [1, 1, 1, 0]);

        DissectedPacket packet = DissectSingle(LinkType.Raw, ip);

        Assert.Equal(PacketKind.Ike, packet.Kind);
        Assert.Equal([9], packet.Payload.ToArray());
    }

    [Fact]
    public void Snap_length_truncation_is_noted_but_still_classified()
    {
        byte[] ip = Ipv4(17, Udp(500, 500, new byte[100]));

        DissectedPacket packet = DissectSingle(LinkType.Raw, ip[..60]);

        Assert.Equal(PacketKind.Ike, packet.Kind);
        Assert.Equal(32, packet.Payload.Length);
        Assert.Contains("truncated", packet.Note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6, "TCP")]
    [InlineData(1, "ICMP")]
    public void Other_ip_protocols_are_named(byte protocol, string name)
    {
        DissectedPacket packet = DissectSingle(LinkType.Raw, Ipv4(protocol, new byte[20]));

        Assert.Equal(PacketKind.Other, packet.Kind);
        Assert.Contains(name, packet.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_udp_ports_are_not_ike()
    {
        DissectedPacket packet = DissectSingle(LinkType.Raw, Ipv4(17, Udp(53, 4501, [1, 2, 3, 4, 5, 6, 7, 8])));

        Assert.Equal(PacketKind.Other, packet.Kind);
        Assert.Equal(53, packet.Source.Port);
        Assert.Contains("53", packet.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_udp_4500_payload_that_is_neither_keepalive_nor_marker_is_other()
    {
        DissectedPacket packet = DissectSingle(LinkType.Raw, Ipv4(17, Udp(4500, 4500, [1, 2, 3])));

        Assert.Equal(PacketKind.Other, packet.Kind);
        Assert.Contains("ESP header truncated", packet.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ip_ethernet_and_unknown_link_types_are_other()
    {
        DissectedPacket arp = DissectSingle(LinkType.Ethernet, [.. new byte[12], 0x08, 0x06, .. new byte[28]]);
        DissectedPacket unknown = PacketDissector.Dissect(new CaptureFrame(7, null, (LinkType)147, new byte[40]));

        Assert.Equal(PacketKind.Other, arp.Kind);
        Assert.Contains("ARP", arp.Note, StringComparison.Ordinal);
        Assert.Equal(PacketKind.Other, unknown.Kind);
        Assert.Equal(7, unknown.FrameNumber);
        Assert.Contains("147", unknown.Note, StringComparison.Ordinal);
    }

    // ---- File formats built by hand ----

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Classic_pcap_in_both_byte_orders_and_both_resolutions(bool bigEndian, bool nanoseconds)
    {
        var file = new Bytes(bigEndian);
        file.U32(nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u).U16(2).U16(4).U32(0).U32(0).U32(65535);
        file.U32(0x1000_0000u | (uint)LinkType.Raw); // FCS-length bits set; the link type is the low 16 bits.
        byte[] packet = Ipv4(17, Udp(500, 500, [1]));
        file.U32(1_700_000_000).U32(nanoseconds ? 123_456_789u : 123_456u).U32((uint)packet.Length).U32((uint)packet.Length).Raw(packet);
        file.U32(1_700_000_001).U32(0).U32(0).U32(0);

        CaptureReadResult result = CaptureReader.Read(file.ToArray());

        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.Pcap, result.Format);
        Assert.Equal(2, result.Frames.Count);
        Assert.Equal(LinkType.Raw, result.Frames[0].LinkType);
        Assert.Equal(packet, result.Frames[0].Data.ToArray());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(nanoseconds ? 1_234_567 : 1_234_560), result.Frames[0].Timestamp);
        Assert.True(result.Frames[1].Data.IsEmpty);
    }

    [Fact]
    public void Pcapng_sections_in_both_byte_orders_with_all_packet_block_kinds()
    {
        byte[] first = Ipv4(17, Udp(500, 500, [1]));
        byte[] second = Ipv6(17, Udp(500, 500, [2, 2]));

        // Section 1, big-endian: raw IP interface with if_tsresol 10^-3 and a 40-byte snap length.
        var file = new Bytes(bigEndian: true);
        PcapNgSectionHeader(file);
        PcapNgBlock(file, 1, new Bytes(true).U16((ushort)LinkType.Raw).U16(0).U32(40)
            .Option(2, "eth0"u8).Option(9, [3]).U32(0).ToArray());
        PcapNgBlock(file, 0x0000_0BAD, [1, 2, 3, 4]); // unknown block type: skipped
        PcapNgBlock(file, 6, EnhancedPacketBody(new Bytes(true), 0, 1_700_000_000_123UL, first));
        PcapNgBlock(file, 3, new Bytes(true).U32((uint)second.Length).Raw(second).ToArray()); // cut to the snap length
        PcapNgBlock(file, 2, new Bytes(true).U16(0).U16(0).U32(0).U32(5).U32((uint)first.Length).U32((uint)first.Length).Raw(first).ToArray());

        // Section 2, little-endian: interfaces restart at 0; if_tsresol 2^-10, if_tsoffset 100 s.
        var le = new Bytes(bigEndian: false);
        PcapNgSectionHeader(le);
        PcapNgBlock(le, 1, new Bytes(false).U16((ushort)LinkType.Ethernet).U16(0).U32(0)
            .Option(9, [0x80 | 10]).Option(14, BitConverter.GetBytes(100L)).U32(0).ToArray());
        byte[] ethernet = [.. new byte[12], 0x08, 0x00, .. first];
        PcapNgBlock(le, 6, EnhancedPacketBody(new Bytes(false), 0, 1024UL * 5 + 512, ethernet));
        file.Raw(le.ToArray());

        CaptureReadResult result = CaptureReader.Read(file.ToArray());

        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.PcapNg, result.Format);
        Assert.Equal([1, 2, 3, 4], result.Frames.Select(f => f.Number));
        Assert.Equal([LinkType.Raw, LinkType.Raw, LinkType.Raw, LinkType.Ethernet], result.Frames.Select(f => f.LinkType));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), result.Frames[0].Timestamp);
        Assert.Null(result.Frames[1].Timestamp);
        Assert.Equal(40, result.Frames[1].Data.Length);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0).AddMilliseconds(5), result.Frames[2].Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(105).AddMilliseconds(500), result.Frames[3].Timestamp);
        Assert.Equal(PacketKind.Ike, PacketDissector.Dissect(result.Frames[0]).Kind);
        Assert.Equal(PacketKind.Ike, PacketDissector.Dissect(result.Frames[3]).Kind);
    }

    [Fact]
    public void Pcapng_block_overrunning_the_file_reports_its_offset_and_keeps_earlier_frames()
    {
        byte[] valid = Fixture(X25519Capture);
        // Frame 1's EPB starts right after the SHB (180 bytes) and IDB (108 bytes).
        const int secondPacketBlock = 180 + 108 + 308;
        byte[] file = valid[..(secondPacketBlock + 120)];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(secondPacketBlock + 4), 99999);

        CaptureReadResult result = CaptureReader.Read(file);

        Assert.Equal($"pcapng block at offset {secondPacketBlock} claims length 99999 but only 120 bytes remain", result.Error);
        Assert.Single(result.Frames);
    }

    [Fact]
    public void Pcapng_packet_for_an_undeclared_interface_is_an_error()
    {
        var file = new Bytes(false);
        PcapNgSectionHeader(file);
        PcapNgBlock(file, 6, EnhancedPacketBody(new Bytes(false), 0, 0, [1]));

        CaptureReadResult result = CaptureReader.Read(file.ToArray());

        Assert.Empty(result.Frames);
        Assert.Equal("pcapng enhanced packet block at offset 28 refers to interface 0 but the section defines 0", result.Error);
    }

    [Fact]
    public void Pcap_record_overrunning_the_file_is_an_error()
    {
        byte[] file = PcapWriter.WriteUdpPcap([(new IPEndPoint(IPAddress.Loopback, 500), new IPEndPoint(IPAddress.Loopback, 500), new byte[10])]);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 8), 99999);

        CaptureReadResult result = CaptureReader.Read(file);

        Assert.Empty(result.Frames);
        Assert.Equal("pcap record at offset 24 claims 99999 captured bytes but only 38 remain", result.Error);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0 })]
    public void Unrecognised_input_is_an_error_not_an_exception(byte[] file)
    {
        CaptureReadResult result = CaptureReader.Read(file);

        Assert.Equal(CaptureFormat.Unknown, result.Format);
        Assert.Empty(result.Frames);
        Assert.NotNull(result.Error);
    }

    // ---- Robustness ----

    [Theory]
    [InlineData(X25519Capture)]
    [InlineData(Modp2048Capture)]
    public void Truncating_a_pcapng_at_every_offset_returns_a_prefix_of_frames(string name)
    {
        byte[] file = Fixture(name);
        IReadOnlyList<CaptureFrame> all = CaptureReader.Read(file).Frames;
        // The fixtures are little-endian; a cut exactly between blocks leaves a valid file.
        var boundaries = new HashSet<int>();
        for (int offset = 0; offset < file.Length; boundaries.Add(offset))
        {
            offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 4));
        }

        for (int length = 0; length <= file.Length; length++)
        {
            CaptureReadResult result = CaptureReader.Read(file.AsMemory(0, length));
            AssertPrefix(all, result.Frames);
            Assert.Equal(boundaries.Contains(length), result.Error is null);
        }
    }

    [Fact]
    public void Truncating_a_pcap_at_every_offset_returns_a_prefix_and_errors_off_record_boundaries()
    {
        var a = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500);
        var b = new IPEndPoint(IPAddress.Parse("2001:db8::2"), 4500);
        byte[] file = PcapWriter.WriteUdpPcap([(a, b, FixtureIkeSaInit()), (b, a, new byte[] { 1, 2, 3 }), (a, b, new byte[] { 4 })]);
        IReadOnlyList<CaptureFrame> all = CaptureReader.Read(file).Frames;
        var boundaries = new HashSet<int> { 24 };
        int end = 24;
        foreach (CaptureFrame frame in all)
        {
            end += 16 + frame.Data.Length;
            boundaries.Add(end);
        }

        for (int length = 0; length <= file.Length; length++)
        {
            CaptureReadResult result = CaptureReader.Read(file.AsMemory(0, length));
            AssertPrefix(all, result.Frames);
            Assert.Equal(boundaries.Contains(length), result.Error is null);
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7296);
        byte[][] prefixes =
        [
            [],
            [0xD4, 0xC3, 0xB2, 0xA1],
            [0xA1, 0xB2, 0x3C, 0x4D],
            [0x0A, 0x0D, 0x0D, 0x0A, 0x1C, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A],
            [0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 0x1C, 0x1A, 0x2B, 0x3C, 0x4D],
        ];

        for (int i = 0; i < 4000; i++)
        {
            byte[] noise = new byte[random.Next(0, 400)];
            random.NextBytes(noise);
            byte[] file = [.. prefixes[i % prefixes.Length], .. noise];

            foreach (CaptureFrame frame in CaptureReader.Read(file).Frames)
            {
                PacketDissector.Dissect(frame);
            }

            foreach (LinkType linkType in Enum.GetValues<LinkType>())
            {
                PacketDissector.Dissect(new CaptureFrame(1, null, linkType, noise));
            }
        }
    }

    [Fact]
    public void Mutated_captures_and_frames_never_throw()
    {
        var random = new Random(3948);
        byte[] valid = Fixture(Modp2048Capture);
        byte[][] frames =
        [
            Ipv4(17, Udp(4500, 4500, [0, 0, 0, 0, 1, 2, 3, 4, 5, 6])),
            Ipv6(0, [17, 0, 1, 4, 0, 0, 0, 0, .. Udp(500, 500, [1, 2])]),
            Ipv6(44, [17, 0, 0, 1, 0, 0, 0, 1, .. Udp(500, 500, [1])]),
        ];

        for (int i = 0; i < 1500; i++)
        {
            byte[] file = (byte[])valid.Clone();
            for (int flips = random.Next(1, 8); flips > 0; flips--)
            {
                file[random.Next(file.Length)] = (byte)random.Next(256);
            }

            CaptureReadResult result = CaptureReader.Read(file);
            Assert.Equal(Enumerable.Range(1, result.Frames.Count), result.Frames.Select(f => f.Number));
            foreach (CaptureFrame frame in result.Frames)
            {
                PacketDissector.Dissect(frame);
            }

            byte[] packet = (byte[])frames[i % frames.Length].Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }

            PacketDissector.Dissect(new CaptureFrame(1, null, LinkType.Raw, packet.AsMemory(0, random.Next(packet.Length + 1))));
        }
    }

    // ---- Helpers ----

    private static void AssertPrefix(IReadOnlyList<CaptureFrame> all, IReadOnlyList<CaptureFrame> prefix)
    {
        Assert.True(prefix.Count <= all.Count);
        for (int i = 0; i < prefix.Count; i++)
        {
            Assert.Equal(all[i].Number, prefix[i].Number);
            Assert.Equal(all[i].Timestamp, prefix[i].Timestamp);
            Assert.True(all[i].Data.Span.SequenceEqual(prefix[i].Data.Span));
            PacketDissector.Dissect(prefix[i]);
        }
    }

    private static DissectedPacket DissectSingle(LinkType linkType, byte[] data) =>
        PacketDissector.Dissect(new CaptureFrame(1, null, linkType, data));

    private static byte[] FixtureIkeSaInit() =>
        PacketDissector.Dissect(CaptureReader.Read(Fixture(X25519Capture)).Frames[0]).Payload.ToArray();

    private static byte[] Udp(ushort sourcePort, ushort destinationPort, byte[] payload) =>
        new Bytes(true).U16(sourcePort).U16(destinationPort).U16((ushort)(8 + payload.Length)).U16(0).Raw(payload).ToArray();

    // IPv4 192.0.2.1 → 192.0.2.2; the header checksum is left 0 because the dissector ignores it.
    private static byte[] Ipv4(byte protocol, byte[] body, byte[]? options = null)
    {
        options ??= [];
        int headerLength = 20 + options.Length;
        return new Bytes(true)
            .U8((byte)(0x40 | (headerLength / 4))).U8(0).U16((ushort)(headerLength + body.Length))
            .U16(1).U16(0x4000).U8(64).U8(protocol).U16(0)
            .Raw([192, 0, 2, 1]).Raw([192, 0, 2, 2]).Raw(options).Raw(body).ToArray();
    }

    // IPv6 2001:db8::1 → 2001:db8::2.
    private static byte[] Ipv6(byte nextHeader, byte[] body) =>
        new Bytes(true).U32(0x6000_0000).U16((ushort)body.Length).U8(nextHeader).U8(64)
            .Raw(IPAddress.Parse("2001:db8::1").GetAddressBytes()).Raw(IPAddress.Parse("2001:db8::2").GetAddressBytes())
            .Raw(body).ToArray();

    private static void PcapNgSectionHeader(Bytes file) =>
        PcapNgBlock(file, 0x0A0D0D0A, new Bytes(file.BigEndian).U32(0x1A2B3C4D).U16(1).U16(0).U64(ulong.MaxValue).ToArray());

    private static byte[] EnhancedPacketBody(Bytes body, uint interfaceId, ulong timestamp, byte[] data) =>
        body.U32(interfaceId).U32((uint)(timestamp >> 32)).U32((uint)timestamp).U32((uint)data.Length).U32((uint)data.Length)
            .Raw(data).Pad().ToArray();

    // pcapng §3.1: Type, Total Length, Body padded to 32 bits, Total Length again.
    private static void PcapNgBlock(Bytes file, uint type, byte[] body)
    {
        uint total = (uint)(12 + ((body.Length + 3) & ~3));
        file.U32(type).U32(total).Raw(body).Pad().U32(total);
    }

    private static int OnesComplementSum(ReadOnlySpan<byte> data, uint sum)
    {
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    // Verifying a correct checksum over pseudo-header + segment gives 0 (RFC 1071 §1).
    private static int UdpChecksumResidue(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> udp)
    {
        byte[] pseudo = [.. source, .. destination, 0, 17, (byte)(udp.Length >> 8), (byte)udp.Length];
        return OnesComplementSum([.. pseudo, .. udp], 0);
    }

    /// <summary>A byte-order-aware builder for hand-made capture files.</summary>
    private sealed class Bytes(bool bigEndian)
    {
        private readonly List<byte> _bytes = [];

        public bool BigEndian => bigEndian;

        public Bytes U8(byte value)
        {
            _bytes.Add(value);
            return this;
        }

        public Bytes U16(ushort value)
        {
            Span<byte> buffer = stackalloc byte[2];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
            }

            return Raw(buffer);
        }

        public Bytes U32(uint value)
        {
            Span<byte> buffer = stackalloc byte[4];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(buffer, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
            }

            return Raw(buffer);
        }

        public Bytes U64(ulong value) => bigEndian
            ? U32((uint)(value >> 32)).U32((uint)value)
            : U32((uint)value).U32((uint)(value >> 32));

        public Bytes Raw(ReadOnlySpan<byte> data)
        {
            _bytes.AddRange(data);
            return this;
        }

        public Bytes Pad()
        {
            while (_bytes.Count % 4 != 0)
            {
                _bytes.Add(0);
            }

            return this;
        }

        // pcapng §3.5: Code, Length, Value padded to 32 bits.
        public Bytes Option(ushort code, ReadOnlySpan<byte> value) => U16(code).U16((ushort)value.Length).Raw(value).Pad();

        public byte[] ToArray() => [.. _bytes];
    }
}
