using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;
using IkeHash = IkeSharp.Wire.HashAlgorithm;

namespace IkeSharp.Crypto.Tests.Auth;

public class SignatureAuthenticationTests
{
    private static readonly byte[] Octets = [.. Enumerable.Range(0, 500).Select(i => (byte)(i * 7))];

    public static TheoryData<SignatureKeyType, SignatureScheme> DigitalSignatureCases => new()
    {
        { SignatureKeyType.Rsa, SignatureScheme.RsaPkcs1Sha256 },
        { SignatureKeyType.Rsa, SignatureScheme.RsaPkcs1Sha384 },
        { SignatureKeyType.Rsa, SignatureScheme.RsaPkcs1Sha512 },
        { SignatureKeyType.Rsa, SignatureScheme.RsaPssSha256 },
        { SignatureKeyType.Rsa, SignatureScheme.RsaPssSha384 },
        { SignatureKeyType.Rsa, SignatureScheme.RsaPssSha512 },
        { SignatureKeyType.EcdsaP256, SignatureScheme.EcdsaSha256 },
        { SignatureKeyType.EcdsaP256, SignatureScheme.EcdsaSha384 },
        { SignatureKeyType.EcdsaP256, SignatureScheme.EcdsaSha512 },
        { SignatureKeyType.EcdsaP384, SignatureScheme.EcdsaSha256 },
        { SignatureKeyType.EcdsaP384, SignatureScheme.EcdsaSha384 },
        { SignatureKeyType.EcdsaP384, SignatureScheme.EcdsaSha512 },
        { SignatureKeyType.EcdsaP521, SignatureScheme.EcdsaSha256 },
        { SignatureKeyType.EcdsaP521, SignatureScheme.EcdsaSha384 },
        { SignatureKeyType.EcdsaP521, SignatureScheme.EcdsaSha512 },
        { SignatureKeyType.Ed25519, SignatureScheme.Ed25519 },
        { SignatureKeyType.Ed448, SignatureScheme.Ed448 },
    };

    public static TheoryData<SignatureKeyType, AuthMethod> LegacyCases => new()
    {
        { SignatureKeyType.Rsa, AuthMethod.RsaDigitalSignature },
        { SignatureKeyType.EcdsaP256, AuthMethod.EcdsaSha256P256 },
        { SignatureKeyType.EcdsaP384, AuthMethod.EcdsaSha384P384 },
        { SignatureKeyType.EcdsaP521, AuthMethod.EcdsaSha512P521 },
    };

    public static TheoryData<SignatureKeyType> KeyTypes => [.. Enum.GetValues<SignatureKeyType>()];

    [Theory]
    [MemberData(nameof(DigitalSignatureCases))]
    public void Digital_signature_round_trips_and_carries_its_algorithm_identifier(SignatureKeyType keyType, SignatureScheme scheme)
    {
        SigningKey key = TestKeys.For(keyType);
        AuthPayload auth = SignatureAuthentication.Sign(key, new SignatureChoice(AuthMethod.DigitalSignature, scheme), Octets);

        Assert.Equal(AuthMethod.DigitalSignature, auth.Method);
        Assert.True(auth.TrySplitDigitalSignature(out ReadOnlyMemory<byte> algorithm, out ReadOnlyMemory<byte> signature));
        Assert.Equal(SignatureAlgorithmIdentifier.Encode(scheme), algorithm.ToArray());
        Assert.Equal(algorithm.Length, auth.Data.Span[0]);
        if (scheme is SignatureScheme.EcdsaSha256 or SignatureScheme.EcdsaSha384 or SignatureScheme.EcdsaSha512)
        {
            Assert.Equal(0x30, signature.Span[0]); // DER Ecdsa-Sig-Value in method 14
        }

        AuthResult result = SignatureAuthentication.Verify(key.PublicKey, auth, Octets);
        Assert.True(result.Succeeded, result.FailureReason);
    }

    [Theory]
    [MemberData(nameof(DigitalSignatureCases))]
    public void Digital_signature_fails_cleanly_on_changed_octets_or_signature(SignatureKeyType keyType, SignatureScheme scheme)
    {
        SigningKey key = TestKeys.For(keyType);
        AuthPayload auth = SignatureAuthentication.Sign(key, new SignatureChoice(AuthMethod.DigitalSignature, scheme), Octets);

        byte[] changedOctets = (byte[])Octets.Clone();
        changedOctets[100] ^= 0x01;
        AuthResult wrongData = SignatureAuthentication.Verify(key.PublicKey, auth, changedOctets);
        Assert.False(wrongData.Succeeded);
        Assert.Contains("does not verify", wrongData.FailureReason, StringComparison.Ordinal);

        byte[] changedSignature = auth.Data.ToArray();
        changedSignature[^1] ^= 0x80;
        Assert.False(SignatureAuthentication.Verify(key.PublicKey, auth with { Data = changedSignature }, Octets).Succeeded);

        byte[] truncated = auth.Data[..^5].ToArray();
        Assert.False(SignatureAuthentication.Verify(key.PublicKey, auth with { Data = truncated }, Octets).Succeeded);
    }

