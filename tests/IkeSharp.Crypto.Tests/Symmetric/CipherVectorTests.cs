using System.Security.Cryptography;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>Every cipher against published vectors, through the registry, in the IPsec key-material layout.</summary>
public class CipherVectorTests
{
    public static TheoryData<string> Cbc => VectorFile.Names("Rfc3602AesCbc.txt");

    public static TheoryData<string> Ctr => VectorFile.Names("Rfc3686AesCtr.txt");

    public static TheoryData<string> Gcm => VectorFile.Names("GcmSpecAesGcm.txt");

    public static TheoryData<string> Ccm => VectorFile.Names("Rfc4309AesCcm.txt");

    public static TheoryData<string> ChaCha => VectorFile.Names("Rfc7634ChaCha20Poly1305.txt");

    /// <summary>Encrypts and decrypts one vector; for AEAD also checks that a wrong tag fails.</summary>
    private static void Check(IEncryptionAlgorithm algorithm, byte[] keyMaterial, byte[] iv, byte[] aad, byte[] plaintext, byte[] ciphertext, byte[] tag)
    {
        Assert.Equal(algorithm.KeyMaterialLength, keyMaterial.Length);
        using ICipherKey key = algorithm.CreateKey(keyMaterial);
        byte[] actual = new byte[plaintext.Length];
        byte[] actualTag = new byte[algorithm.IcvLength];
        key.Encrypt(iv, plaintext, actual, actualTag, aad);
        Assert.Equal(Convert.ToHexStringLower(ciphertext), Convert.ToHexStringLower(actual));
        Assert.Equal(Convert.ToHexStringLower(tag), Convert.ToHexStringLower(actualTag));

        byte[] decrypted = new byte[ciphertext.Length];
        Assert.True(key.Decrypt(iv, ciphertext, tag, decrypted, aad));
        Assert.Equal(plaintext, decrypted);

        if (algorithm.IsAead)
        {
            byte[] badTag = (byte[])tag.Clone();
            badTag[^1] ^= 0x01;
            Assert.False(key.Decrypt(iv, ciphertext, badTag, decrypted, aad));
        }
    }

