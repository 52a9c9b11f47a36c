namespace IkeSharp.Esp.Tests;

/// <summary>RFC 3948 §2: what arrives on UDP port 4500.</summary>
public class EspInUdpTests
{
    public static TheoryData<string, UdpEncapsulatedKind> Payloads => new()
    {
        { "ff", UdpEncapsulatedKind.NatKeepalive },
        { "00", UdpEncapsulatedKind.Invalid },
        { "fe", UdpEncapsulatedKind.Invalid },
        { "", UdpEncapsulatedKind.Invalid },
        { "ffff", UdpEncapsulatedKind.Invalid },
        { "000000", UdpEncapsulatedKind.Invalid },
        { "00000000", UdpEncapsulatedKind.Invalid },               // a marker and nothing after it
        { "00000000" + "0102030405060708", UdpEncapsulatedKind.Ike },
        { "7a4f3178", UdpEncapsulatedKind.Invalid },               // an SPI without a sequence number
        { "7a4f317800000001", UdpEncapsulatedKind.Esp },
        { "000000010000000100", UdpEncapsulatedKind.Esp },         // SPI 1 is reserved, but it is ESP's business to drop it
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Classifies_port_4500_payloads(string hex, UdpEncapsulatedKind expected) =>
        Assert.Equal(expected, EspInUdp.Classify(Convert.FromHexString(hex)));

    [Fact]
    public void The_ike_message_follows_the_non_esp_marker()
    {
        byte[] datagram = new byte[4 + 28];
        int n = EspInUdp.WriteNonEspMarker(datagram);
        Assert.Equal(4, n);
        datagram[4] = 0xAA;
        Assert.True(EspInUdp.TryGetIkeMessage(datagram, out ReadOnlySpan<byte> ike));
        Assert.Equal(28, ike.Length);
        Assert.Equal(0xAA, ike[0]);
        Assert.False(EspInUdp.TryGetIkeMessage([0x7a, 0x4f, 0x31, 0x78, 0, 0, 0, 1], out _));
    }

    [Fact]
    public void A_nat_keepalive_is_the_single_octet_ff()
    {
        byte[] buffer = new byte[8];
        Assert.Equal(1, EspInUdp.WriteNatKeepalive(buffer));
        Assert.Equal(0xFF, buffer[0]);
        Assert.Equal(UdpEncapsulatedKind.NatKeepalive, EspInUdp.Classify(buffer.AsSpan(0, 1)));
    }

    [Fact]
    public void Captured_esp_in_udp_payloads_classify_as_esp()
    {
        foreach (string tag in new[] { "aes128gcm16_prfsha256_x25519", "aes256_sha256_modp2048" })
        {
            foreach (CapturedFrame f in StrongSwanCapture.Load(tag).Frames)
            {
                Assert.Equal(UdpEncapsulatedKind.Esp, EspInUdp.Classify(f.Esp));
            }
        }
    }
}