    [Theory]
    [MemberData(nameof(LegacyCases))]
    public void Legacy_methods_round_trip_with_fixed_hashes_and_p1363_ecdsa(SignatureKeyType keyType, AuthMethod method)
    {
        SigningKey key = TestKeys.For(keyType);
        Outcome<SignatureChoice> choice = SignatureAuthentication.Choose(keyType, peerHashes: null);
        Assert.True(choice.Succeeded);
        Assert.Equal(method, choice.Value!.Method);

        AuthPayload auth = SignatureAuthentication.Sign(key, choice.Value, Octets);
        Assert.Equal(method, auth.Method);
        int expectedLength = keyType switch
        {
            SignatureKeyType.Rsa => 256,
            SignatureKeyType.EcdsaP256 => 64,   // r | s, 32 octets each (RFC 4754 §7)
            SignatureKeyType.EcdsaP384 => 96,
            _ => 132,
        };
        Assert.Equal(expectedLength, auth.Data.Length);
        Assert.True(SignatureAuthentication.Verify(key.PublicKey, auth, Octets).Succeeded);

        byte[] changed = (byte[])Octets.Clone();
        changed[0] ^= 0xff;
        Assert.False(SignatureAuthentication.Verify(key.PublicKey, auth, changed).Succeeded);
    }

    [Fact]
    public void A_legacy_ecdsa_method_must_match_the_curve()
    {
        SigningKey p384 = TestKeys.For(SignatureKeyType.EcdsaP384);
        AuthPayload auth = SignatureAuthentication.Sign(p384, new SignatureChoice(AuthMethod.EcdsaSha384P384, SignatureScheme.EcdsaSha384), Octets);
        AuthResult result = SignatureAuthentication.Verify(TestKeys.For(SignatureKeyType.EcdsaP256).PublicKey, auth, Octets);
        Assert.False(result.Succeeded);
        Assert.Contains("does not fit the peer's ECDSA P-256 key", result.FailureReason, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => SignatureAuthentication.Sign(p384, new SignatureChoice(AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256), Octets));
    }

    [Fact]
    public void An_algorithm_identifier_for_another_key_type_is_refused_by_name()
    {
        AuthPayload auth = SignatureAuthentication.Sign(TestKeys.For(SignatureKeyType.EcdsaP256), new SignatureChoice(AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha256), Octets);
        AuthResult result = SignatureAuthentication.Verify(TestKeys.For(SignatureKeyType.Rsa).PublicKey, auth, Octets);
        Assert.False(result.Succeeded);
        Assert.Equal("Digital Signature AUTH says ECDSA_WITH_SHA256_DER, which does not fit the peer's RSA key", result.FailureReason);
    }

