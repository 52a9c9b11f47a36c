using System.Buffers.Binary;

namespace IkeSharp.Esp.Tests;

/// <summary>Seal then Open for every algorithm combination x ESN x tunnel/transport, over many inner lengths.</summary>
public class EspRoundTripTests
{
    private static readonly int[] Lengths = [0, 1, 2, 3, 13, 14, 15, 16, 17, 40, 84, 255, 256, 1400, 1500, 4000];

    public static TheoryData<string, bool, byte> Cases
    {
        get
        {
            var data = new TheoryData<string, bool, byte>();
            foreach (EspSuite suite in EspSuite.All())
            {
                foreach (bool esn in new[] { false, true })
                {
                    data.Add(suite.ToString(), esn, EspNextHeader.IPv4);   // tunnel mode, IPv4 inside
                    data.Add(suite.ToString(), esn, EspNextHeader.Tcp);    // transport mode, TCP segment
                }
            }

            return data;
        }
    }

    internal static EspSuite Find(string name) => EspSuite.All().Single(s => s.ToString() == name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sealing_in_place_gives_the_packet_Seal_gives_and_it_opens(string suiteName, bool esn, byte nextHeader)
    {
        // Two outbound SAs with the same keys and random stream: the one sealed in place (inner
        // packet written at PayloadOffset by the caller, as the data plane segments into it) must
        // make the same octets as the one that copies.
        EspSuite suite = Find(suiteName);
        (EspOutboundSa copying, EspInboundSa inbound) = suite.Pair(0xC0FFEE02, esn, seed: 7);
        (EspOutboundSa inPlace, EspInboundSa unused) = suite.Pair(0xC0FFEE02, esn, seed: 7);
        using (copying)
        using (inbound)
        using (inPlace)
        using (unused)
        {
            Assert.Equal(copying.PayloadOffset, inPlace.PayloadOffset);
            Assert.Equal(8 + suite.Encryption.IvLength, inPlace.PayloadOffset);
            for (int n = 0; n < Lengths.Length; n++)
            {
                int length = Lengths[n];
                byte[] inner = EspSuite.RandomBytes(length, n);
                byte[] expected = new byte[copying.SealedLength(length)];
                Assert.Equal(expected.Length, copying.Seal(inner, nextHeader, expected));

                // Old octets around and after the inner packet must not leak into the result.
                byte[] room = new byte[inPlace.SealedLength(length) + 5];
                room.AsSpan().Fill(0xA5);
                inner.CopyTo(room, inPlace.PayloadOffset);
                Assert.Equal(expected.Length, inPlace.SealInPlace(room, length, nextHeader));
                Assert.Equal(expected, room.AsSpan(0, expected.Length).ToArray());

                byte[] opened = new byte[inbound.MaxInnerLength(expected.Length)];
                EspOpenResult result = inbound.Open(room.AsSpan(0, expected.Length), opened);
                Assert.True(result.IsOk, result.Status.ToString());
                Assert.Equal(inner, opened.AsSpan(0, result.Length).ToArray());
            }

            Assert.Equal(copying.Packets, inPlace.Packets);
            Assert.Equal(copying.Bytes, inPlace.Bytes);
            byte[] tooSmall = new byte[inPlace.SealedLength(100) - 1];
            Assert.Throws<ArgumentException>(() => inPlace.SealInPlace(tooSmall, 100, nextHeader));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Open_returns_what_Seal_was_given(string suiteName, bool esn, byte nextHeader)
    {
        EspSuite suite = Find(suiteName);
        (EspOutboundSa outbound, EspInboundSa inbound) = suite.Pair(0xC0FFEE01, esn);
        using (outbound)
        using (inbound)
        {
            var ivs = new HashSet<string>();
            long innerBytes = 0;
            for (int n = 0; n < Lengths.Length; n++)
            {
                int length = Lengths[n];
                byte[] inner = EspSuite.RandomBytes(length, n);
                byte[] packet = new byte[outbound.SealedLength(length) + 7];
                int written = outbound.Seal(inner, nextHeader, packet);
                Assert.Equal(outbound.SealedLength(length), written);
                Assert.Equal(length + outbound.Overhead(length), written);
                Assert.Equal(0, written % 4); // RFC 4303 §2.4: the ICV is 4-octet aligned, and so the packet
                Assert.Equal(0xC0FFEE01u, BinaryPrimitives.ReadUInt32BigEndian(packet));
                Assert.Equal((uint)(n + 1), BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4)));
                Assert.True(outbound.MaxInnerLength(written) >= length);
                Assert.True(outbound.SealedLength(outbound.MaxInnerLength(written)) <= written);
                if (suite.Encryption.IvLength > 0)
                {
                    Assert.True(ivs.Add(Convert.ToHexString(packet, 8, suite.Encryption.IvLength)), "IV repeated");
                }

                byte[] opened = new byte[inbound.MaxInnerLength(written)];
                EspOpenResult result = inbound.Open(packet.AsSpan(0, written), opened);
                Assert.Equal(EspOpenStatus.Ok, result.Status);
                Assert.Equal(length, result.Length);
                Assert.Equal(nextHeader, result.NextHeader);
                Assert.Equal((ulong)(n + 1), result.SequenceNumber);
                Assert.Equal(inner, opened.AsSpan(0, length).ToArray());
                innerBytes += length;
            }

            Assert.Equal(Lengths.Length, outbound.Packets);
            Assert.Equal(Lengths.Length, inbound.Packets);
            Assert.Equal(innerBytes, outbound.Bytes);
            Assert.Equal(innerBytes, inbound.Bytes);
            Assert.Equal((ulong)Lengths.Length, outbound.LastSequenceNumber);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Esn_packets_across_the_2_32_boundary_open_and_the_high_half_is_authenticated(string suiteName, bool esn, byte nextHeader)
    {
        if (!esn || nextHeader != EspNextHeader.IPv4)
        {
            return;
        }

        EspSuite suite = Find(suiteName);
        (EspOutboundSa outbound, EspInboundSa inbound) = suite.Pair(7, esn: true);
        using (outbound)
        using (inbound)
        {
            outbound.SetLastSequenceNumber(0xFFFF_FFF0);
            inbound.ReplayWindow.Commit(0xFFFF_FFF0);
            byte[] inner = EspSuite.RandomBytes(100, 3);
            var sealedPackets = new List<byte[]>();
            for (int i = 0; i < 40; i++)
            {
                byte[] packet = new byte[outbound.SealedLength(inner.Length)];
                outbound.Seal(inner, EspNextHeader.IPv4, packet);
                sealedPackets.Add(packet);
            }

            // Deliver out of order around the wrap: later ones first, then the ones before 2^32.
            byte[] buffer = new byte[200];
            foreach (int i in Enumerable.Range(20, 20).Concat(Enumerable.Range(0, 20)))
            {
                EspOpenResult r = inbound.Open(sealedPackets[i], buffer);
                Assert.Equal(EspOpenStatus.Ok, r.Status);
                Assert.Equal(0xFFFF_FFF1UL + (ulong)i, r.SequenceNumber);
            }

            Assert.Equal(0x1_0000_0018UL, inbound.ReplayWindow.Highest);

            // A receiver that believes in a different high half (same keys) cannot authenticate them.
            (_, EspInboundSa fresh) = suite.Pair(7, esn: true);
            using (fresh)
            {
                Assert.Equal(EspOpenStatus.AuthenticationFailed, fresh.Open(sealedPackets[30], buffer).Status);
            }
        }
    }

    [Fact]
    public void A_32_bit_counter_stops_at_2_32_minus_1_and_asks_for_a_rekey()
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = EspSuite.Aes128Gcm16.Pair(9, esn: false);
        using (outbound)
        using (inbound)
        {
            outbound.SetLastSequenceNumber(uint.MaxValue - 1);
            byte[] packet = new byte[100];
            outbound.Seal([1, 2, 3], 4, packet);
            Assert.True(outbound.IsSequenceExhausted);
            Assert.Throws<InvalidOperationException>(() => outbound.Seal([1, 2, 3], 4, packet));
            Assert.Equal(uint.MaxValue, outbound.LastSequenceNumber);
        }
    }

    [Fact]
    public void Padding_is_1_2_3_and_aligns_to_the_cbc_block()
    {
        EspSuite suite = EspSuite.Aes256Sha256;
        (EspOutboundSa outbound, _) = suite.Pair(1, false);
        using (outbound)
        {
            // RFC 4303 §2.4: 16-octet blocks; 8 header + 16 IV + padded + 16 ICV.
            Assert.Equal(8 + 16 + 16 + 16, outbound.SealedLength(14));
            Assert.Equal(8 + 16 + 32 + 16, outbound.SealedLength(15));
            Assert.Equal(8 + 16 + 96 + 16, outbound.SealedLength(84));
            Assert.Equal(1400 - 8 - 16 - 16 - 2, outbound.MaxInnerLength(1400)); // 1360 octets of ciphertext, a whole number of blocks
            Assert.Equal(1358, outbound.MaxInnerLength(1415));         // 1375 octets would not be whole blocks
        }

        (EspOutboundSa gcm, _) = EspSuite.Aes128Gcm16.Pair(1, false);
        using (gcm)
        {
            // Block size 1: only 4-octet alignment.
            Assert.Equal(8 + 8 + 88 + 16, gcm.SealedLength(84));
            Assert.Equal(8 + 8 + 4 + 16, gcm.SealedLength(0));
            Assert.Equal(36, gcm.Overhead(84));
        }

        var nullSuite = new EspSuite(AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.Null, 0)!, AlgorithmRegistry.Default.Integrity(IntegrityAlgorithm.HmacSha1_96));
        (EspOutboundSa plain, _) = nullSuite.Pair(0x01020304, false);
        using (plain)
        {
            // ENCR_NULL shows the trailer in the clear: payload, 1 2 3 ..., Pad Length, Next Header.
            byte[] packet = new byte[plain.SealedLength(5)];
            plain.Seal([9, 9, 9, 9, 9], EspNextHeader.Udp, packet);
            Assert.Equal(new byte[] { 1, 2, 3, 4, 0, 0, 0, 1, 9, 9, 9, 9, 9, 1, 1, 17 }, packet.AsSpan(0, 16).ToArray());
            Assert.Equal(16 + 12, packet.Length);
        }
    }

    [Fact]
    public void Combinations_the_rfcs_forbid_are_refused()
    {
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        IEncryptionAlgorithm gcm = r.EspEncryption(EncryptionAlgorithm.AesGcm16, 128)!;
        IEncryptionAlgorithm cbc = r.EspEncryption(EncryptionAlgorithm.AesCbc, 128)!;
        IIntegrityAlgorithm sha = r.Integrity(IntegrityAlgorithm.HmacSha2_256_128)!;
        Assert.Throws<ArgumentException>(() => new EspInboundSa(1, gcm, new byte[20], sha, new byte[32], false));
        Assert.Throws<ArgumentException>(() => new EspOutboundSa(1, cbc, new byte[16], null, [], false, new SystemRandom()));
        Assert.Throws<ArgumentException>(() => new EspOutboundSa(1, cbc, new byte[15], sha, new byte[32], false, new SystemRandom()));
    }

    [Fact]
    public void Seal_into_a_short_buffer_throws_and_uses_no_sequence_number()
    {
        (EspOutboundSa outbound, _) = EspSuite.Aes128Gcm16.Pair(1, false);
        using (outbound)
        {
            Assert.Throws<ArgumentException>(() => outbound.Seal(new byte[100], 4, new byte[100]));
            Assert.Equal(0UL, outbound.LastSequenceNumber);
        }
    }

    [Fact]
    public void Disposed_sas_refuse_to_work()
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = EspSuite.Aes128Gcm16.Pair(1, false);
        byte[] packet = new byte[100];
        int n = outbound.Seal([1], 4, packet);
        outbound.Dispose();
        inbound.Dispose();
        Assert.Throws<ObjectDisposedException>(() => outbound.Seal([1], 4, packet));
        Assert.Equal(EspOpenStatus.SaClosed, inbound.Open(packet.AsSpan(0, n), new byte[100]).Status);
    }

    [Fact]
    public void Dummy_packets_are_authentic_and_marked()
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = EspSuite.Aes128Gcm16.Pair(1, false);
        using (outbound)
        using (inbound)
        {
            byte[] packet = new byte[100];
            int n = outbound.Seal([], EspNextHeader.NoNextHeader, packet);
            EspOpenResult r = inbound.Open(packet.AsSpan(0, n), new byte[100]);
            Assert.True(r.IsDummy);
            Assert.Equal(0, r.Length);
        }
    }
}
