using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// Our private key for signature authentication: RSA or ECDSA (BCL), Ed25519 or Ed448
/// (BouncyCastle). <see cref="PrivateKeyLoader"/> reads one from PEM or DER.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly RSA? rsa;
    private readonly ECDsa? ecdsa;
    private readonly AsymmetricKeyParameter? edwards;

    private SigningKey(SignatureKeyType keyType, RSA? rsa, ECDsa? ecdsa, AsymmetricKeyParameter? edwards, VerificationKey publicKey)
    {
        KeyType = keyType;
        this.rsa = rsa;
        this.ecdsa = ecdsa;
        this.edwards = edwards;
        PublicKey = publicKey;
    }

    public SignatureKeyType KeyType { get; }

    /// <summary>The matching public key.</summary>
    public VerificationKey PublicKey { get; }

    /// <summary>Takes ownership of <paramref name="key"/>.</summary>
    public static SigningKey FromRsa(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var publicKey = RSA.Create();
        publicKey.ImportParameters(key.ExportParameters(false));
        return new SigningKey(SignatureKeyType.Rsa, key, null, null, VerificationKey.FromRsa(publicKey));
    }

    /// <summary>Takes ownership of <paramref name="key"/>; the curve must be P-256, P-384 or P-521.</summary>
    public static SigningKey FromEcdsa(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ECParameters parameters = key.ExportParameters(false);
        SignatureKeyType type = VerificationKey.CurveType(parameters.Curve.Oid?.Value)
            ?? throw new ArgumentException($"EC curve {parameters.Curve.Oid?.Value ?? parameters.Curve.Oid?.FriendlyName ?? "(explicit)"} is not supported; P-256, P-384 and P-521 are", nameof(key));
        var publicKey = ECDsa.Create(parameters);
        return new SigningKey(type, null, key, null, VerificationKey.FromEcdsa(publicKey, type));
    }

    public static SigningKey FromEd25519(Ed25519PrivateKeyParameters key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new SigningKey(SignatureKeyType.Ed25519, null, null, key, VerificationKey.FromEdwards(key.GeneratePublicKey()));
    }

    public static SigningKey FromEd448(Ed448PrivateKeyParameters key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new SigningKey(SignatureKeyType.Ed448, null, null, key, VerificationKey.FromEdwards(key.GeneratePublicKey()));
    }

    /// <summary>A fresh key, for tests and for `ikesharp` commands that make keys.</summary>
    public static SigningKey Generate(SignatureKeyType keyType, int rsaBits = 3072) => keyType switch
    {
        SignatureKeyType.Rsa => FromRsa(RSA.Create(rsaBits)),
        SignatureKeyType.EcdsaP256 => FromEcdsa(ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        SignatureKeyType.EcdsaP384 => FromEcdsa(ECDsa.Create(ECCurve.NamedCurves.nistP384)),
        SignatureKeyType.EcdsaP521 => FromEcdsa(ECDsa.Create(ECCurve.NamedCurves.nistP521)),
        SignatureKeyType.Ed25519 => FromEd25519(new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom())),
        SignatureKeyType.Ed448 => FromEd448(new Ed448PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom())),
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, null),
    };

    /// <summary>The unencrypted PKCS#8 PrivateKeyInfo (RFC 5208, RFC 8410 for EdDSA).</summary>
    public byte[] ExportPkcs8PrivateKey() => KeyType switch
    {
        SignatureKeyType.Rsa => rsa!.ExportPkcs8PrivateKey(),
        SignatureKeyType.Ed25519 or SignatureKeyType.Ed448 =>
            Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(edwards!).GetDerEncoded(),
        _ => ecdsa!.ExportPkcs8PrivateKey(),
    };

    /// <summary>
    /// Signs <paramref name="data"/> with <paramref name="scheme"/>, which must fit the key.
    /// ECDSA signatures come as r|s (IEEE P1363) or as a DER Ecdsa-Sig-Value, per <paramref name="ecdsaFormat"/>.
    /// </summary>
    internal byte[] Sign(SignatureScheme scheme, ReadOnlySpan<byte> data, DSASignatureFormat ecdsaFormat)
    {
        if (!scheme.FitsKey(KeyType))
        {
            throw new ArgumentException($"{scheme.DisplayName()} does not fit a {KeyType.DisplayName()} key", nameof(scheme));
        }

        switch (KeyType)
        {
            case SignatureKeyType.Rsa:
                RSASignaturePadding padding = scheme is SignatureScheme.RsaPssSha256 or SignatureScheme.RsaPssSha384 or SignatureScheme.RsaPssSha512
                    ? RSASignaturePadding.Pss // salt length = hash length (RFC 8017 §9.1 as the BCL does it)
                    : RSASignaturePadding.Pkcs1;
                return rsa!.SignData(data.ToArray(), scheme.HashName(), padding);
            case SignatureKeyType.Ed25519:
            {
                var signer = new Ed25519Signer();
                signer.Init(true, edwards);
                signer.BlockUpdate(data);
                return signer.GenerateSignature();
            }

            case SignatureKeyType.Ed448:
            {
                var signer = new Ed448Signer([]);
                signer.Init(true, edwards);
                signer.BlockUpdate(data);
                return signer.GenerateSignature();
            }

            default:
                return ecdsa!.SignData(data, scheme.HashName(), ecdsaFormat);
        }
    }

    public void Dispose()
    {
        rsa?.Dispose();
        ecdsa?.Dispose();
        PublicKey.Dispose();
    }

    public override string ToString() => KeyType == SignatureKeyType.Rsa ? $"RSA {rsa!.KeySize}-bit private key" : $"{KeyType.DisplayName()} private key";
}
