using System.Buffers.Binary;

namespace IkeSharp.Esp.Tests;

/// <summary>
/// Known answers from real traffic: strongSwan 5.9.8 (Linux kernel ESP) pinging 10.1.0.1 -> 10.2.0.1
/// through a tunnel-mode Child SA, aes128gcm16 and aes256-sha256 (HMAC-SHA-256-128), ESP in UDP.
/// Every packet decrypts to the ICMP echo it carried, and sealing that ICMP packet again with the
/// kernel's IVs gives the captured octets exactly.
/// </summary>
public class StrongSwanCaptureTests
{
    public static TheoryData<string> Tags => new() { "aes128gcm16_prfsha256_x25519", "aes256_sha256_modp2048" };

    /// <summary>The ping process's ICMP identifier in each capture, as tshark shows it in decoded-*.txt.</summary>
    private static readonly Dictionary<string, int> EchoIdentifier = new()
    {
        ["aes128gcm16_prfsha256_x25519"] = 0x3eef,
        ["aes256_sha256_modp2048"] = 0x4039,
    };

    [Theory]
    [MemberData(nameof(Tags))]
    public void Captured_packets_decrypt_to_the_icmp_echoes(string tag)
    {
        StrongSwanCapture capture = StrongSwanCapture.Load(tag);
        Assert.Equal(2, capture.Sas.Count);
        Assert.Equal(10, capture.Frames.Count);
        foreach (CapturedSa sa in capture.Sas)
        {
            using var inbound = new EspInboundSa(sa.Spi, sa.Encryption, sa.EncryptionKey, sa.Integrity, sa.IntegrityKey, extendedSequenceNumbers: false);
            bool request = sa.Source == "10.99.0.1";
            CapturedFrame[] frames = capture.Frames.Where(f => f.OuterSource == sa.Source).ToArray();
            Assert.Equal(5, frames.Length);
            for (int i = 0; i < frames.Length; i++)
            {
                byte[] inner = new byte[inbound.MaxInnerLength(frames[i].Esp.Length)];
                EspOpenResult result = inbound.Open(frames[i].Esp, inner);
                Assert.Equal(EspOpenStatus.Ok, result.Status);
                Assert.Equal(EspNextHeader.IPv4, result.NextHeader);
                Assert.Equal(sa.Spi, result.Spi);
                Assert.Equal((ulong)(i + 1), result.SequenceNumber);
                AssertIcmpEcho(inner.AsSpan(0, result.Length), request, EchoIdentifier[tag], sequence: i + 1);
            }

            Assert.Equal(5, inbound.Packets);
            Assert.Equal(5 * 84, inbound.Bytes);

            // Replaying any of them now is detected.
            Assert.Equal(EspOpenStatus.ReplayDetected, inbound.Open(frames[2].Esp, new byte[200]).Status);
        }
    }

    [Theory]
    [MemberData(nameof(Tags))]
    public void Sealing_the_echoes_with_the_kernels_ivs_reproduces_the_captured_bytes(string tag)
    {
        StrongSwanCapture capture = StrongSwanCapture.Load(tag);
        foreach (CapturedSa sa in capture.Sas)
        {
            CapturedFrame[] frames = capture.Frames.Where(f => f.OuterSource == sa.Source).ToArray();
            int ivLength = sa.Encryption.IvLength;
            byte[][] ivs = frames.Select(f => f.Esp.AsSpan(8, ivLength).ToArray()).ToArray();
            IRandomSource random;
            if (sa.Encryption.IsAead)
            {
                // The kernel's seqiv: IV = sequence number XOR a per-SA salt, as EspOutboundSa does.
                byte[] mask = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(mask, BinaryPrimitives.ReadUInt64BigEndian(ivs[0]) ^ 1);
                random = new ReplayingRandom(mask);
            }
            else
            {
                random = new ReplayingRandom(ivs);
            }

            using var inbound = new EspInboundSa(sa.Spi, sa.Encryption, sa.EncryptionKey, sa.Integrity, sa.IntegrityKey, false);
            using var outbound = new EspOutboundSa(sa.Spi, sa.Encryption, sa.EncryptionKey, sa.Integrity, sa.IntegrityKey, false, random);
            foreach (CapturedFrame frame in frames)
            {
                byte[] inner = new byte[frame.Esp.Length];
                EspOpenResult opened = inbound.Open(frame.Esp, inner);
                Assert.True(opened.IsOk);
                byte[] sealedPacket = new byte[outbound.SealedLength(opened.Length)];
                int written = outbound.Seal(inner.AsSpan(0, opened.Length), opened.NextHeader, sealedPacket);
                Assert.Equal(frame.Esp.Length, written);
                Assert.Equal(Convert.ToHexString(frame.Esp), Convert.ToHexString(sealedPacket));
            }
        }
    }

    private static void AssertIcmpEcho(ReadOnlySpan<byte> ip, bool request, int identifier, int sequence)
    {
        Assert.Equal(84, ip.Length);                    // 20 IPv4 + 8 ICMP + 56 data (ping's default)
        Assert.Equal(0x45, ip[0]);                      // IPv4, 20-octet header
        Assert.Equal(ip.Length, BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(2)));
        Assert.Equal(1, ip[9]);                         // ICMP
        Assert.Equal(0, InternetChecksum(ip.Slice(0, 20)));
        byte[] from = request ? [10, 1, 0, 1] : [10, 2, 0, 1];
        byte[] to = request ? [10, 2, 0, 1] : [10, 1, 0, 1];
        Assert.Equal(from, ip.Slice(12, 4).ToArray());
        Assert.Equal(to, ip.Slice(16, 4).ToArray());
        ReadOnlySpan<byte> icmp = ip.Slice(20);
        Assert.Equal(request ? 8 : 0, icmp[0]);         // echo request / reply
        Assert.Equal(0, InternetChecksum(icmp));
        Assert.Equal(identifier, BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(4)));
        Assert.Equal(sequence, BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(6)));
    }

    /// <summary>RFC 1071: 0 over a block that includes its own correct checksum.</summary>
    private static int InternetChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i));
        }

        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8;
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)(~sum & 0xFFFF);
    }
}
