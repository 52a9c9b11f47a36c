using CsCheck;

namespace IkeSharp.Esp.Tests;

/// <summary>
/// A peer's bytes never throw and never get through unless authentic: every flipped byte fails,
/// every truncation fails, random and mutated packets fail, and none of them moves the window.
/// </summary>
public class EspTamperingTests
{
    public static TheoryData<string, bool> Suites
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (EspSuite s in EspSuite.Representative())
            {
                data.Add(s.ToString(), false);
                data.Add(s.ToString(), true);
            }

            return data;
        }
    }

    private static EspSuite Find(string name) => EspSuite.Representative().Single(s => s.ToString() == name);

    [Theory]
    [MemberData(nameof(Suites))]
    public void Every_flipped_byte_fails_and_leaves_the_window_alone(string name, bool esn)
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = Find(name).Pair(0x11223344, esn);
        using (outbound)
        using (inbound)
        {
            byte[] inner = EspSuite.RandomBytes(61, 5);
            byte[] packet = new byte[outbound.SealedLength(inner.Length)];
            outbound.Seal(inner, EspNextHeader.IPv4, packet);
            byte[] output = new byte[packet.Length];
            for (int i = 0; i < packet.Length; i++)
            {
                foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
                {
                    byte[] bad = (byte[])packet.Clone();
                    bad[i] ^= mask;
                    EspOpenStatus status = inbound.Open(bad, output).Status;
                    EspOpenStatus expected = i < 4 ? EspOpenStatus.WrongSpi : EspOpenStatus.AuthenticationFailed;
                    if (i is >= 4 and < 8 && status == EspOpenStatus.ReplayDetected)
                    {
                        continue; // a flipped sequence number can land on 0 or left of the window
                    }

                    Assert.Equal(expected, status);
                }
            }

            Assert.Equal(0UL, inbound.ReplayWindow.Highest);
            Assert.Equal(0, inbound.Packets);
            Assert.True(inbound.AuthenticationFailures > 0);
            EspOpenResult good = inbound.Open(packet, output);
            Assert.Equal(EspOpenStatus.Ok, good.Status);
            Assert.Equal(inner, output.AsSpan(0, good.Length).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Every_truncation_and_extension_fails_without_throwing(string name, bool esn)
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = Find(name).Pair(0x11223344, esn);
        using (outbound)
        using (inbound)
        {
            byte[] inner = EspSuite.RandomBytes(100, 6);
            byte[] packet = new byte[outbound.SealedLength(inner.Length) + 16];
            int n = outbound.Seal(inner, EspNextHeader.IPv6, packet);
            byte[] output = new byte[packet.Length];
            for (int length = 0; length < packet.Length; length++)
            {
                if (length == n)
                {
                    continue;
                }

                EspOpenStatus status = inbound.Open(packet.AsSpan(0, length), output).Status;
                Assert.NotEqual(EspOpenStatus.Ok, status);
                if (length < 4)
                {
                    Assert.Equal(EspOpenStatus.TooShort, status);
                }
            }

            // Dropping bytes from the front is no better.
            for (int skip = 1; skip < n; skip++)
            {
                Assert.NotEqual(EspOpenStatus.Ok, inbound.Open(packet.AsSpan(skip, n - skip), output).Status);
            }

            Assert.Equal(EspOpenStatus.Ok, inbound.Open(packet.AsSpan(0, n), output).Status);
        }
    }

    [Fact]
    public void Authentic_packets_with_bad_padding_are_refused_after_the_window_moves()
    {
        // Seal a plaintext whose trailer claims more padding than there is, with our own keys:
        // ENCR_NULL lets us edit the trailer and recompute the ICV the way a buggy peer would.
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        IIntegrityAlgorithm sha = r.Integrity(IntegrityAlgorithm.HmacSha2_256_128)!;
        byte[] key = EspSuite.RandomBytes(32, 1);
        using var inbound = new EspInboundSa(5, r.EspEncryption(EncryptionAlgorithm.Null, 0)!, [], sha, key, false);
        using IIntegrityKey icvKey = sha.CreateKey(key);

        byte[] Packet(uint seq, byte[] plaintext)
        {
            byte[] p = new byte[8 + plaintext.Length + 16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(p, 5);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), seq);
            plaintext.CopyTo(p, 8);
            icvKey.Compute(p.AsSpan(0, 8 + plaintext.Length), p.AsSpan(8 + plaintext.Length));
            return p;
        }

        byte[] output = new byte[64];
        Assert.Equal(EspOpenStatus.Ok, inbound.Open(Packet(1, [7, 7, 1, 2, 2, 4]), output).Status);
        Assert.Equal(EspOpenStatus.BadPadding, inbound.Open(Packet(2, [7, 7, 9, 9, 200, 4]), output).Status);  // Pad Length past the start
        Assert.Equal(EspOpenStatus.BadPadding, inbound.Open(Packet(3, [7, 7, 1, 3, 2, 4]), output).Status);    // not 1, 2
        Assert.Equal(3UL, inbound.ReplayWindow.Highest);
        Assert.Equal(1, inbound.Packets);
        Assert.Equal(EspOpenStatus.ReplayDetected, inbound.Open(Packet(3, [7, 7, 1, 2, 2, 4]), output).Status);
    }

    [Fact]
    public void Cbc_ciphertext_that_is_not_whole_blocks_is_malformed()
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = EspSuite.Aes256Sha256.Pair(1, false);
        using (outbound)
        using (inbound)
        {
            byte[] packet = new byte[outbound.SealedLength(10) + 1];
            int n = outbound.Seal(new byte[10], 4, packet);
            Assert.Equal(EspOpenStatus.Malformed, inbound.Open(packet.AsSpan(0, n + 1), new byte[100]).Status);
            Assert.Equal(EspOpenStatus.DestinationTooSmall, inbound.Open(packet.AsSpan(0, n), new byte[10]).Status);
            Assert.Equal(EspOpenStatus.Ok, inbound.Open(packet.AsSpan(0, n), new byte[inbound.MaxInnerLength(n)]).Status);
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Random_bytes_never_throw_or_open(string name, bool esn)
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = Find(name).Pair(0x11223344, esn);
        using (outbound)
        using (inbound)
        {
            Gen.Byte.Array[0, 300].Sample(bytes =>
            {
                // Half of them carry the right SPI so they get past the first check.
                if (bytes.Length >= 4 && bytes[0] % 2 == 0)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x11223344);
                }

                EspOpenResult r = inbound.Open(bytes, new byte[400]);
                Assert.NotEqual(EspOpenStatus.Ok, r.Status);
            }, iter: 2000, threads: 1);
            Assert.Equal(0UL, inbound.ReplayWindow.Highest);
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Mutated_packets_never_throw_and_open_only_when_unchanged(string name, bool esn)
    {
        (EspOutboundSa outbound, EspInboundSa inbound) = Find(name).Pair(0x11223344, esn);
        using (outbound)
        using (inbound)
        {
            var gen =
                from length in Gen.Int[0, 200]
                from seed in Gen.Int
                from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1000], Gen.Byte).Array[1, 4]
                select (length, seed, edits);
            gen.Sample(input =>
            {
                byte[] inner = EspSuite.RandomBytes(input.length, input.seed);
                byte[] packet = new byte[outbound.SealedLength(inner.Length)];
                outbound.Seal(inner, EspNextHeader.IPv4, packet);
                List<byte> bytes = [.. packet];
                foreach ((int kind, int at, byte value) in input.edits)
                {
                    int pos = bytes.Count == 0 ? 0 : at % bytes.Count;
                    switch (kind)
                    {
                        case 0 when bytes.Count > 0: bytes[pos] = value; break;
                        case 1 when bytes.Count > 0: bytes.RemoveAt(pos); break;
                        case 2: bytes.Insert(pos, value); break;
                        default: bytes.RemoveRange(pos, bytes.Count - pos); break;
                    }
                }

                byte[] mutated = [.. bytes];
                byte[] output = new byte[mutated.Length + 1];
                EspOpenResult r = inbound.Open(mutated, output);
                if (mutated.AsSpan().SequenceEqual(packet))
                {
                    Assert.Equal(EspOpenStatus.Ok, r.Status);
                }
                else
                {
                    Assert.NotEqual(EspOpenStatus.Ok, r.Status);
                }
            }, iter: 1500, threads: 1);
        }
    }
}
