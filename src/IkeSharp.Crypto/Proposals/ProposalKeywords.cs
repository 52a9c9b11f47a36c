using System.Collections.Frozen;
using System.Globalization;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Proposals;

/// <summary>
/// One strongSwan proposal keyword (src/libstrongswan/crypto/proposal/proposal_keywords_static.txt)
/// and the transform it stands for. <see cref="IsCanonical"/> marks the spelling
/// <see cref="TransformKeywords"/> prints; the others are aliases.
/// </summary>
public sealed record ProposalKeyword(string Keyword, TransformType Type, ushort Id, int? KeyBits, string? WeakReason)
{
    public Transform ToTransform() => Type == TransformType.Encryption
        ? Transform.Encryption((EncryptionAlgorithm)Id, KeyBits)
        : new Transform(Type, Id);

    public bool IsCanonical => TransformKeywords.Format(ToTransform()) == Keyword;

    /// <summary>True when this keyword names the same transform (type, id and key length).</summary>
    internal bool SameTransform(ProposalKeyword other) => Type == other.Type && Id == other.Id && KeyBits == other.KeyBits;
}

/// <summary>
/// The keyword table: every IANA-numbered transform strongSwan has a keyword for, with its
/// aliases (aes128gcm128 = aes128gcm16, curve25519 = x25519, sha2_256 = sha256, ...), and the
/// keN_ prefix for additional key exchanges (RFC 9370). Weak ones carry the reason they are weak.
/// Immutable.
/// </summary>
public static class ProposalKeywords
{
    private const string Rfc8247Encryption = "RFC 8247 §2.1";
    private const string Rfc8247Prf = "RFC 8247 §2.2";
    private const string Rfc8247Integrity = "RFC 8247 §2.3";
    private const string Rfc8247Ke = "RFC 8247 §2.4";

    /// <summary>Every keyword, canonical spellings before their aliases, in the order suggestions prefer.</summary>
    public static IReadOnlyList<ProposalKeyword> All { get; } = Build().AsReadOnly();

    private static readonly FrozenDictionary<string, ProposalKeyword> ByKeyword =
        All.ToFrozenDictionary(k => k.Keyword, StringComparer.Ordinal);

    /// <summary>
    /// The entry for <paramref name="keyword"/> (lower case), including keN_ forms such as
    /// ke1_mlkem768, which map to Additional Key Exchange N; null when there is none.
    /// </summary>
    public static ProposalKeyword? Find(string keyword)
    {
        if (ByKeyword.TryGetValue(keyword, out ProposalKeyword? entry))
        {
            return entry;
        }

        // ke1_ .. ke7_ prefix a key exchange keyword (strongSwan 6, RFC 9370).
        if (keyword.Length > 4 && keyword.StartsWith("ke", StringComparison.Ordinal) && keyword[3] == '_' &&
            keyword[2] is >= '1' and <= '7' &&
            ByKeyword.TryGetValue(keyword.Substring(4), out ProposalKeyword? method) && method.Type == TransformType.KeyExchange)
        {
            int n = keyword[2] - '0';
            return method with
            {
                Keyword = keyword,
                Type = TransformType.AdditionalKeyExchange1 + (byte)(n - 1),
            };
        }

        return null;
    }

    /// <summary>True for combined-mode (AEAD) encryption, which takes no integrity transform (RFC 5282 §8).</summary>
    public static bool IsAead(EncryptionAlgorithm algorithm) => algorithm is
        EncryptionAlgorithm.AesCcm8 or EncryptionAlgorithm.AesCcm12 or EncryptionAlgorithm.AesCcm16 or
        EncryptionAlgorithm.AesGcm8 or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16 or
        EncryptionAlgorithm.NullAuthAesGmac or
        EncryptionAlgorithm.CamelliaCcm8 or EncryptionAlgorithm.CamelliaCcm12 or EncryptionAlgorithm.CamelliaCcm16 or
        EncryptionAlgorithm.Chacha20Poly1305 or
        EncryptionAlgorithm.AesCcm8Iiv or EncryptionAlgorithm.AesGcm16Iiv or EncryptionAlgorithm.Chacha20Poly1305Iiv;

    /// <summary>Encryption that ESP may use but IKE must not (RFC 7296 §3.3.2 for NULL; RFC 4543 defines GMAC for ESP and AH only).</summary>
    public static bool IsEspOnly(EncryptionAlgorithm algorithm) => algorithm is EncryptionAlgorithm.Null or EncryptionAlgorithm.NullAuthAesGmac;

