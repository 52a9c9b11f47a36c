using System.Security.Cryptography;
using IkeSharp.Wire.Payloads;
using IkeHash = IkeSharp.Wire.HashAlgorithm;

namespace IkeSharp.Crypto.Auth;

/// <summary>The AUTH method and signature scheme chosen for our key.</summary>
public sealed record SignatureChoice(AuthMethod Method, SignatureScheme Scheme)
{
    public override string ToString() => $"{Method.ToIanaName()} / {Scheme.DisplayName()}";
}

/// <summary>
/// Signature authentication in IKE_AUTH over the signed octets of RFC 7296 §2.15:
/// <list type="bullet">
/// <item>method 1, RSA Digital Signature: RSASSA-PKCS1-v1_5 with SHA-1 (RFC 7296 §3.8);</item>
/// <item>methods 9/10/11, ECDSA with SHA-256/P-256, SHA-384/P-384, SHA-512/P-521 (RFC 4754 §3):
/// the signature is r | s, each as long as the curve's field (IEEE P1363);</item>
/// <item>method 14, Digital Signature (RFC 7427 §3): one octet of AlgorithmIdentifier length, the
/// DER AlgorithmIdentifier, then the signature (ECDSA as a DER Ecdsa-Sig-Value, RFC 7427 §3 and
/// RFC 5480; EdDSA over the signed octets themselves, RFC 8420 §2).</item>
/// </list>
/// Method 14 is used when the peer sent SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4) with a hash that
/// fits our key; the choice follows strongSwan: the first scheme of our own preference for the key
/// whose hash the peer announced. Without that, RSA and ECDSA fall back to methods 1 and 9-11.
/// </summary>
public static class SignatureAuthentication
{
    /// <summary>
    /// The hashes we announce in our SIGNATURE_HASH_ALGORITHMS: SHA2-256/384/512 and Identity
    /// (RFC 8420 §2), as strongSwan does. SHA-1 is not among them (RFC 8247 §3.2).
    /// </summary>
    public static IReadOnlyList<IkeHash> AnnouncedHashes { get; } = [IkeHash.Sha2_256, IkeHash.Sha2_384, IkeHash.Sha2_512, IkeHash.Identity];

    /// <summary>Our preference of method-14 schemes for a key, most preferred first.</summary>
    public static IReadOnlyList<SignatureScheme> PreferredSchemes(SignatureKeyType keyType, bool preferRsaPss = false) => keyType switch
    {
        // strongSwan offers RSASSA-PSS only when configured (charon.rsa_pss), PKCS#1 v1.5 otherwise.
        SignatureKeyType.Rsa when preferRsaPss => [SignatureScheme.RsaPssSha256, SignatureScheme.RsaPssSha384, SignatureScheme.RsaPssSha512,
            SignatureScheme.RsaPkcs1Sha256, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha512],
        SignatureKeyType.Rsa => [SignatureScheme.RsaPkcs1Sha256, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha512],

        // A hash at least as strong as the curve (strongSwan's scheme map for ECDSA keys).
        SignatureKeyType.EcdsaP256 => [SignatureScheme.EcdsaSha256, SignatureScheme.EcdsaSha384, SignatureScheme.EcdsaSha512],
        SignatureKeyType.EcdsaP384 => [SignatureScheme.EcdsaSha384, SignatureScheme.EcdsaSha512],
        SignatureKeyType.EcdsaP521 => [SignatureScheme.EcdsaSha512],
        SignatureKeyType.Ed25519 => [SignatureScheme.Ed25519],
        SignatureKeyType.Ed448 => [SignatureScheme.Ed448],
        _ => [],
    };

