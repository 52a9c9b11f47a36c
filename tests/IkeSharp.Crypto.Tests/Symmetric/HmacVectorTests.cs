using IkeSharp.Crypto.Symmetric.Integrity;
using IkeSharp.Crypto.Symmetric.Prf;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>HMAC PRFs and truncated HMAC ICVs against RFC 2202, RFC 4231 and RFC 4868.</summary>
public class HmacVectorTests
{
    public static TheoryData<string> Rfc2202 => VectorFile.Names("Rfc2202HmacSha1.txt");

    public static TheoryData<string> Rfc4231 => VectorFile.Names("Rfc4231HmacSha2.txt");

    public static TheoryData<string> Rfc4868 => VectorFile.Names("Rfc4868HmacSha2Icv.txt");

    private static PseudorandomFunction PrfOf(string hash) => hash switch
    {
        "sha1" => PseudorandomFunction.HmacSha1,
        "sha256" => PseudorandomFunction.HmacSha2_256,
        "sha384" => PseudorandomFunction.HmacSha2_384,
        "sha512" => PseudorandomFunction.HmacSha2_512,
        _ => throw new ArgumentException(hash),
    };

    private static void CheckPrf(VectorCase v)
    {
        IPrf prf = AlgorithmRegistry.Default.Prf(PrfOf(v.Text("prf")))!;
        byte[] output = new byte[prf.OutputLength];
        prf.Compute(v.Bytes("key"), v.Bytes("data"), output);
        byte[] expected = v.Bytes("output");
        int length = v.Has("truncate") ? v.Int("truncate") : output.Length;
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(output.AsSpan(0, length)));
    }

    [Theory]
    [MemberData(nameof(Rfc2202))]
    public void Hmac_sha1_prf_matches_rfc_2202(string name) => CheckPrf(VectorFile.Load("Rfc2202HmacSha1.txt")[name]);

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void Hmac_sha2_prf_matches_rfc_4231(string name) => CheckPrf(VectorFile.Load("Rfc4231HmacSha2.txt")[name]);

    [Fact]
    public void Hmac_sha1_96_matches_rfc_2202_digest_96()
    {
        VectorCase v = VectorFile.Load("Rfc2202HmacSha1.txt").Cases.Single(c => c.Has("digest96"));
        byte[] key = v.Bytes("key");
        using IIntegrityKey integrity = new HmacIntegrity(IntegrityAlgorithm.HmacSha1_96).CreateKey(key);
        byte[] icv = new byte[12];
        integrity.Compute(v.Bytes("data"), icv);
        Assert.Equal(v.Bytes("digest96"), icv);
        Assert.True(integrity.Verify(v.Bytes("data"), icv));
    }

    [Theory]
    [MemberData(nameof(Rfc4868))]
    public void Hmac_sha2_icv_matches_rfc_4868(string name)
    {
        VectorCase v = VectorFile.Load("Rfc4868HmacSha2Icv.txt")[name];
        IntegrityAlgorithm id = v.Text("integrity") switch
        {
            "sha256" => IntegrityAlgorithm.HmacSha2_256_128,
            "sha384" => IntegrityAlgorithm.HmacSha2_384_192,
            _ => IntegrityAlgorithm.HmacSha2_512_256,
        };
        IIntegrityAlgorithm algorithm = AlgorithmRegistry.Default.Integrity(id)!;
        byte[] expected = v.Bytes("icv");
        Assert.Equal(algorithm.IcvLength, expected.Length);
        using IIntegrityKey key = algorithm.CreateKey(v.Bytes("key"));
        byte[] icv = new byte[algorithm.IcvLength];
        key.Compute(v.Bytes("data"), icv);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(icv));
        Assert.True(key.Verify(v.Bytes("data"), expected));
        expected[^1] ^= 1;
        Assert.False(key.Verify(v.Bytes("data"), expected));
    }
}