    [Fact]
    public void Sha1_in_digital_signature_is_refused()
    {
        AuthPayload auth = SignatureAuthentication.Sign(TestKeys.For(SignatureKeyType.Rsa), new SignatureChoice(AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha1), Octets);
        AuthResult result = SignatureAuthentication.Verify(TestKeys.For(SignatureKeyType.Rsa).PublicKey, auth, Octets);
        Assert.False(result.Succeeded);
        Assert.Contains("SHA-1", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hash_we_did_not_announce_is_refused_when_asked()
    {
        SigningKey key = TestKeys.For(SignatureKeyType.EcdsaP384);
        AuthPayload auth = SignatureAuthentication.Sign(key, new SignatureChoice(AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha384), Octets);
        Assert.True(SignatureAuthentication.Verify(key.PublicKey, auth, Octets, SignatureAuthentication.AnnouncedHashes).Succeeded);
        AuthResult result = SignatureAuthentication.Verify(key.PublicKey, auth, Octets, [IkeHash.Sha2_256]);
        Assert.False(result.Succeeded);
        Assert.Contains("SHA2-384, which we did not announce", result.FailureReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SignatureKeyType.Rsa, false, new[] { IkeHash.Sha2_512, IkeHash.Sha2_256 }, AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha256)]
    [InlineData(SignatureKeyType.Rsa, false, new[] { IkeHash.Sha2_512 }, AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha512)]
    [InlineData(SignatureKeyType.Rsa, true, new[] { IkeHash.Sha2_384, IkeHash.Sha2_256 }, AuthMethod.DigitalSignature, SignatureScheme.RsaPssSha256)]
    [InlineData(SignatureKeyType.Rsa, false, new[] { IkeHash.Sha1 }, AuthMethod.RsaDigitalSignature, SignatureScheme.RsaPkcs1Sha1)]
    [InlineData(SignatureKeyType.EcdsaP256, false, new[] { IkeHash.Sha2_512, IkeHash.Sha2_256 }, AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha256)]
    [InlineData(SignatureKeyType.EcdsaP384, false, new[] { IkeHash.Sha2_256, IkeHash.Sha2_512 }, AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha512)]
    [InlineData(SignatureKeyType.EcdsaP521, false, new[] { IkeHash.Sha2_256 }, AuthMethod.EcdsaSha512P521, SignatureScheme.EcdsaSha512)]
    [InlineData(SignatureKeyType.Ed25519, false, new[] { IkeHash.Sha2_256, IkeHash.Identity }, AuthMethod.DigitalSignature, SignatureScheme.Ed25519)]
    [InlineData(SignatureKeyType.Ed448, false, new[] { IkeHash.Identity }, AuthMethod.DigitalSignature, SignatureScheme.Ed448)]
    public void Choice_is_our_first_preference_that_the_peer_announced(SignatureKeyType keyType, bool preferPss, IkeHash[] peerHashes, AuthMethod method, SignatureScheme scheme)
    {
        Outcome<SignatureChoice> choice = SignatureAuthentication.Choose(keyType, peerHashes, preferPss);
        Assert.True(choice.Succeeded, choice.Error);
        Assert.Equal(new SignatureChoice(method, scheme), choice.Value);
    }

    [Fact]
    public void Eddsa_without_the_identity_hash_cannot_sign_and_says_why()
    {
        Outcome<SignatureChoice> none = SignatureAuthentication.Choose(SignatureKeyType.Ed25519, null);
        Assert.False(none.Succeeded);
        Assert.Contains("announced nothing", none.Error, StringComparison.Ordinal);

        Outcome<AuthPayload> signed = SignatureAuthentication.Sign(TestKeys.For(SignatureKeyType.Ed448), Octets, [IkeHash.Sha2_256, IkeHash.Sha2_512]);
        Assert.False(signed.Succeeded);
        Assert.Contains("announced SHA2-256, SHA2-512", signed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_signature_methods_and_malformed_data_fail_without_throwing()
    {
        VerificationKey key = TestKeys.For(SignatureKeyType.EcdsaP256).PublicKey;
        Assert.False(SignatureAuthentication.Verify(key, new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, new byte[32]), Octets).Succeeded);
        Assert.False(SignatureAuthentication.Verify(key, new AuthPayload(AuthMethod.DigitalSignature, ReadOnlyMemory<byte>.Empty), Octets).Succeeded);
        Assert.False(SignatureAuthentication.Verify(key, new AuthPayload(AuthMethod.DigitalSignature, new byte[] { 200, 1, 2 }), Octets).Succeeded);
        AuthResult noSignature = SignatureAuthentication.Verify(key, new AuthPayload(AuthMethod.DigitalSignature, Convert.FromHexString("0c300a06082a8648ce3d040302")), Octets);
        Assert.Contains("carries no signature", noSignature.FailureReason, StringComparison.Ordinal);
        Assert.False(SignatureAuthentication.Verify(key, new AuthPayload(AuthMethod.EcdsaSha256P256, new byte[3]), Octets).Succeeded);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Random_auth_data_never_throws(SignatureKeyType keyType)
    {
        VerificationKey key = TestKeys.For(keyType).PublicKey;
        var random = new Random((int)keyType);
        AuthPayload good = SignatureAuthentication.Sign(TestKeys.For(keyType), SignatureAuthentication.Choose(keyType, SignatureAuthentication.AnnouncedHashes).Value!, Octets);
        AuthMethod[] methods = [AuthMethod.RsaDigitalSignature, AuthMethod.EcdsaSha256P256, AuthMethod.EcdsaSha384P384, AuthMethod.EcdsaSha512P521, AuthMethod.DigitalSignature, (AuthMethod)250];
        for (int i = 0; i < 300; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 300)];
                random.NextBytes(data);
            }
            else
            {
                data = good.Data.ToArray();
                data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
            }

            AuthResult result = SignatureAuthentication.Verify(key, new AuthPayload(methods[i % methods.Length], data), Octets);
            Assert.False(result.Succeeded);
            Assert.False(string.IsNullOrEmpty(result.FailureReason));
        }
    }
}

/// <summary>Keys made once per test run: key generation (RSA above all) is the slow part.</summary>
internal static class TestKeys
{
    private static readonly Lazy<SigningKey> Rsa2048 = new(() => SigningKey.Generate(SignatureKeyType.Rsa, 2048));
    private static readonly Lazy<SigningKey> P256 = new(() => SigningKey.Generate(SignatureKeyType.EcdsaP256));
    private static readonly Lazy<SigningKey> P384 = new(() => SigningKey.Generate(SignatureKeyType.EcdsaP384));
    private static readonly Lazy<SigningKey> P521 = new(() => SigningKey.Generate(SignatureKeyType.EcdsaP521));
    private static readonly Lazy<SigningKey> Ed25519Key = new(() => SigningKey.Generate(SignatureKeyType.Ed25519));
    private static readonly Lazy<SigningKey> Ed448Key = new(() => SigningKey.Generate(SignatureKeyType.Ed448));

    public static SigningKey For(SignatureKeyType type) => type switch
    {
        SignatureKeyType.Rsa => Rsa2048.Value,
        SignatureKeyType.EcdsaP256 => P256.Value,
        SignatureKeyType.EcdsaP384 => P384.Value,
        SignatureKeyType.EcdsaP521 => P521.Value,
        SignatureKeyType.Ed25519 => Ed25519Key.Value,
        _ => Ed448Key.Value,
    };
}
