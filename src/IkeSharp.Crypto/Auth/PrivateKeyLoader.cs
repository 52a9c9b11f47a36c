using System.Formats.Asn1;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// Reads our private key from configuration bytes (the daemon reads the file; this takes the
/// bytes). PEM or DER, in any of:
/// <list type="bullet">
/// <item>PKCS#8 PrivateKeyInfo (RFC 5208 §5, RFC 5958; "PRIVATE KEY"): RSA, EC, Ed25519, Ed448 (RFC 8410 §7);</item>
/// <item>PKCS#8 EncryptedPrivateKeyInfo (RFC 5208 §6; "ENCRYPTED PRIVATE KEY"), with a passphrase;</item>
/// <item>PKCS#1 RSAPrivateKey (RFC 8017 Appendix A.1.2; "RSA PRIVATE KEY");</item>
/// <item>SEC1 ECPrivateKey (RFC 5915 §3; "EC PRIVATE KEY").</item>
/// </list>
/// Every failure says what was found and what would be accepted.
/// </summary>
public static class PrivateKeyLoader
{
    private const string Accepted = "PKCS#8 (PRIVATE KEY), encrypted PKCS#8 (ENCRYPTED PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY)";

    /// <summary>Loads PEM text or DER bytes, whichever <paramref name="data"/> holds.</summary>
    public static Outcome<SigningKey> Load(ReadOnlySpan<byte> data, ReadOnlySpan<char> passphrase = default) =>
        PemBlocks.LooksLikePem(data) ? LoadPem(data, passphrase) : LoadDer(data, passphrase);

    /// <summary>Loads the first private key block of PEM text (OpenSSL's EC PARAMETERS block before it is skipped).</summary>
    public static Outcome<SigningKey> LoadPem(string pem, ReadOnlySpan<char> passphrase = default) =>
        LoadPem(System.Text.Encoding.UTF8.GetBytes(pem), passphrase);

    public static Outcome<SigningKey> LoadPem(ReadOnlySpan<byte> pem, ReadOnlySpan<char> passphrase = default)
    {
        Outcome<IReadOnlyList<PemBlock>> blocks = PemBlocks.Read(pem);
        if (!blocks.Succeeded)
        {
            return Outcome<SigningKey>.Fail(blocks.Error!);
        }

        foreach (PemBlock block in blocks.Value!)
        {
            Outcome<SigningKey>? key = block.Label switch
            {
                "PRIVATE KEY" => FromPkcs8(block.Der),
                "ENCRYPTED PRIVATE KEY" => FromEncryptedPkcs8(block.Der, passphrase),
                "RSA PRIVATE KEY" => FromPkcs1(block.Der),
                "EC PRIVATE KEY" => FromSec1(block.Der),
                _ => null,
            };
            if (key is { } result)
            {
                return result.Succeeded ? result : Outcome<SigningKey>.Fail($"PEM block {block.Label} on line {block.Line}: {result.Error}");
            }
        }

        string found = string.Join(", ", blocks.Value!.Select(b => b.Label).Distinct());
        return Outcome<SigningKey>.Fail($"no private key in the PEM text: found {found}; expected {Accepted}");
    }

    /// <summary>Loads DER, telling the four structures apart by their ASN.1 shape.</summary>
    public static Outcome<SigningKey> LoadDer(ReadOnlySpan<byte> der, ReadOnlySpan<char> passphrase = default)
    {
        byte[] bytes = der.ToArray();
        try
        {
            var reader = new AsnReader(bytes, AsnEncodingRules.BER);
            AsnReader sequence = reader.ReadSequence();
            Asn1Tag first = sequence.PeekTag();
            if (first.HasSameClassAndValue(Asn1Tag.Sequence))
            {
                return FromEncryptedPkcs8(bytes, passphrase); // EncryptedPrivateKeyInfo: { AlgorithmIdentifier, OCTET STRING }
            }

            if (first.HasSameClassAndValue(Asn1Tag.Integer))
            {
                sequence.ReadEncodedValue();
                Asn1Tag second = sequence.PeekTag();
                if (second.HasSameClassAndValue(Asn1Tag.Sequence))
                {
                    return FromPkcs8(bytes); // PrivateKeyInfo: { version, AlgorithmIdentifier, OCTET STRING, ... }
                }

                if (second.HasSameClassAndValue(Asn1Tag.Integer))
                {
                    return FromPkcs1(bytes); // RSAPrivateKey: { version, modulus, publicExponent, ... }
                }

                if (second.HasSameClassAndValue(Asn1Tag.PrimitiveOctetString))
                {
                    return FromSec1(bytes); // ECPrivateKey: { version 1, privateKey OCTET STRING, [0], [1] }
                }
            }
        }
        catch (AsnContentException)
        {
            // Falls through to the message below.
        }

        return Outcome<SigningKey>.Fail($"not a private key in DER: expected {Accepted}");
    }