    /// <summary>
    /// Chooses the AUTH method and scheme for our key given the hashes the peer announced in
    /// SIGNATURE_HASH_ALGORITHMS (null or empty when it sent none).
    /// </summary>
    public static Outcome<SignatureChoice> Choose(SignatureKeyType keyType, IReadOnlyCollection<IkeHash>? peerHashes, bool preferRsaPss = false)
    {
        if (peerHashes is { Count: > 0 })
        {
            foreach (SignatureScheme scheme in PreferredSchemes(keyType, preferRsaPss))
            {
                if (peerHashes.Contains(scheme.Hash()))
                {
                    return Outcome<SignatureChoice>.Success(new SignatureChoice(AuthMethod.DigitalSignature, scheme));
                }
            }
        }

        SignatureChoice? legacy = keyType switch
        {
            SignatureKeyType.Rsa => new SignatureChoice(AuthMethod.RsaDigitalSignature, SignatureScheme.RsaPkcs1Sha1),
            SignatureKeyType.EcdsaP256 => new SignatureChoice(AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256),
            SignatureKeyType.EcdsaP384 => new SignatureChoice(AuthMethod.EcdsaSha384P384, SignatureScheme.EcdsaSha384),
            SignatureKeyType.EcdsaP521 => new SignatureChoice(AuthMethod.EcdsaSha512P521, SignatureScheme.EcdsaSha512),
            _ => null,
        };
        if (legacy is not null)
        {
            return Outcome<SignatureChoice>.Success(legacy);
        }

        string announced = peerHashes is { Count: > 0 } ? string.Join(", ", peerHashes.Select(h => h.ToIanaName())) : "nothing";
        return Outcome<SignatureChoice>.Fail(
            $"a {keyType.DisplayName()} key signs only with Digital Signature (method 14) and the Identity hash (RFC 8420), but the peer announced {announced} in SIGNATURE_HASH_ALGORITHMS");
    }

    /// <summary>Signs <paramref name="signedOctets"/> as <paramref name="choice"/> says and wraps the result in an AUTH payload.</summary>
    public static AuthPayload Sign(SigningKey key, SignatureChoice choice, ReadOnlySpan<byte> signedOctets)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(choice);
        if (choice.Method == AuthMethod.DigitalSignature)
        {
            byte[] algorithm = SignatureAlgorithmIdentifier.Encode(choice.Scheme);
            byte[] signature = key.Sign(choice.Scheme, signedOctets, DSASignatureFormat.Rfc3279DerSequence);
            byte[] data = new byte[1 + algorithm.Length + signature.Length];
            data[0] = (byte)algorithm.Length; // RFC 7427 §3: ASN.1 Length, one octet
            algorithm.CopyTo(data, 1);
            signature.CopyTo(data, 1 + algorithm.Length);
            return new AuthPayload(AuthMethod.DigitalSignature, data);
        }

        if (LegacyScheme(choice.Method, key.KeyType) != choice.Scheme)
        {
            throw new ArgumentException($"{choice} does not fit a {key.KeyType.DisplayName()} key", nameof(choice));
        }