    private static List<ProposalKeyword> Build()
    {
        var list = new List<ProposalKeyword>();
        void Add(string keyword, TransformType type, ushort id, int? bits = null, string? weak = null) =>
            list.Add(new ProposalKeyword(keyword, type, id, bits, weak));
        void Encr(string keyword, EncryptionAlgorithm id, int? bits = null, string? weak = null) =>
            Add(keyword, TransformType.Encryption, (ushort)id, bits, weak);
        void Integ(string keyword, IntegrityAlgorithm id, string? weak = null) => Add(keyword, TransformType.Integrity, (ushort)id, null, weak);
        void Prf(string keyword, PseudorandomFunction id, string? weak = null) => Add(keyword, TransformType.Prf, (ushort)id, null, weak);
        void Ke(string keyword, KeyExchangeMethod id, string? weak = null) => Add(keyword, TransformType.KeyExchange, (ushort)id, null, weak);

        int[] sizes = [128, 192, 256];

        // Encryption: canonical spellings first (the order suggestions offer them in).
        foreach (int bits in sizes)
        {
            string b = bits.ToString(CultureInfo.InvariantCulture);
            Encr($"aes{b}", EncryptionAlgorithm.AesCbc, bits);
            Encr($"aes{b}ctr", EncryptionAlgorithm.AesCtr, bits);
            Encr($"aes{b}gcm16", EncryptionAlgorithm.AesGcm16, bits);
            Encr($"aes{b}gcm12", EncryptionAlgorithm.AesGcm12, bits);
            Encr($"aes{b}gcm8", EncryptionAlgorithm.AesGcm8, bits);
            Encr($"aes{b}ccm16", EncryptionAlgorithm.AesCcm16, bits);
            Encr($"aes{b}ccm12", EncryptionAlgorithm.AesCcm12, bits);
            Encr($"aes{b}ccm8", EncryptionAlgorithm.AesCcm8, bits);
            Encr($"aes{b}gmac", EncryptionAlgorithm.NullAuthAesGmac, bits);
        }

        Encr("chacha20poly1305", EncryptionAlgorithm.Chacha20Poly1305);
        Encr("3des", EncryptionAlgorithm.TripleDes);
        Encr("des", EncryptionAlgorithm.Des, weak: $"single DES has a 56-bit key ({Rfc8247Encryption} rules it out)");
        Encr("null", EncryptionAlgorithm.Null);
        foreach (int bits in sizes)
        {
            string b = bits.ToString(CultureInfo.InvariantCulture);
            Encr($"camellia{b}", EncryptionAlgorithm.CamelliaCbc, bits);
            Encr($"camellia{b}ctr", EncryptionAlgorithm.CamelliaCtr, bits);
            Encr($"camellia{b}ccm16", EncryptionAlgorithm.CamelliaCcm16, bits);
            Encr($"camellia{b}ccm12", EncryptionAlgorithm.CamelliaCcm12, bits);
            Encr($"camellia{b}ccm8", EncryptionAlgorithm.CamelliaCcm8, bits);
            Encr($"blowfish{b}", EncryptionAlgorithm.Blowfish, bits);
        }

        Encr("cast128", EncryptionAlgorithm.Cast, 128);

        // Integrity.
        Integ("sha256", IntegrityAlgorithm.HmacSha2_256_128);
        Integ("sha384", IntegrityAlgorithm.HmacSha2_384_192);
        Integ("sha512", IntegrityAlgorithm.HmacSha2_512_256);
        Integ("sha1", IntegrityAlgorithm.HmacSha1_96);
        Integ("aesxcbc", IntegrityAlgorithm.AesXcbc96);
        Integ("aescmac", IntegrityAlgorithm.AesCmac96);
        Integ("sha1_160", IntegrityAlgorithm.HmacSha1_160);
        Integ("md5", IntegrityAlgorithm.HmacMd5_96, $"HMAC-MD5 ({Rfc8247Integrity} rules it out)");
        Integ("md5_128", IntegrityAlgorithm.HmacMd5_128, $"HMAC-MD5 ({Rfc8247Integrity} rules it out)");

        // PRF.
        Prf("prfsha256", PseudorandomFunction.HmacSha2_256);
        Prf("prfsha384", PseudorandomFunction.HmacSha2_384);
        Prf("prfsha512", PseudorandomFunction.HmacSha2_512);
        Prf("prfsha1", PseudorandomFunction.HmacSha1);
        Prf("prfaesxcbc", PseudorandomFunction.Aes128Xcbc);
        Prf("prfaescmac", PseudorandomFunction.Aes128Cmac);
        Prf("prfmd5", PseudorandomFunction.HmacMd5, $"PRF_HMAC_MD5 ({Rfc8247Prf} rules it out)");

        // Key exchange.
        Ke("x25519", KeyExchangeMethod.Curve25519);
        Ke("x448", KeyExchangeMethod.Curve448);
        Ke("ecp256", KeyExchangeMethod.Ecp256);
        Ke("ecp384", KeyExchangeMethod.Ecp384);
        Ke("ecp521", KeyExchangeMethod.Ecp521);
        Ke("ecp256bp", KeyExchangeMethod.Brainpool256);
        Ke("ecp384bp", KeyExchangeMethod.Brainpool384);
        Ke("ecp512bp", KeyExchangeMethod.Brainpool512);
        Ke("modp2048", KeyExchangeMethod.Modp2048);
        Ke("modp3072", KeyExchangeMethod.Modp3072);
        Ke("modp4096", KeyExchangeMethod.Modp4096);
        Ke("modp6144", KeyExchangeMethod.Modp6144);
        Ke("modp8192", KeyExchangeMethod.Modp8192);
        Ke("mlkem512", KeyExchangeMethod.MlKem512);
        Ke("mlkem768", KeyExchangeMethod.MlKem768);
        Ke("mlkem1024", KeyExchangeMethod.MlKem1024);
        Ke("ecp192", KeyExchangeMethod.Ecp192);
        Ke("ecp224", KeyExchangeMethod.Ecp224);
        Ke("ecp224bp", KeyExchangeMethod.Brainpool224);
        Ke("modp2048s224", KeyExchangeMethod.Modp2048s224);
        Ke("modp2048s256", KeyExchangeMethod.Modp2048s256);
        Ke("modp1536", KeyExchangeMethod.Modp1536, $"1536-bit MODP (group 5) gives less than 128-bit security ({Rfc8247Ke} advises against it)");
        Ke("modp1024", KeyExchangeMethod.Modp1024, $"1024-bit MODP (group 2) is within reach of precomputation attacks ({Rfc8247Ke} advises against it)");
        Ke("modp1024s160", KeyExchangeMethod.Modp1024s160, $"1024-bit MODP with a 160-bit subgroup (group 22) ({Rfc8247Ke} advises against it)");
        Ke("modp768", KeyExchangeMethod.Modp768, $"768-bit MODP (group 1) is broken ({Rfc8247Ke} rules it out)");
        Ke("none", KeyExchangeMethod.None);

        // Sequence numbers.
        Add("esn", TransformType.SequenceNumbers, (ushort)SequenceNumbers.Esn);
        Add("noesn", TransformType.SequenceNumbers, (ushort)SequenceNumbers.NoEsn);

        // Aliases strongSwan accepts, after every canonical spelling.
        Encr("aes", EncryptionAlgorithm.AesCbc, 128);
        foreach (int bits in sizes)
        {
            string b = bits.ToString(CultureInfo.InvariantCulture);
            Encr($"aes{b}gcm128", EncryptionAlgorithm.AesGcm16, bits);
            Encr($"aes{b}gcm", EncryptionAlgorithm.AesGcm16, bits);
            Encr($"aes{b}gcm96", EncryptionAlgorithm.AesGcm12, bits);
            Encr($"aes{b}gcm64", EncryptionAlgorithm.AesGcm8, bits);
            Encr($"aes{b}ccm128", EncryptionAlgorithm.AesCcm16, bits);
            Encr($"aes{b}ccm", EncryptionAlgorithm.AesCcm16, bits);
            Encr($"aes{b}ccm96", EncryptionAlgorithm.AesCcm12, bits);
            Encr($"aes{b}ccm64", EncryptionAlgorithm.AesCcm8, bits);
            Encr($"camellia{b}ccm128", EncryptionAlgorithm.CamelliaCcm16, bits);
            Encr($"camellia{b}ccm96", EncryptionAlgorithm.CamelliaCcm12, bits);
            Encr($"camellia{b}ccm64", EncryptionAlgorithm.CamelliaCcm8, bits);
        }

        Encr("camellia", EncryptionAlgorithm.CamelliaCbc, 128);
        Encr("blowfish", EncryptionAlgorithm.Blowfish, 128);
        Integ("sha", IntegrityAlgorithm.HmacSha1_96);
        Integ("sha2_256", IntegrityAlgorithm.HmacSha2_256_128);
        Integ("sha2_384", IntegrityAlgorithm.HmacSha2_384_192);
        Integ("sha2_512", IntegrityAlgorithm.HmacSha2_512_256);
        Ke("curve25519", KeyExchangeMethod.Curve25519);
        Ke("curve448", KeyExchangeMethod.Curve448);
        Ke("modpnone", KeyExchangeMethod.None);
        return list;
    }
}
