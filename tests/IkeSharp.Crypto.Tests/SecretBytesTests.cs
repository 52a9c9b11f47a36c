namespace IkeSharp.Crypto.Tests;

public class SecretBytesTests
{
    [Fact]
    public void Holds_a_copy_of_the_source()
    {
        byte[] source = [1, 2, 3, 4];
        using var secret = new SecretBytes(source);
        source[0] = 9;

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, secret.ReadOnlySpan.ToArray());
        Assert.Equal(4, secret.Length);
    }

    [Fact]
    public void Once_disposed_refuses_access_but_still_tells_its_length()
    {
        var secret = new SecretBytes(new byte[] { 1, 2, 3, 4, 5 });
        secret.Dispose();

        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
        Assert.Equal(5, secret.Length);
        Assert.Equal("[secret, 5 bytes]", secret.ToString());
    }

    [Fact]
    public void Disposing_twice_is_harmless()
    {
        var secret = new SecretBytes(16);
        secret.Dispose();
        secret.Dispose();

        Assert.Equal(16, secret.Length);
    }
}
