using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// A public key that checks AUTH signatures: RSA and ECDSA P-256/384/521 through the BCL,
/// Ed25519 and Ed448 through BouncyCastle (the BCL has neither). Made from a
/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), usually a peer certificate's.
/// </summary>
public sealed class VerificationKey : IDisposable
{
    internal const string RsaEncryption = "1.2.840.113549.1.1.1";
    internal const string IdEcPublicKey = "1.2.840.10045.2.1";
    internal const string CurveP256 = "1.2.840.10045.3.1.7";
    internal const string CurveP384 = "1.3.132.0.34";
    internal const string CurveP521 = "1.3.132.0.35";

    private readonly RSA? rsa;
    private readonly ECDsa? ecdsa;
    private readonly AsymmetricKeyParameter? edwards;

    private VerificationKey(SignatureKeyType keyType, RSA? rsa, ECDsa? ecdsa, AsymmetricKeyParameter? edwards)
    {
        KeyType = keyType;
        this.rsa = rsa;
        this.ecdsa = ecdsa;
        this.edwards = edwards;
    }

    public SignatureKeyType KeyType { get; }

    /// <summary>Key size in bits (the modulus for RSA, the field for EC, 255/448 for EdDSA).</summary>
    public int KeySize => KeyType switch
    {
        SignatureKeyType.Rsa => rsa!.KeySize,
        SignatureKeyType.Ed25519 => 255,
        SignatureKeyType.Ed448 => 448,
        _ => ecdsa!.KeySize,
    };

    internal static VerificationKey FromRsa(RSA key) => new(SignatureKeyType.Rsa, key, null, null);

    internal static VerificationKey FromEcdsa(ECDsa key, SignatureKeyType type) => new(type, null, key, null);

    internal static VerificationKey FromEdwards(AsymmetricKeyParameter key) =>
        new(key is Ed25519PublicKeyParameters ? SignatureKeyType.Ed25519 : SignatureKeyType.Ed448, null, null, key);

