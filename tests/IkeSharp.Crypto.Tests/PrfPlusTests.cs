namespace IkeSharp.Crypto.Tests;

public class PrfPlusTests
{
    /// <summary>HMAC-SHA-256 as a PRF, written out here so prf+ is tested on its own.</summary>
    private sealed class HmacSha256 : IPrf
    {
        public PseudorandomFunction Id => PseudorandomFunction.HmacSha2_256;

        public int OutputLength => 32;

        public int KeyLength => 32;

        public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output) =>
            System.Security.Cryptography.HMACSHA256.HashData(key, data, output);
    }

    [Fact]
    public void Prf_plus_chains_blocks_as_rfc_7296_section_2_13_says()
    {
        var prf = new HmacSha256();
        byte[] key = [1, 2, 3];
        byte[] seed = [9, 8, 7, 6];
        byte[] output = new byte[80];
        PrfPlus.Expand(prf, key, seed, output);

        byte[] t1 = System.Security.Cryptography.HMACSHA256.HashData(key, (byte[])[.. seed, 1]);
        byte[] t2 = System.Security.Cryptography.HMACSHA256.HashData(key, (byte[])[.. t1, .. seed, 2]);
        byte[] t3 = System.Security.Cryptography.HMACSHA256.HashData(key, (byte[])[.. t2, .. seed, 3]);
        Assert.Equal([.. t1, .. t2, .. t3.AsSpan(0, 16)], output);
    }

    [Fact]
    public void Prf_plus_refuses_more_than_255_blocks()
    {
        byte[] output = new byte[(255 * 32) + 1];
        Assert.Throws<ArgumentException>(() => PrfPlus.Expand(new HmacSha256(), [1], [2], output));
    }

    [Fact]
    public void Deterministic_random_repeats_per_seed_and_differs_between_seeds()
    {
        byte[] a = new byte[70];
        byte[] b = new byte[70];
        byte[] c = new byte[70];
        new DeterministicRandom(5).Fill(a);
        new DeterministicRandom(5).Fill(b);
        new DeterministicRandom(6).Fill(c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Secret_bytes_are_zeroed_on_dispose_and_never_printed()
    {
        var secret = new SecretBytes([1, 2, 3, 4]);
        Assert.Equal("[secret, 4 bytes]", secret.ToString());
        Span<byte> view = secret.Span;
        secret.Dispose();
        Assert.Equal([0, 0, 0, 0], view.ToArray());
        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
    }
}
