using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>
/// One key object used for many packets in a row, of many lengths (up to several times the
/// keys' 2 KiB scratch buffer), gives what an independent implementation gives for each packet
/// alone: the BCL's one-shot AES-CBC/ECB and AES-CCM, BouncyCastle's GCM and CMAC, and a fresh key
/// object per packet. The known-answer tests use each key once; this catches state that leaks
/// from one packet into the next (the CBC chaining, the scratch buffer).
/// </summary>
public class KeyReuseConsistencyTests
{
    private const int Packets = 40;

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    public void Aes_cbc_matches_the_bcl_one_shot_packet_after_packet(int bits)
    {
        var rng = new Random(bits);
        byte[] key = Bytes(rng, bits / 8);
        using ICipherKey ours = new Crypto.Symmetric.Encryption.AesCbcCipher(bits).CreateKey(key);
        using Aes reference = Aes.Create();
        reference.Key = key;
        foreach ((byte[] iv, byte[] plaintext) in Messages(rng, 16, 16))
        {
            byte[] ciphertext = new byte[plaintext.Length];
            ours.Encrypt(iv, plaintext, ciphertext, [], []);
            Assert.Equal(reference.EncryptCbc(plaintext, iv, PaddingMode.None), ciphertext);

            // In place, as ESP may decrypt.
            Assert.True(ours.Decrypt(iv, ciphertext, [], ciphertext, []));
            Assert.Equal(plaintext, ciphertext);
        }
    }

    [Fact]
    public void Aes_ctr_matches_a_counter_block_reference_packet_after_packet()
    {
        var rng = new Random(3686);
        byte[] material = Bytes(rng, 20);
        using ICipherKey ours = new Crypto.Symmetric.Encryption.AesCtrCipher(128).CreateKey(material);
        using Aes reference = Aes.Create();
        reference.Key = material[..16];
        foreach ((byte[] iv, byte[] plaintext) in Messages(rng, 8, 1))
        {
            // RFC 3686 §4: nonce | IV | counter from 1, big-endian.
            int blocks = (plaintext.Length + 15) / 16;
            byte[] counters = new byte[blocks * 16];
            for (int b = 0; b < blocks; b++)
            {
                material.AsSpan(16, 4).CopyTo(counters.AsSpan(b * 16));
                iv.CopyTo(counters.AsSpan((b * 16) + 4));
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(counters.AsSpan((b * 16) + 12), (uint)(b + 1));
            }

            byte[] keystream = reference.EncryptEcb(counters, PaddingMode.None);
            byte[] expected = plaintext.Select((p, i) => (byte)(p ^ keystream[i])).ToArray();
            byte[] ciphertext = new byte[plaintext.Length];
            ours.Encrypt(iv, plaintext, ciphertext, [], []);
            Assert.Equal(expected, ciphertext);
            Assert.True(ours.Decrypt(iv, ciphertext, [], ciphertext, []));
            Assert.Equal(plaintext, ciphertext);
        }
    }

    [Theory]
    [InlineData(128, 8)]
    [InlineData(192, 12)]
    [InlineData(256, 16)]
    public void Aes_ccm_matches_the_bcl_packet_after_packet(int bits, int icv)
    {
        var rng = new Random(bits + icv);
        byte[] material = Bytes(rng, (bits / 8) + 3);
        using ICipherKey ours = new Crypto.Symmetric.Encryption.AesCcmCipher(bits, icv).CreateKey(material);
        using var reference = new AesCcm(material[..(bits / 8)]);
        int n = 0;
        foreach ((byte[] iv, byte[] plaintext) in Messages(rng, 8, 1))
        {
            // Associated data of every encoding length class, up to past the 2^16 - 2^8 switch (RFC 3610 §2.2).
            byte[] aad = Bytes(rng, (n++ % 4) switch { 0 => 0, 1 => 8, 2 => rng.Next(15, 100), _ => 0xFF00 + rng.Next(0, 40) });
            byte[] nonce = [.. material[^3..], .. iv];
            byte[] expected = new byte[plaintext.Length];
            byte[] expectedTag = new byte[icv];
            reference.Encrypt(nonce, plaintext, expected, expectedTag, aad);

            byte[] ciphertext = new byte[plaintext.Length];
            byte[] tag = new byte[icv];
            ours.Encrypt(iv, plaintext, ciphertext, tag, aad);
            Assert.Equal(expected, ciphertext);
            Assert.Equal(expectedTag, tag);
            Assert.True(ours.Decrypt(iv, ciphertext, tag, ciphertext, aad));
            Assert.Equal(plaintext, ciphertext);
        }
    }