    private static Outcome<SigningKey> FromPkcs8(byte[] der)
    {
        string algorithm;
        string? curve;
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            reader.ReadInteger();
            AsnReader algorithmIdentifier = reader.ReadSequence();
            algorithm = algorithmIdentifier.ReadObjectIdentifier();
            curve = algorithmIdentifier.HasData && algorithmIdentifier.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)
                ? algorithmIdentifier.ReadObjectIdentifier()
                : null;
        }
        catch (AsnContentException e)
        {
            return Outcome<SigningKey>.Fail($"malformed PKCS#8 PrivateKeyInfo: {e.Message}");
        }

        try
        {
            switch (algorithm)
            {
                case VerificationKey.RsaEncryption:
                {
                    var rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(der, out _);
                    return Outcome<SigningKey>.Success(SigningKey.FromRsa(rsa));
                }

                case VerificationKey.IdEcPublicKey:
                {
                    if (VerificationKey.CurveType(curve) is null)
                    {
                        return Outcome<SigningKey>.Fail($"EC key on curve {curve ?? "(explicit parameters)"} is not supported; P-256, P-384 and P-521 are");
                    }

                    var ecdsa = ECDsa.Create();
                    ecdsa.ImportPkcs8PrivateKey(der, out _);
                    return Outcome<SigningKey>.Success(SigningKey.FromEcdsa(ecdsa));
                }

                case SignatureAlgorithmIdentifier.IdEd25519:
                case SignatureAlgorithmIdentifier.IdEd448:
                    return Org.BouncyCastle.Security.PrivateKeyFactory.CreateKey(der) switch
                    {
                        Ed25519PrivateKeyParameters ed25519 => Outcome<SigningKey>.Success(SigningKey.FromEd25519(ed25519)),
                        Ed448PrivateKeyParameters ed448 => Outcome<SigningKey>.Success(SigningKey.FromEd448(ed448)),
                        _ => Outcome<SigningKey>.Fail($"PKCS#8 {VerificationKey.AlgorithmName(algorithm)} key could not be read"),
                    };

                default:
                    return Outcome<SigningKey>.Fail($"PKCS#8 key algorithm {algorithm} is not supported; RSA, EC (P-256/384/521), Ed25519 and Ed448 are");
            }
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            return Outcome<SigningKey>.Fail($"malformed PKCS#8 {VerificationKey.AlgorithmName(algorithm)} private key: {e.Message}");
        }
    }

    private static Outcome<SigningKey> FromEncryptedPkcs8(byte[] der, ReadOnlySpan<char> passphrase)
    {
        if (passphrase.IsEmpty)
        {
            return Outcome<SigningKey>.Fail("the private key is encrypted (PKCS#8 EncryptedPrivateKeyInfo) and no passphrase was given");
        }

        byte[] plain;
        try
        {
            var info = Org.BouncyCastle.Asn1.Pkcs.EncryptedPrivateKeyInfo.GetInstance(der);
            plain = Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(passphrase.ToArray(), info).GetDerEncoded();
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.SecurityUtilityException)
        {
            return Outcome<SigningKey>.Fail($"the encrypted PKCS#8 key uses an encryption scheme that is not supported: {e.Message}");
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            return Outcome<SigningKey>.Fail("cannot decrypt the PKCS#8 private key: wrong passphrase, or the key is damaged");
        }

        try
        {
            Outcome<SigningKey> key = FromPkcs8(plain);
            return key.Succeeded ? key : Outcome<SigningKey>.Fail($"cannot decrypt the PKCS#8 private key: wrong passphrase, or the key is damaged ({key.Error})");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static Outcome<SigningKey> FromPkcs1(byte[] der)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportRSAPrivateKey(der, out _);
            return Outcome<SigningKey>.Success(SigningKey.FromRsa(rsa));
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            return Outcome<SigningKey>.Fail($"malformed PKCS#1 RSAPrivateKey: {e.Message}");
        }
    }

    private static Outcome<SigningKey> FromSec1(byte[] der)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportECPrivateKey(der, out _);
            if (VerificationKey.CurveType(ecdsa.ExportParameters(false).Curve.Oid?.Value) is null)
            {
                ecdsa.Dispose();
                return Outcome<SigningKey>.Fail("SEC1 EC key is not on P-256, P-384 or P-521");
            }

            return Outcome<SigningKey>.Success(SigningKey.FromEcdsa(ecdsa));
        }
        catch (CryptographicException e)
        {
            ecdsa.Dispose();
            return Outcome<SigningKey>.Fail($"malformed SEC1 ECPrivateKey: {e.Message}");
        }
    }

    internal static bool IsDecodeFailure(Exception e) =>
        e is CryptographicException or ArgumentException or InvalidOperationException or IOException or FormatException or InvalidCastException
            or Org.BouncyCastle.Crypto.CryptoException;
}