        return new AuthPayload(choice.Method, key.Sign(choice.Scheme, signedOctets, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <summary><see cref="Choose"/> then <see cref="Sign(SigningKey, SignatureChoice, ReadOnlySpan{byte})"/>.</summary>
    public static Outcome<AuthPayload> Sign(SigningKey key, ReadOnlySpan<byte> signedOctets, IReadOnlyCollection<IkeHash>? peerHashes, bool preferRsaPss = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        Outcome<SignatureChoice> choice = Choose(key.KeyType, peerHashes, preferRsaPss);
        return choice.Succeeded
            ? Outcome<AuthPayload>.Success(Sign(key, choice.Value!, signedOctets))
            : Outcome<AuthPayload>.Fail(choice.Error!);
    }

    /// <summary>
    /// Verifies a peer's AUTH payload with its public key (normally from its validated
    /// certificate). <paramref name="hashesWeAnnounced"/>, when given, limits the hashes a
    /// method-14 signature may use to those we sent in SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4).
    /// Never throws on the payload's bytes.
    /// </summary>
    public static AuthResult Verify(VerificationKey key, AuthPayload auth, ReadOnlySpan<byte> signedOctets, IReadOnlyCollection<IkeHash>? hashesWeAnnounced = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(auth);
        switch (auth.Method)
        {
            case AuthMethod.RsaDigitalSignature:
            case AuthMethod.EcdsaSha256P256:
            case AuthMethod.EcdsaSha384P384:
            case AuthMethod.EcdsaSha512P521:
            {
                SignatureScheme? scheme = LegacyScheme(auth.Method, key.KeyType);
                if (scheme is null)
                {
                    return AuthResult.Fail($"AUTH method {auth.Method.ToIanaName()} does not fit the peer's {key.KeyType.DisplayName()} key");
                }

                return key.Verify(scheme.Value, signedOctets, auth.Data.Span, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                    ? AuthResult.Success
                    : AuthResult.Fail($"{auth.Method.ToIanaName()} signature does not verify with the peer's {key}");
            }

            case AuthMethod.DigitalSignature:
                return VerifyDigitalSignature(key, auth, signedOctets, hashesWeAnnounced);

            default:
                return AuthResult.Fail($"AUTH method {auth.Method.ToIanaName()} is not a signature method this implementation verifies");
        }
    }

    private static AuthResult VerifyDigitalSignature(VerificationKey key, AuthPayload auth, ReadOnlySpan<byte> signedOctets, IReadOnlyCollection<IkeHash>? hashesWeAnnounced)
    {
        if (!auth.TrySplitDigitalSignature(out ReadOnlyMemory<byte> algorithmIdentifier, out ReadOnlyMemory<byte> signature))
        {
            return AuthResult.Fail($"Digital Signature AUTH data of {auth.Data.Length} octets is too short for its AlgorithmIdentifier length");
        }

        if (!SignatureAlgorithmIdentifier.TryDecode(algorithmIdentifier, out SignatureScheme scheme, out string error))
        {
            return AuthResult.Fail($"Digital Signature AUTH: {error}");
        }

        if (!scheme.FitsKey(key.KeyType))
        {
            return AuthResult.Fail($"Digital Signature AUTH says {scheme.DisplayName()}, which does not fit the peer's {key.KeyType.DisplayName()} key");
        }

        if (scheme == SignatureScheme.RsaPkcs1Sha1)
        {
            return AuthResult.Fail("Digital Signature AUTH with SHA-1 is refused (RFC 8247 §3.2: SHA1 MUST NOT be used for signatures)");
        }

        if (hashesWeAnnounced is not null && !hashesWeAnnounced.Contains(scheme.Hash()))
        {
            return AuthResult.Fail($"Digital Signature AUTH uses {scheme.Hash().ToIanaName()}, which we did not announce in SIGNATURE_HASH_ALGORITHMS");
        }

        if (signature.IsEmpty)
        {
            return AuthResult.Fail($"Digital Signature AUTH ({scheme.DisplayName()}) carries no signature");
        }

        return key.Verify(scheme, signedOctets, signature.Span, DSASignatureFormat.Rfc3279DerSequence)
            ? AuthResult.Success
            : AuthResult.Fail($"{scheme.DisplayName()} signature does not verify with the peer's {key}");
    }

    /// <summary>The fixed scheme of methods 1, 9, 10, 11 for a key type; null when they do not fit.</summary>
    private static SignatureScheme? LegacyScheme(AuthMethod method, SignatureKeyType keyType) => (method, keyType) switch
    {
        (AuthMethod.RsaDigitalSignature, SignatureKeyType.Rsa) => SignatureScheme.RsaPkcs1Sha1,
        (AuthMethod.EcdsaSha256P256, SignatureKeyType.EcdsaP256) => SignatureScheme.EcdsaSha256,
        (AuthMethod.EcdsaSha384P384, SignatureKeyType.EcdsaP384) => SignatureScheme.EcdsaSha384,
        (AuthMethod.EcdsaSha512P521, SignatureKeyType.EcdsaP521) => SignatureScheme.EcdsaSha512,
        _ => null,
    };
}