    [Fact]
    public void Aes_gcm_with_an_8_octet_icv_matches_bouncycastle_packet_after_packet()
    {
        var rng = new Random(4106);
        byte[] material = Bytes(rng, 36);
        using ICipherKey ours = new Crypto.Symmetric.Encryption.AesGcmCipher(256, 8).CreateKey(material);
        foreach ((byte[] iv, byte[] plaintext) in Messages(rng, 8, 1))
        {
            byte[] aad = Bytes(rng, rng.Next(0, 40));
            byte[] nonce = [.. material[^4..], .. iv];
            var reference = new GcmBlockCipher(new AesEngine());
            reference.Init(true, new AeadParameters(new KeyParameter(material[..32]), 64, nonce, aad));
            byte[] expected = new byte[plaintext.Length + 8];
            int written = reference.ProcessBytes(plaintext, 0, plaintext.Length, expected, 0);
            reference.DoFinal(expected, written);

            byte[] sealedPacket = new byte[plaintext.Length];
            byte[] tag = new byte[8];
            ours.Encrypt(iv, plaintext, sealedPacket, tag, aad);
            Assert.Equal(expected, sealedPacket.Concat(tag).ToArray());
            byte[] opened = new byte[plaintext.Length];
            Assert.True(ours.Decrypt(iv, sealedPacket, tag, opened, aad));
            Assert.Equal(plaintext, opened);

            tag[rng.Next(8)] ^= (byte)(1 << rng.Next(8));
            Assert.False(ours.Decrypt(iv, sealedPacket, tag, opened, aad));
            Assert.All(opened, b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void Aes_cmac_icv_matches_bouncycastle_and_xcbc_matches_a_fresh_key_packet_after_packet()
    {
        var rng = new Random(4494);
        byte[] key = Bytes(rng, 16);
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        using IIntegrityKey cmac = r.Integrity(IntegrityAlgorithm.AesCmac96)!.CreateKey(key);
        using IIntegrityKey xcbc = r.Integrity(IntegrityAlgorithm.AesXcbc96)!.CreateKey(key);
        foreach ((_, byte[] message) in Messages(rng, 0, 1))
        {
            var reference = new CMac(new AesEngine());
            reference.Init(new KeyParameter(key));
            reference.BlockUpdate(message, 0, message.Length);
            byte[] full = new byte[16];
            reference.DoFinal(full, 0);
            byte[] icv = new byte[12];
            cmac.Compute(message, icv);
            Assert.Equal(full[..12], icv);

            using IIntegrityKey fresh = r.Integrity(IntegrityAlgorithm.AesXcbc96)!.CreateKey(key);
            byte[] expected = new byte[12];
            fresh.Compute(message, expected);
            xcbc.Compute(message, icv);
            Assert.Equal(expected, icv);
        }
    }

    /// <summary>Random IVs and lengths from 0 to 6,000 octets in multiples of <paramref name="unit"/>, with the chunk edges (2 KiB) among them.</summary>
    private static IEnumerable<(byte[] Iv, byte[] Message)> Messages(Random rng, int ivLength, int unit)
    {
        int[] edges = [0, unit, 2048 - unit, 2048, 2048 + unit, 4096];
        for (int i = 0; i < Packets; i++)
        {
            int length = i < edges.Length ? edges[i] : rng.Next(0, 6000) / unit * unit;
            yield return (Bytes(rng, ivLength), Bytes(rng, length));
        }
    }

    private static byte[] Bytes(Random rng, int length)
    {
        byte[] b = new byte[length];
        rng.NextBytes(b);
        return b;
    }
}
