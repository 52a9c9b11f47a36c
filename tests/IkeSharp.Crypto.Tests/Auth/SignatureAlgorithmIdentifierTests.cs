using IkeSharp.Crypto.Auth;

namespace IkeSharp.Crypto.Tests.Auth;

public class SignatureAlgorithmIdentifierTests
{
    private static readonly Dictionary<string, string> Vectors = VectorFile.Read("rfc7427-algorithm-identifiers.txt")[string.Empty];

    public static TheoryData<string, SignatureScheme> Known => new()
    {
        { "sha1WithRSAEncryption", SignatureScheme.RsaPkcs1Sha1 },
        { "sha256WithRSAEncryption", SignatureScheme.RsaPkcs1Sha256 },
        { "sha384WithRSAEncryption", SignatureScheme.RsaPkcs1Sha384 },
        { "sha512WithRSAEncryption", SignatureScheme.RsaPkcs1Sha512 },
        { "ecdsa-with-sha256", SignatureScheme.EcdsaSha256 },
        { "ecdsa-with-sha384", SignatureScheme.EcdsaSha384 },
        { "ecdsa-with-sha512", SignatureScheme.EcdsaSha512 },
        { "rsassa-pss-sha256", SignatureScheme.RsaPssSha256 },
        { "rsassa-pss-sha384", SignatureScheme.RsaPssSha384 },
        { "rsassa-pss-sha512", SignatureScheme.RsaPssSha512 },
        { "ed25519", SignatureScheme.Ed25519 },
        { "ed448", SignatureScheme.Ed448 },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void Encodes_each_scheme_as_the_published_der(string name, SignatureScheme scheme) =>
        Assert.Equal(Vectors[name], Convert.ToHexStringLower(SignatureAlgorithmIdentifier.Encode(scheme)));

    [Theory]
    [MemberData(nameof(Known))]
    public void Decodes_the_published_der_to_the_scheme(string name, SignatureScheme scheme)
    {
        Assert.True(SignatureAlgorithmIdentifier.TryDecode(Convert.FromHexString(Vectors[name]), out SignatureScheme decoded, out string error), error);
        Assert.Equal(scheme, decoded);
    }

    [Theory]
    [InlineData("rsassa-pss-empty")]
    [InlineData("rsassa-pss-defaults")]
    public void Refuses_rsassa_pss_with_sha1_defaults(string name)
    {
        Assert.False(SignatureAlgorithmIdentifier.TryDecode(Convert.FromHexString(Vectors[name]), out _, out string error));
        Assert.Contains("SHA-1", error, StringComparison.Ordinal);
    }

    [Theory]
    // ecdsa-with-SHA256 with a NULL parameter: RFC 5758 says absent.
    [InlineData("300c06082a8648ce3d0403020500", "must have no parameters")]
    // ecdsa-with-SHA1.
    [InlineData("300906072a8648ce3d0401", "ecdsa-with-SHA1 is not supported")]
    // dsa-with-sha1 (RFC 7427 A.2.1 algorithm): not supported.
    [InlineData("300906072a8648ce380403", "dsa-with-sha1")]
    // md5WithRSAEncryption: unknown here.
    [InlineData("300d06092a864886f70d0101040500", "1.2.840.113549.1.1.4 is not supported")]
    // PSS with SHA-256 but a 20-octet salt.
    [InlineData("304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020114", "20-octet salt")]
    // PSS with SHA-256 but MGF1 with SHA-512.
    [InlineData("304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020120", "MGF1 with SHA-512")]
    // sha256WithRSAEncryption with an INTEGER for parameters.
    [InlineData("300e06092a864886f70d01010b020101", "must have NULL parameters")]
    // Trailing octet after the SEQUENCE.
    [InlineData("300506032b657000", "trailing")]
    // Truncated.
    [InlineData("300d06092a864886f70d01010b05", "not valid DER")]
    [InlineData("", "not valid DER")]
    public void Refuses_what_it_does_not_support_with_a_reason(string hex, string reason)
    {
        Assert.False(SignatureAlgorithmIdentifier.TryDecode(Convert.FromHexString(hex), out _, out string error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_sha256_with_rsa_without_the_null_parameter()
    {
        Assert.True(SignatureAlgorithmIdentifier.TryDecode(Convert.FromHexString("300b06092a864886f70d01010b"), out SignatureScheme scheme, out _));
        Assert.Equal(SignatureScheme.RsaPkcs1Sha256, scheme);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw()
    {
        var random = new Random(7);
        byte[][] seeds = [.. Vectors.Values.Select(Convert.FromHexString)];
        for (int i = 0; i < 20000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 80)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Length)].Clone();
                if (input.Length > 0)
                {
                    input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                }

                input = input[..random.Next(input.Length + 1)];
            }

            bool ok = SignatureAlgorithmIdentifier.TryDecode(input, out _, out string error);
            Assert.True(ok || error.Length > 0);
        }
    }
}
