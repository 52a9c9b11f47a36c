using System.Globalization;
using System.Text.RegularExpressions;
using IkeSharp.Wire;

namespace IkeSharp.Cli.Inspect;

/// <summary>
/// The algorithm names in Wireshark's ikev2_decryption_table ("AES-GCM-128 with 16 octet ICV [RFC5282]",
/// "AES-CBC-256 [RFC3602]", "HMAC_SHA2_256_128 [RFC4868]") mapped to IANA transforms.
/// </summary>
internal static partial class WiresharkAlgorithmNames
{
    [GeneratedRegex(@"^(?<alg>AES-CBC|AES-CTR|AES-GCM|AES-CCM|CAMELLIA-CBC|CAMELLIA-CTR)-(?<bits>\d+)(?: with (?<icv>\d+) octet ICV)?", RegexOptions.IgnoreCase)]
    private static partial Regex Cipher();

    /// <summary>The encryption transform and key size a table row names, or null with a reason.</summary>
    public static (EncryptionAlgorithm Algorithm, int KeyBits)? Encryption(string name, out string? error)
    {
        error = null;
        string n = name.Trim();
        if (n.StartsWith("NULL", StringComparison.OrdinalIgnoreCase))
        {
            return (EncryptionAlgorithm.Null, 0);
        }

        if (n.StartsWith("CHACHA20", StringComparison.OrdinalIgnoreCase))
        {
            return (EncryptionAlgorithm.Chacha20Poly1305, 256);
        }

        if (n.StartsWith("3DES", StringComparison.OrdinalIgnoreCase))
        {
            return (EncryptionAlgorithm.TripleDes, 192);
        }

        Match m = Cipher().Match(n);
        if (!m.Success)
        {
            error = $"unknown encryption algorithm '{name}'";
            return null;
        }

        int bits = int.Parse(m.Groups["bits"].Value, CultureInfo.InvariantCulture);
        int icv = m.Groups["icv"].Success ? int.Parse(m.Groups["icv"].Value, CultureInfo.InvariantCulture) : 0;
        EncryptionAlgorithm? algorithm = (m.Groups["alg"].Value.ToUpperInvariant(), icv) switch
        {
            ("AES-CBC", _) => EncryptionAlgorithm.AesCbc,
            ("AES-CTR", _) => EncryptionAlgorithm.AesCtr,
            ("AES-GCM", 8) => EncryptionAlgorithm.AesGcm8,
            ("AES-GCM", 12) => EncryptionAlgorithm.AesGcm12,
            ("AES-GCM", 16) => EncryptionAlgorithm.AesGcm16,
            ("AES-CCM", 8) => EncryptionAlgorithm.AesCcm8,
            ("AES-CCM", 12) => EncryptionAlgorithm.AesCcm12,
            ("AES-CCM", 16) => EncryptionAlgorithm.AesCcm16,
            ("CAMELLIA-CBC", _) => EncryptionAlgorithm.CamelliaCbc,
            ("CAMELLIA-CTR", _) => EncryptionAlgorithm.CamelliaCtr,
            _ => null,
        };
        if (algorithm is null)
        {
            error = $"unknown encryption algorithm '{name}'";
            return null;
        }

        return (algorithm.Value, bits);
    }

    /// <summary>The integrity transform a table row names (null for "NONE", as with AEAD ciphers).</summary>
    public static IntegrityAlgorithm? Integrity(string name, out string? error)
    {
        error = null;
        string n = name.Trim().ToUpperInvariant();
        int bracket = n.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            n = n.Substring(0, bracket).Trim();
        }

        IntegrityAlgorithm? result = n switch
        {
            "" or "NONE" => null,
            "HMAC_MD5_96" => IntegrityAlgorithm.HmacMd5_96,
            "HMAC_SHA1_96" => IntegrityAlgorithm.HmacSha1_96,
            "AES_XCBC_96" => IntegrityAlgorithm.AesXcbc96,
            "AES_CMAC_96" => IntegrityAlgorithm.AesCmac96,
            "HMAC_SHA2_256_128" => IntegrityAlgorithm.HmacSha2_256_128,
            "HMAC_SHA2_384_192" => IntegrityAlgorithm.HmacSha2_384_192,
            "HMAC_SHA2_512_256" => IntegrityAlgorithm.HmacSha2_512_256,
            _ => (IntegrityAlgorithm)0xffff,
        };
        if (result == (IntegrityAlgorithm)0xffff)
        {
            error = $"unknown integrity algorithm '{name}'";
            return null;
        }

        return result;
    }
}
