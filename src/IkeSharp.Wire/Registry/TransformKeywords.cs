using System.Globalization;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire;

/// <summary>
/// strongSwan's proposal keywords (aes256gcm16, prfsha384, sha256, modp2048, x25519, esn), the
/// names VPN engineers already use, for printing transforms and proposals. Parsing them into
/// proposals belongs to IkeSharp.Crypto's algorithm registry, which knows what is supported.
/// </summary>
public static class TransformKeywords
{
    public static string Format(Transform transform) => transform.Type switch
    {
        TransformType.Encryption => ToKeyword((EncryptionAlgorithm)transform.Id, transform.KeyLength),
        TransformType.Prf => ToKeyword((PseudorandomFunction)transform.Id),
        TransformType.Integrity => ToKeyword((IntegrityAlgorithm)transform.Id),
        TransformType.KeyExchange => ToKeyword((KeyExchangeMethod)transform.Id),
        TransformType.SequenceNumbers => ToKeyword((SequenceNumbers)transform.Id),
        >= TransformType.AdditionalKeyExchange1 and <= TransformType.AdditionalKeyExchange7 =>
            $"ke{(int)transform.Type - (int)TransformType.AdditionalKeyExchange1 + 1}_{ToKeyword((KeyExchangeMethod)transform.Id)}",
        _ => $"transform{(byte)transform.Type}:{transform.Id}",
    };

    /// <summary>
    /// A proposal as strongSwan writes it: encryption, integrity, PRF, key exchange, ESN, joined by
    /// '-'. The PRF is left out when it is the one a single integrity keyword implies (strongSwan
    /// reads "sha256" in an IKE proposal as both HMAC_SHA2_256_128 and PRF_HMAC_SHA2_256), and a
    /// lone "noesn" is left out since it is the default.
    /// </summary>
    public static string FormatProposal(IReadOnlyList<Transform> transforms)
    {
        var parts = new List<string>(transforms.Count);
        Transform? onlyIntegrity = Single(transforms, TransformType.Integrity);
        Transform? onlyPrf = Single(transforms, TransformType.Prf);
        bool prfImplied = onlyIntegrity is not null && onlyPrf is not null &&
            ImpliedPrf((IntegrityAlgorithm)onlyIntegrity.Id) == (PseudorandomFunction)onlyPrf.Id;
        Transform? onlyEsn = Single(transforms, TransformType.SequenceNumbers);
        bool esnDefault = onlyEsn is not null && (SequenceNumbers)onlyEsn.Id == SequenceNumbers.NoEsn;

        for (int rank = 0; rank <= 6; rank++)
        {
            foreach (Transform t in transforms)
            {
                if (Rank(t.Type) != rank || (t.Type == TransformType.Prf && prfImplied) || (t.Type == TransformType.SequenceNumbers && esnDefault))
                {
                    continue;
                }

                parts.Add(Format(t));
            }
        }

        return parts.Count == 0 ? "(no transforms)" : string.Join("-", parts);
    }

    /// <summary>Order of the keywords in strongSwan's notation; 6 for types it has no place for.</summary>
    private static int Rank(TransformType type) => type switch
    {
        TransformType.Encryption => 0,
        TransformType.Integrity => 1,
        TransformType.Prf => 2,
        TransformType.KeyExchange => 3,
        >= TransformType.AdditionalKeyExchange1 and <= TransformType.AdditionalKeyExchange7 => 4,
        TransformType.SequenceNumbers => 5,
        _ => 6,
    };

    private static Transform? Single(IReadOnlyList<Transform> transforms, TransformType type)
    {
        Transform? found = null;
        foreach (Transform t in transforms)
        {
            if (t.Type == type)
            {
                if (found is not null)
                {
                    return null;
                }

                found = t;
            }
        }

        return found;
    }

    private static PseudorandomFunction? ImpliedPrf(IntegrityAlgorithm integrity) => integrity switch
    {
        IntegrityAlgorithm.HmacMd5_96 => PseudorandomFunction.HmacMd5,
        IntegrityAlgorithm.HmacSha1_96 => PseudorandomFunction.HmacSha1,
        IntegrityAlgorithm.AesXcbc96 => PseudorandomFunction.Aes128Xcbc,
        IntegrityAlgorithm.AesCmac96 => PseudorandomFunction.Aes128Cmac,
        IntegrityAlgorithm.HmacSha2_256_128 => PseudorandomFunction.HmacSha2_256,
        IntegrityAlgorithm.HmacSha2_384_192 => PseudorandomFunction.HmacSha2_384,
        IntegrityAlgorithm.HmacSha2_512_256 => PseudorandomFunction.HmacSha2_512,
        _ => null,
    };

