using System.Formats.Asn1;
using System.Numerics;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// The ASN.1 AlgorithmIdentifier that method-14 AUTH data starts with (RFC 7427 §3), DER encoded:
/// <code>
/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
/// </code>
/// Encodings as in RFC 7427 Appendix A: sha*WithRSAEncryption with NULL parameters (A.1),
/// ecdsa-with-SHA* without parameters (A.3), RSASSA-PSS with explicit RSASSA-PSS-params (A.4.3,
/// RFC 4055 §3.1; trailerField 1 is the DEFAULT and so left out); id-Ed25519/id-Ed448 without
/// parameters (RFC 8420 §2, RFC 8410 §3).
/// </summary>
public static class SignatureAlgorithmIdentifier
{
    internal const string Sha1WithRsaEncryption = "1.2.840.113549.1.1.5";
    internal const string Sha256WithRsaEncryption = "1.2.840.113549.1.1.11";
    internal const string Sha384WithRsaEncryption = "1.2.840.113549.1.1.12";
    internal const string Sha512WithRsaEncryption = "1.2.840.113549.1.1.13";
    internal const string RsassaPss = "1.2.840.113549.1.1.10";
    internal const string Mgf1 = "1.2.840.113549.1.1.8";
    internal const string Sha1 = "1.3.14.3.2.26";
    internal const string Sha256 = "2.16.840.1.101.3.4.2.1";
    internal const string Sha384 = "2.16.840.1.101.3.4.2.2";
    internal const string Sha512 = "2.16.840.1.101.3.4.2.3";
    internal const string EcdsaWithSha1 = "1.2.840.10045.4.1";
    internal const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    internal const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    internal const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";
    internal const string IdEd25519 = "1.3.101.112";
    internal const string IdEd448 = "1.3.101.113";

