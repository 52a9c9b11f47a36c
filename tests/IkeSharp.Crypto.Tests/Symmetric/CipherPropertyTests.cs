using CsCheck;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>
/// Round trips with random keys, IVs, lengths and associated data for every cipher and ICV length;
/// for AEAD ciphers any flipped bit in ciphertext, tag or associated data makes Decrypt return
/// false; wrong lengths from a peer are false, never an exception.
/// </summary>
public class CipherPropertyTests
{
    private const int Iterations = 60;

    public static TheoryData<string> Ciphers
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (IEncryptionAlgorithm a in AlgorithmRegistry.Default.EncryptionAlgorithms)
            {
                data.Add(Name(a));
            }

            data.Add(Name(AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.Null, 0)!));
            return data;
        }
    }

    private static string Name(IEncryptionAlgorithm a) => $"{(ushort)a.Id}:{a.KeyBits}";

    private static IEncryptionAlgorithm Find(string name)
    {
        string[] parts = name.Split(':');
        return AlgorithmRegistry.Default.EspEncryption((EncryptionAlgorithm)ushort.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))!;
    }

    /// <summary>Key material, IV, plaintext (whole blocks), associated data, and a bit position to flip.</summary>
    private static Gen<(byte[] Key, byte[] Iv, byte[] Plaintext, byte[] Aad, int Flip)> Inputs(IEncryptionAlgorithm a) =>
        from key in Gen.Byte.Array[a.KeyMaterialLength]
        from iv in Gen.Byte.Array[a.IvLength]
        from blocks in Gen.Int[0, 600 / a.BlockSize]
        from plaintext in Gen.Byte.Array[blocks * a.BlockSize]
        from aad in Gen.Byte.Array[0, 40]
        from flip in Gen.Int[0, int.MaxValue]
        select (key, iv, plaintext, aad, flip);

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Decrypt_inverts_encrypt(string name)
    {
        IEncryptionAlgorithm a = Find(name);
        Inputs(a).Sample(input =>
        {
            using ICipherKey key = a.CreateKey(input.Key);
            byte[] ciphertext = new byte[input.Plaintext.Length];
            byte[] tag = new byte[a.IcvLength];
            key.Encrypt(input.Iv, input.Plaintext, ciphertext, tag, input.Aad);
            byte[] decrypted = new byte[ciphertext.Length];
            Assert.True(key.Decrypt(input.Iv, ciphertext, tag, decrypted, input.Aad));
            Assert.Equal(input.Plaintext, decrypted);

            // A second key from the same material decrypts too: nothing hides in per-key state.
            using ICipherKey other = a.CreateKey(input.Key);
            Assert.True(other.Decrypt(input.Iv, ciphertext, tag, decrypted, input.Aad));
            Assert.Equal(input.Plaintext, decrypted);
        }, iter: Iterations, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Decrypt_in_place_works(string name)
    {
        IEncryptionAlgorithm a = Find(name);
        Inputs(a).Sample(input =>
        {
            using ICipherKey key = a.CreateKey(input.Key);
            byte[] buffer = (byte[])input.Plaintext.Clone();
            byte[] tag = new byte[a.IcvLength];
            key.Encrypt(input.Iv, buffer, buffer, tag, input.Aad);
            Assert.True(key.Decrypt(input.Iv, buffer, tag, buffer, input.Aad));
            Assert.Equal(input.Plaintext, buffer);
        }, iter: 20, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void A_flipped_bit_in_ciphertext_tag_or_aad_fails_an_aead_cleanly(string name)
    {
        IEncryptionAlgorithm a = Find(name);
        if (!a.IsAead)
        {
            return;
        }

        Inputs(a).Sample(input =>
        {
            using ICipherKey key = a.CreateKey(input.Key);
            byte[] ciphertext = new byte[input.Plaintext.Length];
            byte[] tag = new byte[a.IcvLength];
            key.Encrypt(input.Iv, input.Plaintext, ciphertext, tag, input.Aad);
            byte[] output = new byte[ciphertext.Length];

            byte[] badTag = (byte[])tag.Clone();
            badTag[input.Flip % badTag.Length] ^= (byte)(1 << (input.Flip % 8));
            Assert.False(key.Decrypt(input.Iv, ciphertext, badTag, output, input.Aad));

            if (ciphertext.Length > 0)
            {
                byte[] badCiphertext = (byte[])ciphertext.Clone();
                badCiphertext[input.Flip % badCiphertext.Length] ^= (byte)(1 << (input.Flip % 8));
                Assert.False(key.Decrypt(input.Iv, badCiphertext, tag, output, input.Aad));
            }

            if (input.Aad.Length > 0)
            {
                byte[] badAad = (byte[])input.Aad.Clone();
                badAad[input.Flip % badAad.Length] ^= (byte)(1 << (input.Flip % 8));
                Assert.False(key.Decrypt(input.Iv, ciphertext, tag, output, badAad));
            }

            byte[] badIv = (byte[])input.Iv.Clone();
            badIv[input.Flip % badIv.Length] ^= 0x01;
            Assert.False(key.Decrypt(badIv, ciphertext, tag, output, input.Aad));

            // After all that the right message still decrypts.
            Assert.True(key.Decrypt(input.Iv, ciphertext, tag, output, input.Aad));
            Assert.Equal(input.Plaintext, output);
        }, iter: Iterations, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Wrong_lengths_from_a_peer_are_false_not_exceptions(string name)
    {
        IEncryptionAlgorithm a = Find(name);
        using ICipherKey key = a.CreateKey(new byte[a.KeyMaterialLength]);
        byte[] iv = new byte[a.IvLength];
        byte[] tag = new byte[a.IcvLength];
        byte[] ciphertext = new byte[4 * a.BlockSize * 4];

        Assert.False(key.Decrypt(new byte[a.IvLength + 1], ciphertext, tag, new byte[ciphertext.Length], []));
        Assert.False(key.Decrypt(iv, ciphertext, new byte[a.IcvLength + 1], new byte[ciphertext.Length], []));
        Assert.False(key.Decrypt(iv, ciphertext, tag, new byte[ciphertext.Length - 1], []));
        if (a.IcvLength > 0)
        {
            Assert.False(key.Decrypt(iv, ciphertext, tag.AsSpan(0, a.IcvLength - 1), new byte[ciphertext.Length], []));
        }

        if (a.BlockSize > 1)
        {
            Assert.False(key.Decrypt(iv, ciphertext.AsSpan(1), tag, new byte[ciphertext.Length - 1], []));
        }

        if (a.IvLength > 0)
        {
            Assert.False(key.Decrypt([], ciphertext, tag, new byte[ciphertext.Length], []));
        }
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Our_own_wrong_lengths_throw(string name)
    {
        IEncryptionAlgorithm a = Find(name);
        Assert.Throws<ArgumentException>(() => a.CreateKey(new byte[a.KeyMaterialLength + 1]));
        using ICipherKey key = a.CreateKey(new byte[a.KeyMaterialLength]);
        byte[] plaintext = new byte[a.BlockSize * 2];
        Assert.Throws<ArgumentException>(() => key.Encrypt(new byte[a.IvLength + 1], plaintext, new byte[plaintext.Length], new byte[a.IcvLength], []));
        Assert.Throws<ArgumentException>(() => key.Encrypt(new byte[a.IvLength], plaintext, new byte[plaintext.Length + 1], new byte[a.IcvLength], []));
        Assert.Throws<ArgumentException>(() => key.Encrypt(new byte[a.IvLength], plaintext, new byte[plaintext.Length], new byte[a.IcvLength + 1], []));
    }

    [Fact]
    public void Aes_gcm_on_a_1400_octet_packet_allocates_nothing()
    {
        IEncryptionAlgorithm gcm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesGcm16, 128)!;
        using ICipherKey key = gcm.CreateKey(new byte[gcm.KeyMaterialLength]);
        byte[] iv = new byte[8];
        byte[] aad = new byte[8];
        byte[] packet = new byte[1400];
        byte[] ciphertext = new byte[1400];
        byte[] tag = new byte[16];

        void Once()
        {
            key.Encrypt(iv, packet, ciphertext, tag, aad);
            Assert.True(key.Decrypt(iv, ciphertext, tag, packet, aad));
        }

        for (int i = 0; i < 10; i++)
        {
            Once(); // warm up: JIT, lazy native state
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Once();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Null_encryption_is_only_for_esp()
    {
        Assert.Null(AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.Null, 0));
        IEncryptionAlgorithm? esp = AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.Null, 0);
        Assert.NotNull(esp);
        Assert.False(esp.IsAead);
        Assert.Equal(0, esp.IvLength);
        Assert.DoesNotContain(AlgorithmRegistry.Default.EncryptionAlgorithms, a => a.Id == EncryptionAlgorithm.Null);
    }
}