    public static string ToKeyword(this EncryptionAlgorithm algorithm, int? keyLength)
    {
        string bits = keyLength?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        return algorithm switch
        {
            EncryptionAlgorithm.AesCbc => $"aes{bits}",
            EncryptionAlgorithm.AesCtr => $"aes{bits}ctr",
            EncryptionAlgorithm.AesCcm8 => $"aes{bits}ccm8",
            EncryptionAlgorithm.AesCcm12 => $"aes{bits}ccm12",
            EncryptionAlgorithm.AesCcm16 => $"aes{bits}ccm16",
            EncryptionAlgorithm.AesGcm8 => $"aes{bits}gcm8",
            EncryptionAlgorithm.AesGcm12 => $"aes{bits}gcm12",
            EncryptionAlgorithm.AesGcm16 => $"aes{bits}gcm16",
            EncryptionAlgorithm.NullAuthAesGmac => $"aes{bits}gmac",
            EncryptionAlgorithm.CamelliaCbc => $"camellia{bits}",
            EncryptionAlgorithm.CamelliaCtr => $"camellia{bits}ctr",
            EncryptionAlgorithm.CamelliaCcm8 => $"camellia{bits}ccm8",
            EncryptionAlgorithm.CamelliaCcm12 => $"camellia{bits}ccm12",
            EncryptionAlgorithm.CamelliaCcm16 => $"camellia{bits}ccm16",
            EncryptionAlgorithm.Chacha20Poly1305 => "chacha20poly1305",
            EncryptionAlgorithm.Null => "null",
            EncryptionAlgorithm.TripleDes => "3des",
            EncryptionAlgorithm.Des => "des",
            EncryptionAlgorithm.Blowfish => $"blowfish{bits}",
            EncryptionAlgorithm.Cast => $"cast{bits}",
            _ => keyLength is null ? algorithm.ToIanaName() : $"{algorithm.ToIanaName()}_{bits}",
        };
    }

    public static string ToKeyword(this PseudorandomFunction prf) => prf switch
    {
        PseudorandomFunction.HmacMd5 => "prfmd5",
        PseudorandomFunction.HmacSha1 => "prfsha1",
        PseudorandomFunction.Aes128Xcbc => "prfaesxcbc",
        PseudorandomFunction.HmacSha2_256 => "prfsha256",
        PseudorandomFunction.HmacSha2_384 => "prfsha384",
        PseudorandomFunction.HmacSha2_512 => "prfsha512",
        PseudorandomFunction.Aes128Cmac => "prfaescmac",
        _ => prf.ToIanaName(),
    };

    public static string ToKeyword(this IntegrityAlgorithm integrity) => integrity switch
    {
        IntegrityAlgorithm.None => "none",
        IntegrityAlgorithm.HmacMd5_96 => "md5",
        IntegrityAlgorithm.HmacSha1_96 => "sha1",
        IntegrityAlgorithm.AesXcbc96 => "aesxcbc",
        IntegrityAlgorithm.AesCmac96 => "aescmac",
        IntegrityAlgorithm.HmacMd5_128 => "md5_128",
        IntegrityAlgorithm.HmacSha1_160 => "sha1_160",
        IntegrityAlgorithm.HmacSha2_256_128 => "sha256",
        IntegrityAlgorithm.HmacSha2_384_192 => "sha384",
        IntegrityAlgorithm.HmacSha2_512_256 => "sha512",
        _ => integrity.ToIanaName(),
    };

    public static string ToKeyword(this KeyExchangeMethod method) => method switch
    {
        KeyExchangeMethod.None => "none",
        KeyExchangeMethod.Modp768 => "modp768",
        KeyExchangeMethod.Modp1024 => "modp1024",
        KeyExchangeMethod.Modp1536 => "modp1536",
        KeyExchangeMethod.Modp2048 => "modp2048",
        KeyExchangeMethod.Modp3072 => "modp3072",
        KeyExchangeMethod.Modp4096 => "modp4096",
        KeyExchangeMethod.Modp6144 => "modp6144",
        KeyExchangeMethod.Modp8192 => "modp8192",
        KeyExchangeMethod.Modp1024s160 => "modp1024s160",
        KeyExchangeMethod.Modp2048s224 => "modp2048s224",
        KeyExchangeMethod.Modp2048s256 => "modp2048s256",
        KeyExchangeMethod.Ecp192 => "ecp192",
        KeyExchangeMethod.Ecp224 => "ecp224",
        KeyExchangeMethod.Ecp256 => "ecp256",
        KeyExchangeMethod.Ecp384 => "ecp384",
        KeyExchangeMethod.Ecp521 => "ecp521",
        KeyExchangeMethod.Brainpool224 => "ecp224bp",
        KeyExchangeMethod.Brainpool256 => "ecp256bp",
        KeyExchangeMethod.Brainpool384 => "ecp384bp",
        KeyExchangeMethod.Brainpool512 => "ecp512bp",
        KeyExchangeMethod.Curve25519 => "x25519",
        KeyExchangeMethod.Curve448 => "x448",
        KeyExchangeMethod.MlKem512 => "mlkem512",
        KeyExchangeMethod.MlKem768 => "mlkem768",
        KeyExchangeMethod.MlKem1024 => "mlkem1024",
        _ => $"ke{((ushort)method).ToString(CultureInfo.InvariantCulture)}",
    };

    public static string ToKeyword(this SequenceNumbers esn) => esn switch
    {
        SequenceNumbers.NoEsn => "noesn",
        SequenceNumbers.Esn => "esn",
        _ => $"esn{((ushort)esn).ToString(CultureInfo.InvariantCulture)}",
    };
}