    [Theory]
    [MemberData(nameof(Cbc))]
    public void Aes_cbc_matches_rfc_3602_and_sp_800_38a(string name)
    {
        VectorCase v = VectorFile.Load("Rfc3602AesCbc.txt")[name];
        byte[] key = v.Bytes("key");
        IEncryptionAlgorithm algorithm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesCbc, key.Length * 8)!;
        Check(algorithm, key, v.Bytes("iv"), [], v.Bytes("plaintext"), v.Bytes("ciphertext"), []);
    }

    [Theory]
    [MemberData(nameof(Ctr))]
    public void Aes_ctr_matches_rfc_3686(string name)
    {
        VectorCase v = VectorFile.Load("Rfc3686AesCtr.txt")[name];
        IEncryptionAlgorithm algorithm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesCtr, v.Int("keybits"))!;
        Check(algorithm, [.. v.Bytes("key"), .. v.Bytes("nonce")], v.Bytes("iv"), [], v.Bytes("plaintext"), v.Bytes("ciphertext"), []);
    }

    [Theory]
    [MemberData(nameof(Gcm))]
    public void Aes_gcm_matches_the_gcm_specification_for_every_icv_length(string name)
    {
        VectorCase v = VectorFile.Load("GcmSpecAesGcm.txt")[name];
        byte[] fullTag = v.Bytes("tag");
        foreach ((EncryptionAlgorithm id, int icv) in new[] { (EncryptionAlgorithm.AesGcm8, 8), (EncryptionAlgorithm.AesGcm12, 12), (EncryptionAlgorithm.AesGcm16, 16) })
        {
            IEncryptionAlgorithm algorithm = AlgorithmRegistry.Default.Encryption(id, v.Int("keybits"))!;
            Assert.Equal(icv, algorithm.IcvLength);
            Check(algorithm, [.. v.Bytes("key"), .. v.Bytes("salt")], v.Bytes("iv"), v.Bytes("aad"), v.Bytes("plaintext"), v.Bytes("ciphertext"), fullTag[..icv]);
        }
    }

    [Theory]
    [MemberData(nameof(Ccm))]
    public void Aes_ccm_matches_11_octet_nonce_vectors_in_the_rfc_4309_layout(string name)
    {
        VectorCase v = VectorFile.Load("Rfc4309AesCcm.txt")[name];
        EncryptionAlgorithm id = v.Int("icv") switch
        {
            8 => EncryptionAlgorithm.AesCcm8,
            12 => EncryptionAlgorithm.AesCcm12,
            _ => EncryptionAlgorithm.AesCcm16,
        };
        IEncryptionAlgorithm algorithm = AlgorithmRegistry.Default.Encryption(id, v.Int("keybits"))!;
        Check(algorithm, [.. v.Bytes("key"), .. v.Bytes("salt")], v.Bytes("iv"), v.Bytes("aad"), v.Bytes("plaintext"), v.Bytes("ciphertext"), v.Bytes("tag"));
    }

    [Fact]
    public void Ccm_primitive_matches_rfc_3610_packet_vector_1()
    {
        VectorCase v = VectorFile.Load("Rfc3610Ccm.txt").Cases.Single();
        using var ccm = new AesCcm(v.Bytes("key"));
        byte[] plaintext = v.Bytes("plaintext");
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[8];
        ccm.Encrypt(v.Bytes("nonce"), plaintext, ciphertext, tag, v.Bytes("aad"));
        Assert.Equal(v.Text("ciphertext"), Convert.ToHexStringLower(ciphertext));
        Assert.Equal(v.Text("tag"), Convert.ToHexStringLower(tag));
    }

    [Theory]
    [MemberData(nameof(ChaCha))]
    public void ChaCha20_poly1305_matches_rfc_7634_and_rfc_7539(string name)
    {
        VectorCase v = VectorFile.Load("Rfc7634ChaCha20Poly1305.txt")[name];
        IEncryptionAlgorithm algorithm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.Chacha20Poly1305, 0)!;
        Check(algorithm, [.. v.Bytes("key"), .. v.Bytes("salt")], v.Bytes("iv"), v.Bytes("aad"), v.Bytes("plaintext"), v.Bytes("ciphertext"), v.Bytes("tag"));
    }

    [Fact]
    public void Vector_files_hold_every_case_they_promise()
    {
        Assert.Equal(7, VectorFile.Load("Rfc2202HmacSha1.txt").Cases.Count);
        Assert.Equal(21, VectorFile.Load("Rfc4231HmacSha2.txt").Cases.Count);
        Assert.Equal(10, VectorFile.Load("Rfc4868HmacSha2Icv.txt").Cases.Count);
        Assert.Equal(7, VectorFile.Load("Rfc3566AesXcbcMac96.txt").Cases.Count);
        Assert.Equal(3, VectorFile.Load("Rfc4434AesXcbcPrf128.txt").Cases.Count);
        Assert.Equal(4, VectorFile.Load("Rfc4493AesCmac.txt").Cases.Count);
        Assert.Equal(3, VectorFile.Load("Rfc4615AesCmacPrf128.txt").Cases.Count);
        Assert.Equal(7, VectorFile.Load("Rfc3602AesCbc.txt").Cases.Count);
        Assert.Equal(9, VectorFile.Load("Rfc3686AesCtr.txt").Cases.Count);
        Assert.Equal(8, VectorFile.Load("GcmSpecAesGcm.txt").Cases.Count);
        Assert.Equal(11, VectorFile.Load("Rfc4309AesCcm.txt").Cases.Count);
        Assert.Equal(3, VectorFile.Load("Rfc7634ChaCha20Poly1305.txt").Cases.Count);
    }
}
