using System.Security.Cryptography;
using IkeHash = IkeSharp.Wire.HashAlgorithm;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// A signature algorithm together with its hash, as one AUTH payload uses it. The names follow
/// the PKIX algorithm identifiers that RFC 7427 (Appendix A) and RFC 8420 carry in method 14.
/// </summary>
public enum SignatureScheme
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-1: AUTH method 1 (RFC 7296 §3.8), sha1WithRSAEncryption in method 14.</summary>
    RsaPkcs1Sha1,
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
    RsaPkcs1Sha512,

    /// <summary>RSASSA-PSS, MGF1 with the same hash, salt as long as the hash (RFC 7427 A.4.3, RFC 8247 §3.2).</summary>
    RsaPssSha256,
    RsaPssSha384,
    RsaPssSha512,

    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,

    /// <summary>Ed25519, "Identity" hash (RFC 8420).</summary>
    Ed25519,

    /// <summary>Ed448, "Identity" hash (RFC 8420).</summary>
    Ed448,
}

/// <summary>The kinds of key that sign in IKE_AUTH.</summary>
public enum SignatureKeyType
{
    Rsa,
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Ed25519,
    Ed448,
}

public static class SignatureSchemes
{
    /// <summary>The SIGNATURE_HASH_ALGORITHMS value of the scheme's hash (RFC 7427 §4, RFC 8420).</summary>
    public static IkeHash Hash(this SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.RsaPkcs1Sha1 => IkeHash.Sha1,
        SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.RsaPssSha256 or SignatureScheme.EcdsaSha256 => IkeHash.Sha2_256,
        SignatureScheme.RsaPkcs1Sha384 or SignatureScheme.RsaPssSha384 or SignatureScheme.EcdsaSha384 => IkeHash.Sha2_384,
        SignatureScheme.RsaPkcs1Sha512 or SignatureScheme.RsaPssSha512 or SignatureScheme.EcdsaSha512 => IkeHash.Sha2_512,
        SignatureScheme.Ed25519 or SignatureScheme.Ed448 => IkeHash.Identity,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null),
    };

    /// <summary>The BCL hash name; Ed25519/Ed448 hash internally and have none.</summary>
    public static HashAlgorithmName HashName(this SignatureScheme scheme) => scheme.Hash() switch
    {
        IkeHash.Sha1 => HashAlgorithmName.SHA1,
        IkeHash.Sha2_256 => HashAlgorithmName.SHA256,
        IkeHash.Sha2_384 => HashAlgorithmName.SHA384,
        IkeHash.Sha2_512 => HashAlgorithmName.SHA512,
        _ => default,
    };

    /// <summary>True when a key of <paramref name="keyType"/> can make this signature.</summary>
    public static bool FitsKey(this SignatureScheme scheme, SignatureKeyType keyType) => scheme switch
    {
        SignatureScheme.RsaPkcs1Sha1 or SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.RsaPkcs1Sha384 or SignatureScheme.RsaPkcs1Sha512
            or SignatureScheme.RsaPssSha256 or SignatureScheme.RsaPssSha384 or SignatureScheme.RsaPssSha512 => keyType == SignatureKeyType.Rsa,
        SignatureScheme.EcdsaSha256 or SignatureScheme.EcdsaSha384 or SignatureScheme.EcdsaSha512 =>
            keyType is SignatureKeyType.EcdsaP256 or SignatureKeyType.EcdsaP384 or SignatureKeyType.EcdsaP521,
        SignatureScheme.Ed25519 => keyType == SignatureKeyType.Ed25519,
        SignatureScheme.Ed448 => keyType == SignatureKeyType.Ed448,
        _ => false,
    };

    /// <summary>A name for logs, in strongSwan's spelling where it has one.</summary>
    public static string DisplayName(this SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.RsaPkcs1Sha1 => "RSA_EMSA_PKCS1_SHA1",
        SignatureScheme.RsaPkcs1Sha256 => "RSA_EMSA_PKCS1_SHA2_256",
        SignatureScheme.RsaPkcs1Sha384 => "RSA_EMSA_PKCS1_SHA2_384",
        SignatureScheme.RsaPkcs1Sha512 => "RSA_EMSA_PKCS1_SHA2_512",
        SignatureScheme.RsaPssSha256 => "RSA_EMSA_PSS (SHA2_256)",
        SignatureScheme.RsaPssSha384 => "RSA_EMSA_PSS (SHA2_384)",
        SignatureScheme.RsaPssSha512 => "RSA_EMSA_PSS (SHA2_512)",
        SignatureScheme.EcdsaSha256 => "ECDSA_WITH_SHA256_DER",
        SignatureScheme.EcdsaSha384 => "ECDSA_WITH_SHA384_DER",
        SignatureScheme.EcdsaSha512 => "ECDSA_WITH_SHA512_DER",
        SignatureScheme.Ed25519 => "ED25519",
        SignatureScheme.Ed448 => "ED448",
        _ => scheme.ToString(),
    };

    /// <summary>A name for the key type in messages.</summary>
    public static string DisplayName(this SignatureKeyType keyType) => keyType switch
    {
        SignatureKeyType.Rsa => "RSA",
        SignatureKeyType.EcdsaP256 => "ECDSA P-256",
        SignatureKeyType.EcdsaP384 => "ECDSA P-384",
        SignatureKeyType.EcdsaP521 => "ECDSA P-521",
        SignatureKeyType.Ed25519 => "Ed25519",
        SignatureKeyType.Ed448 => "Ed448",
        _ => keyType.ToString(),
    };
}
