using System.Security.Cryptography;
using IkeSharp.Crypto.Symmetric.Encryption;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>AES-GCM through OpenSSL's EVP interface directly agrees with the BCL's AesGcm, and refuses what does not verify.</summary>
public class OpenSslAesGcmTests
{
    [Theory]
    [InlineData(16, 16)]
    [InlineData(24, 12)]
    [InlineData(32, 16)]
    public void Agrees_with_the_BCL_for_every_length_and_refuses_a_changed_tag_or_ciphertext(int keyLength, int tagLength)
    {
        Assert.True(OpenSslAesGcm.IsAvailable, "libcrypto.so.3 (Debian's libssl3) is there wherever .NET's cryptography runs on Linux");
        var random = new Random(keyLength * 100 + tagLength);
        byte[] key = new byte[keyLength];
        random.NextBytes(key);
        using var native = new OpenSslAesGcm(key, tagLength);
        using var bcl = new AesGcm(key, tagLength);
        foreach (int length in new[] { 0, 1, 15, 16, 17, 100, 1438, 9000 })
        {
            byte[] nonce = new byte[12];
            byte[] aad = new byte[length % 3 == 0 ? 8 : 12];
            byte[] plaintext = new byte[length];
            random.NextBytes(nonce);
            random.NextBytes(aad);
            random.NextBytes(plaintext);
            byte[] c1 = new byte[length];
            byte[] c2 = new byte[length];
            byte[] t1 = new byte[tagLength];
            byte[] t2 = new byte[tagLength];
            native.Encrypt(nonce, plaintext, c1, t1, aad);
            bcl.Encrypt(nonce, plaintext, c2, t2, aad);
            Assert.Equal(c2, c1);
            Assert.Equal(t2, t1);

            // In place, as ESP seals.
            byte[] inPlace = [.. plaintext];
            byte[] t3 = new byte[tagLength];
            native.Encrypt(nonce, inPlace, inPlace, t3, aad);
            Assert.Equal(c1, inPlace);

            byte[] opened = new byte[length];
            native.Decrypt(nonce, c1, t1, opened, aad);
            Assert.Equal(plaintext, opened);

            t1[0] ^= 1;
            Assert.Throws<AuthenticationTagMismatchException>(() => native.Decrypt(nonce, c1, t1, opened, aad));
            Assert.True(opened.AsSpan().IndexOfAnyExcept((byte)0) < 0, "nothing of an unverified plaintext is released");
            t1[0] ^= 1;
            aad[0] ^= 1;
            Assert.Throws<AuthenticationTagMismatchException>(() => native.Decrypt(nonce, c1, t1, opened, aad));
            aad[0] ^= 1;

            // The context is still good after a failure.
            native.Decrypt(nonce, c1, t1, opened, aad);
            Assert.Equal(plaintext, opened);
        }
    }
}