    /// <summary>The DER AlgorithmIdentifier for <paramref name="scheme"/>.</summary>
    public static byte[] Encode(SignatureScheme scheme)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            switch (scheme)
            {
                case SignatureScheme.RsaPkcs1Sha1:
                case SignatureScheme.RsaPkcs1Sha256:
                case SignatureScheme.RsaPkcs1Sha384:
                case SignatureScheme.RsaPkcs1Sha512:
                    writer.WriteObjectIdentifier(scheme switch
                    {
                        SignatureScheme.RsaPkcs1Sha1 => Sha1WithRsaEncryption,
                        SignatureScheme.RsaPkcs1Sha256 => Sha256WithRsaEncryption,
                        SignatureScheme.RsaPkcs1Sha384 => Sha384WithRsaEncryption,
                        _ => Sha512WithRsaEncryption,
                    });
                    writer.WriteNull(); // RFC 4055 §5: parameters MUST be NULL
                    break;
                case SignatureScheme.RsaPssSha256:
                case SignatureScheme.RsaPssSha384:
                case SignatureScheme.RsaPssSha512:
                    writer.WriteObjectIdentifier(RsassaPss);
                    WritePssParameters(writer, scheme);
                    break;
                case SignatureScheme.EcdsaSha256:
                case SignatureScheme.EcdsaSha384:
                case SignatureScheme.EcdsaSha512:
                    // RFC 5758 §3.2: the parameters field MUST be absent.
                    writer.WriteObjectIdentifier(scheme switch
                    {
                        SignatureScheme.EcdsaSha256 => EcdsaWithSha256,
                        SignatureScheme.EcdsaSha384 => EcdsaWithSha384,
                        _ => EcdsaWithSha512,
                    });
                    break;
                case SignatureScheme.Ed25519:
                    writer.WriteObjectIdentifier(IdEd25519); // RFC 8410 §3: parameters MUST be absent
                    break;
                case SignatureScheme.Ed448:
                    writer.WriteObjectIdentifier(IdEd448);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null);
            }
        }

        return writer.Encode();
    }

    // RSASSA-PSS-params (RFC 4055 §3.1) with hash, MGF1 over the same hash, salt = hash length.
    private static void WritePssParameters(AsnWriter writer, SignatureScheme scheme)
    {
        string hash = HashOid(scheme);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                WriteHashAlgorithm(writer, hash);
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Mgf1);
                WriteHashAlgorithm(writer, hash);
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                writer.WriteInteger(HashLength(hash));
            }

            // trailerField [3] is trailerFieldBC(1), the DEFAULT, which DER leaves out.
        }
    }

    private static void WriteHashAlgorithm(AsnWriter writer, string oid)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteNull(); // RFC 4055 §2.1: NULL, as RFC 7427 A.4.3 and OpenSSL write it
        }
    }

    private static string HashOid(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.RsaPssSha256 => Sha256,
        SignatureScheme.RsaPssSha384 => Sha384,
        _ => Sha512,
    };

    private static int HashLength(string hashOid) => hashOid switch
    {
        Sha1 => 20,
        Sha256 => 32,
        Sha384 => 48,
        Sha512 => 64,
        _ => 0,
    };

    /// <summary>
    /// Reads a peer's AlgorithmIdentifier. Anything this implementation does not support, or
    /// supports only with other parameters, fails with a sentence that says what was found.
    /// Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> der, out SignatureScheme scheme, out string error)
    {
        scheme = default;
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            AsnReader sequence = reader.ReadSequence();
            if (reader.HasData)
            {
                error = "AlgorithmIdentifier has trailing octets";
                return false;
            }

            string oid = sequence.ReadObjectIdentifier();
            ReadOnlyMemory<byte>? parameters = sequence.HasData ? sequence.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
            if (sequence.HasData)
            {
                error = $"AlgorithmIdentifier {oid} has more than one parameters field";
                return false;
            }

            return TryInterpret(oid, parameters, out scheme, out error);
        }
        catch (AsnContentException e)
        {
            error = $"AlgorithmIdentifier is not valid DER: {e.Message}";
            return false;
        }
    }

    private static bool TryInterpret(string oid, ReadOnlyMemory<byte>? parameters, out SignatureScheme scheme, out string error)
    {
        scheme = default;
        error = string.Empty;
        switch (oid)
        {
            case Sha1WithRsaEncryption:
            case Sha256WithRsaEncryption:
            case Sha384WithRsaEncryption:
            case Sha512WithRsaEncryption:
                // RFC 4055 §5 wants NULL; an absent field is accepted, as OpenSSL and strongSwan do.
                if (parameters is { } p && !IsNull(p.Span))
                {
                    error = $"{NameOf(oid)} must have NULL parameters";
                    return false;
                }

                scheme = oid switch
                {
                    Sha1WithRsaEncryption => SignatureScheme.RsaPkcs1Sha1,
                    Sha256WithRsaEncryption => SignatureScheme.RsaPkcs1Sha256,
                    Sha384WithRsaEncryption => SignatureScheme.RsaPkcs1Sha384,
                    _ => SignatureScheme.RsaPkcs1Sha512,
                };
                return true;

            case EcdsaWithSha256:
            case EcdsaWithSha384:
            case EcdsaWithSha512:
            case IdEd25519:
            case IdEd448:
                if (parameters is not null)
                {
                    error = $"{NameOf(oid)} must have no parameters (RFC 5758 §3.2, RFC 8410 §3)";
                    return false;
                }

                scheme = oid switch
                {
                    EcdsaWithSha256 => SignatureScheme.EcdsaSha256,
                    EcdsaWithSha384 => SignatureScheme.EcdsaSha384,
                    EcdsaWithSha512 => SignatureScheme.EcdsaSha512,
                    IdEd25519 => SignatureScheme.Ed25519,
                    _ => SignatureScheme.Ed448,
                };
                return true;

            case RsassaPss:
                return TryInterpretPss(parameters, out scheme, out error);

            case EcdsaWithSha1:
                error = "ecdsa-with-SHA1 is not supported (SHA-1 signatures are refused, RFC 8247 §3.1)";
                return false;

            default:
                error = $"signature algorithm {NameOf(oid)} is not supported; supported are sha256/384/512WithRSAEncryption, RSASSA-PSS with SHA-256/384/512, ecdsa-with-SHA256/384/512, Ed25519 and Ed448";
                return false;
        }
    }

    private static bool TryInterpretPss(ReadOnlyMemory<byte>? parameters, out SignatureScheme scheme, out string error)
    {
        scheme = default;
        if (parameters is null)
        {
            error = "RSASSA-PSS without parameters means SHA-1, which is not supported";
            return false;
        }

        // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1]
        // DEFAULT mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT 1 } (RFC 4055 §3.1).
        var outer = new AsnReader(parameters.Value, AsnEncodingRules.DER);
        AsnReader fields = outer.ReadSequence();
        string hash = Sha1;
        string mgf = Mgf1;
        string mgfHash = Sha1;
        BigInteger salt = 20;
        BigInteger trailer = 1;
        var tag0 = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        var tag1 = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
        var tag2 = new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true);
        var tag3 = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);
        if (fields.HasData && fields.PeekTag().HasSameClassAndValue(tag0))
        {
            AsnReader explicitHash = fields.ReadSequence(tag0);
            if (!TryReadHashAlgorithm(explicitHash.ReadSequence(), out hash, out error))
            {
                return false;
            }
        }

        if (fields.HasData && fields.PeekTag().HasSameClassAndValue(tag1))
        {
            AsnReader mgfAlgorithm = fields.ReadSequence(tag1).ReadSequence();
            mgf = mgfAlgorithm.ReadObjectIdentifier();
            if (mgf != Mgf1)
            {
                error = $"RSASSA-PSS mask generation function {mgf} is not supported; only MGF1 is";
                return false;
            }

            if (!TryReadHashAlgorithm(mgfAlgorithm.ReadSequence(), out mgfHash, out error))
            {
                return false;
            }
        }

        if (fields.HasData && fields.PeekTag().HasSameClassAndValue(tag2))
        {
            salt = fields.ReadSequence(tag2).ReadInteger();
        }

        if (fields.HasData && fields.PeekTag().HasSameClassAndValue(tag3))
        {
            trailer = fields.ReadSequence(tag3).ReadInteger();
        }

        if (fields.HasData || outer.HasData)
        {
            error = "RSASSA-PSS parameters have unexpected fields";
            return false;
        }

        if (hash == Sha1)
        {
            error = "RSASSA-PSS with SHA-1 is not supported";
            return false;
        }

        if (mgfHash != hash)
        {
            error = $"RSASSA-PSS with {NameOf(hash)} but MGF1 with {NameOf(mgfHash)} is not supported; MGF1 must use the same hash";
            return false;
        }

        if (salt != HashLength(hash))
        {
            error = $"RSASSA-PSS with {NameOf(hash)} and a {salt}-octet salt is not supported; the salt must be {HashLength(hash)} octets, the hash length (RFC 8247 §3.2)";
            return false;
        }

        if (trailer != 1)
        {
            error = $"RSASSA-PSS trailerField {trailer} is not supported; only 1 (0xbc) is";
            return false;
        }

        scheme = hash switch
        {
            Sha256 => SignatureScheme.RsaPssSha256,
            Sha384 => SignatureScheme.RsaPssSha384,
            _ => SignatureScheme.RsaPssSha512,
        };
        error = string.Empty;
        return true;
    }

    private static bool TryReadHashAlgorithm(AsnReader algorithm, out string oid, out string error)
    {
        oid = algorithm.ReadObjectIdentifier();
        if (algorithm.HasData)
        {
            algorithm.ReadNull(); // RFC 4055 §2.1: NULL or absent
        }

        if (algorithm.HasData)
        {
            error = $"hash algorithm {NameOf(oid)} has unexpected parameters";
            return false;
        }

        if (oid is not (Sha1 or Sha256 or Sha384 or Sha512))
        {
            error = $"hash algorithm {NameOf(oid)} is not supported in RSASSA-PSS; SHA-256, SHA-384 and SHA-512 are";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static bool IsNull(ReadOnlySpan<byte> encoded) => encoded.Length == 2 && encoded[0] == 0x05 && encoded[1] == 0x00;

    /// <summary>The usual name of an OID from this family, or the dotted OID itself.</summary>
    internal static string NameOf(string oid) => oid switch
    {
        Sha1WithRsaEncryption => "sha1WithRSAEncryption",
        Sha256WithRsaEncryption => "sha256WithRSAEncryption",
        Sha384WithRsaEncryption => "sha384WithRSAEncryption",
        Sha512WithRsaEncryption => "sha512WithRSAEncryption",
        RsassaPss => "RSASSA-PSS",
        Sha1 => "SHA-1",
        Sha256 => "SHA-256",
        Sha384 => "SHA-384",
        Sha512 => "SHA-512",
        EcdsaWithSha1 => "ecdsa-with-SHA1",
        EcdsaWithSha256 => "ecdsa-with-SHA256",
        EcdsaWithSha384 => "ecdsa-with-SHA384",
        EcdsaWithSha512 => "ecdsa-with-SHA512",
        IdEd25519 => "Ed25519",
        IdEd448 => "Ed448",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-sha256",
        _ => oid,
    };
}