    /// <summary>
    /// Reads a DER SubjectPublicKeyInfo: rsaEncryption, id-ecPublicKey on P-256/384/521,
    /// id-Ed25519 or id-Ed448. Anything else fails with the algorithm it found.
    /// </summary>
    public static Outcome<VerificationKey> FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki)
    {
        string algorithm;
        string? curve;
        try
        {
            ReadSpkiAlgorithm(spki.ToArray(), out algorithm, out curve);
        }
        catch (AsnContentException e)
        {
            return Outcome<VerificationKey>.Fail($"not a SubjectPublicKeyInfo: {e.Message}");
        }

        try
        {
            switch (algorithm)
            {
                case RsaEncryption:
                {
                    var key = RSA.Create();
                    key.ImportSubjectPublicKeyInfo(spki, out _);
                    return Outcome<VerificationKey>.Success(FromRsa(key));
                }

                case IdEcPublicKey:
                {
                    SignatureKeyType? type = CurveType(curve);
                    if (type is null)
                    {
                        return Outcome<VerificationKey>.Fail($"EC public key on curve {curve ?? "(explicit parameters)"} is not supported; P-256, P-384 and P-521 are");
                    }

                    var key = ECDsa.Create();
                    key.ImportSubjectPublicKeyInfo(spki, out _);
                    return Outcome<VerificationKey>.Success(FromEcdsa(key, type.Value));
                }

                case SignatureAlgorithmIdentifier.IdEd25519:
                case SignatureAlgorithmIdentifier.IdEd448:
                    return Outcome<VerificationKey>.Success(FromEdwards(PublicKeyFactory.CreateKey(spki.ToArray())));

                default:
                    return Outcome<VerificationKey>.Fail($"public key algorithm {algorithm} is not supported; RSA, ECDSA (P-256/384/521), Ed25519 and Ed448 are");
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidOperationException or IOException)
        {
            return Outcome<VerificationKey>.Fail($"malformed {AlgorithmName(algorithm)} public key: {e.Message}");
        }
    }

    /// <summary>The key of a certificate (its SubjectPublicKeyInfo exactly as encoded in it).</summary>
    public static Outcome<VerificationKey> FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ReadOnlyMemory<byte> spki;
        try
        {
            spki = X509Parts.SubjectPublicKeyInfo(certificate);
        }
        catch (AsnContentException e)
        {
            return Outcome<VerificationKey>.Fail($"certificate {certificate.Subject}: malformed TBSCertificate: {e.Message}");
        }

        Outcome<VerificationKey> key = FromSubjectPublicKeyInfo(spki.Span);
        return key.Succeeded ? key : Outcome<VerificationKey>.Fail($"certificate {certificate.Subject}: {key.Error}");
    }

    /// <summary>The DER SubjectPublicKeyInfo of this key.</summary>
    public byte[] ExportSubjectPublicKeyInfo() => KeyType switch
    {
        SignatureKeyType.Rsa => rsa!.ExportSubjectPublicKeyInfo(),
        SignatureKeyType.Ed25519 or SignatureKeyType.Ed448 =>
            Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(edwards!).GetDerEncoded(),
        _ => ecdsa!.ExportSubjectPublicKeyInfo(),
    };

    /// <summary>
    /// Checks a signature over <paramref name="data"/>. False for any signature that does not
    /// verify, whatever its length or encoding; never throws on the signature bytes.
    /// </summary>
    internal bool Verify(SignatureScheme scheme, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, DSASignatureFormat ecdsaFormat)
    {
        if (!scheme.FitsKey(KeyType))
        {
            return false;
        }

        try
        {
            switch (KeyType)
            {
                case SignatureKeyType.Rsa:
                    RSASignaturePadding padding = scheme is SignatureScheme.RsaPssSha256 or SignatureScheme.RsaPssSha384 or SignatureScheme.RsaPssSha512
                        ? RSASignaturePadding.Pss
                        : RSASignaturePadding.Pkcs1;
                    return rsa!.VerifyData(data, signature, scheme.HashName(), padding);
                case SignatureKeyType.Ed25519:
                {
                    var verifier = new Ed25519Signer();
                    verifier.Init(false, edwards);
                    verifier.BlockUpdate(data);
                    return verifier.VerifySignature(signature.ToArray());
                }

                case SignatureKeyType.Ed448:
                {
                    var verifier = new Ed448Signer([]); // RFC 8420 §2: Ed448 with an empty context
                    verifier.Init(false, edwards);
                    verifier.BlockUpdate(data);
                    return verifier.VerifySignature(signature.ToArray());
                }

                default:
                    return ecdsa!.VerifyData(data, signature, scheme.HashName(), ecdsaFormat);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        rsa?.Dispose();
        ecdsa?.Dispose();
    }

    public override string ToString() => KeyType == SignatureKeyType.Rsa ? $"RSA {KeySize}-bit public key" : $"{KeyType.DisplayName()} public key";

    internal static SignatureKeyType? CurveType(string? curveOid) => curveOid switch
    {
        CurveP256 => SignatureKeyType.EcdsaP256,
        CurveP384 => SignatureKeyType.EcdsaP384,
        CurveP521 => SignatureKeyType.EcdsaP521,
        _ => null,
    };

    internal static string AlgorithmName(string oid) => oid switch
    {
        RsaEncryption => "RSA",
        IdEcPublicKey => "EC",
        SignatureAlgorithmIdentifier.IdEd25519 => "Ed25519",
        SignatureAlgorithmIdentifier.IdEd448 => "Ed448",
        _ => oid,
    };

    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
    private static void ReadSpkiAlgorithm(byte[] spki, out string algorithm, out string? curve)
    {
        var reader = new AsnReader(spki, AsnEncodingRules.DER);
        AsnReader info = reader.ReadSequence();
        AsnReader algorithmIdentifier = info.ReadSequence();
        algorithm = algorithmIdentifier.ReadObjectIdentifier();
        curve = algorithm == IdEcPublicKey && algorithmIdentifier.HasData && algorithmIdentifier.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)
            ? algorithmIdentifier.ReadObjectIdentifier()
            : null;
    }
}
