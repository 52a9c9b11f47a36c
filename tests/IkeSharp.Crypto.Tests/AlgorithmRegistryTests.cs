using IkeSharp.Crypto.Proposals;

namespace IkeSharp.Crypto.Tests;

public class AlgorithmRegistryTests
{
    private static readonly AlgorithmRegistry Registry = AlgorithmRegistry.Default;

    [Theory]
    [InlineData(EncryptionAlgorithm.AesCbc, 128, 16, 16, 16, false, 0)]
    [InlineData(EncryptionAlgorithm.AesCbc, 256, 32, 16, 16, false, 0)]
    [InlineData(EncryptionAlgorithm.AesCtr, 192, 28, 8, 1, false, 0)]
    [InlineData(EncryptionAlgorithm.AesGcm8, 128, 20, 8, 1, true, 8)]
    [InlineData(EncryptionAlgorithm.AesGcm12, 192, 28, 8, 1, true, 12)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 256, 36, 8, 1, true, 16)]
    [InlineData(EncryptionAlgorithm.AesCcm8, 128, 19, 8, 1, true, 8)]
    [InlineData(EncryptionAlgorithm.AesCcm12, 192, 27, 8, 1, true, 12)]
    [InlineData(EncryptionAlgorithm.AesCcm16, 256, 35, 8, 1, true, 16)]
    [InlineData(EncryptionAlgorithm.Chacha20Poly1305, 0, 36, 8, 1, true, 16)]
    public void Encryption_sizes_follow_the_rfcs(EncryptionAlgorithm id, int bits, int keyMaterial, int iv, int block, bool aead, int icv)
    {
        IEncryptionAlgorithm a = Registry.Encryption(id, bits)!;
        Assert.Equal(id, a.Id);
        Assert.Equal(bits, a.KeyBits);
        Assert.Equal(keyMaterial, a.KeyMaterialLength);
        Assert.Equal(iv, a.IvLength);
        Assert.Equal(block, a.BlockSize);
        Assert.Equal(aead, a.IsAead);
        Assert.Equal(icv, a.IcvLength);
    }

    [Fact]
    public void Every_aes_mode_comes_in_three_key_sizes_and_nothing_else()
    {
        EncryptionAlgorithm[] aes =
        [
            EncryptionAlgorithm.AesCbc, EncryptionAlgorithm.AesCtr, EncryptionAlgorithm.AesGcm8, EncryptionAlgorithm.AesGcm12,
            EncryptionAlgorithm.AesGcm16, EncryptionAlgorithm.AesCcm8, EncryptionAlgorithm.AesCcm12, EncryptionAlgorithm.AesCcm16,
        ];
        foreach (EncryptionAlgorithm id in aes)
        {
            foreach (int bits in new[] { 128, 192, 256 })
            {
                Assert.NotNull(Registry.Encryption(id, bits));
            }

            Assert.Null(Registry.Encryption(id, 0));
            Assert.Null(Registry.Encryption(id, 512));
        }

        Assert.Equal(25, Registry.EncryptionAlgorithms.Count);
        Assert.Null(Registry.Encryption(EncryptionAlgorithm.Chacha20Poly1305, 256));
        Assert.Null(Registry.Encryption(EncryptionAlgorithm.TripleDes, 0));
        Assert.Null(Registry.Encryption((EncryptionAlgorithm)999, 128));
    }

    [Theory]
    [InlineData(PseudorandomFunction.HmacSha1, 20, 20)]
    [InlineData(PseudorandomFunction.HmacSha2_256, 32, 32)]
    [InlineData(PseudorandomFunction.HmacSha2_384, 48, 48)]
    [InlineData(PseudorandomFunction.HmacSha2_512, 64, 64)]
    [InlineData(PseudorandomFunction.Aes128Xcbc, 16, 16)]
    [InlineData(PseudorandomFunction.Aes128Cmac, 16, 16)]
    public void Prf_sizes_follow_the_rfcs(PseudorandomFunction id, int output, int keyLength)
    {
        IPrf prf = Registry.Prf(id)!;
        Assert.Equal(id, prf.Id);
        Assert.Equal(output, prf.OutputLength);
        Assert.Equal(keyLength, prf.KeyLength);
    }

    [Theory]
    [InlineData(IntegrityAlgorithm.HmacSha1_96, 20, 12)]
    [InlineData(IntegrityAlgorithm.AesXcbc96, 16, 12)]
    [InlineData(IntegrityAlgorithm.AesCmac96, 16, 12)]
    [InlineData(IntegrityAlgorithm.HmacSha2_256_128, 32, 16)]
    [InlineData(IntegrityAlgorithm.HmacSha2_384_192, 48, 24)]
    [InlineData(IntegrityAlgorithm.HmacSha2_512_256, 64, 32)]
    public void Integrity_sizes_follow_the_rfcs(IntegrityAlgorithm id, int keyLength, int icv)
    {
        IIntegrityAlgorithm a = Registry.Integrity(id)!;
        Assert.Equal(id, a.Id);
        Assert.Equal(keyLength, a.KeyLength);
        Assert.Equal(icv, a.IcvLength);
    }

    [Fact]
    public void Unimplemented_ids_are_null()
    {
        Assert.Null(Registry.Prf(PseudorandomFunction.HmacMd5));
        Assert.Null(Registry.Integrity(IntegrityAlgorithm.HmacMd5_96));
        Assert.Null(Registry.Integrity(IntegrityAlgorithm.None));
    }

    [Fact]
    public void The_registry_is_the_engines_algorithm_provider()
    {
        IAlgorithmProvider provider = Registry;
        Assert.Same(Registry.Encryption(EncryptionAlgorithm.AesGcm16, 256), provider.Encryption(EncryptionAlgorithm.AesGcm16, 256));
        Assert.Same(Registry.Prf(PseudorandomFunction.HmacSha2_256), provider.Prf(PseudorandomFunction.HmacSha2_256));
        Assert.Null(provider.Encryption(EncryptionAlgorithm.Null, 0));
    }

    [Fact]
    public void Unsupported_names_what_a_proposal_asks_for_that_ikesharp_lacks()
    {
        var proposal = ProposalParser.Parse("3des-aes128-sha1-md5_128-modp2048", SecurityProtocol.Ike, allowWeak: true).Proposal!;
        IReadOnlyList<string> problems = Registry.Unsupported(proposal);
        Assert.Contains("3des (ENCR_3DES) is not implemented by IkeSharp for IKE", problems);
        Assert.Contains("md5_128 (AUTH_HMAC_MD5_128) is not implemented by IkeSharp for IKE", problems);
        Assert.Contains("prfmd5 (PRF_HMAC_MD5) is not implemented by IkeSharp for IKE", problems);
        Assert.DoesNotContain(problems, p => p.StartsWith("aes128 ", StringComparison.Ordinal) || p.StartsWith("sha1 ", StringComparison.Ordinal) || p.StartsWith("prfsha1 ", StringComparison.Ordinal));

        var esp = ProposalParser.Parse("null-sha256-esn", SecurityProtocol.Esp).Proposal!;
        Assert.Empty(Registry.Unsupported(esp));
    }
}
