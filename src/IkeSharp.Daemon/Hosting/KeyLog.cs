using System.Globalization;
using System.Text;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// The key log for debugging ([daemon] key_log = "PATH"), as SSLKEYLOGFILE is for TLS: for each IKE
/// SA a row of Wireshark's ikev2_decryption_table in PATH.ikev2, and for each Child SA two rows
/// (one per direction) of its esp_sa table in PATH.esp, so a capture of our own traffic decrypts in
/// Wireshark, tshark and <c>ikesharp inspect --keys</c>. Algorithms Wireshark cannot decrypt get a
/// comment line instead. Files are created mode 0600 and appended to.
/// </summary>
public sealed class KeyLog(string path)
{
    private readonly Lock gate = new();

    public string IkePath { get; } = path + ".ikev2";

    public string EspPath { get; } = path + ".esp";

    public void Write(IkeSaKeysExported k)
    {
        ArgumentNullException.ThrowIfNull(k);
        string spiI = k.SpiI.ToString("x16", CultureInfo.InvariantCulture);
        string spiR = k.SpiR.ToString("x16", CultureInfo.InvariantCulture);
        string? encryption = IkeEncryptionName(k.Encryption, k.EncryptionKeyBits);
        string? integrity = IkeIntegrityName(k.Integrity);
        string line = encryption is null || integrity is null
            ? $"# {k.Connection} {spiI} {spiR}: {k.Encryption.ToIanaName()}/{k.Integrity.ToIanaName()} has no Wireshark ikev2_decryption_table name"
            : $"{spiI},{spiR},{Hex(k.SkEi)},{Hex(k.SkEr)},\"{encryption}\",{Hex(k.SkAi)},{Hex(k.SkAr)},\"{integrity}\"";
        Append(IkePath, line);
    }

    public void Write(ChildSaInstalled c)
    {
        ArgumentNullException.ThrowIfNull(c);
        string? encryption = EspEncryptionName(c.Encryption, c.EncryptionKeyBits);
        string? integrity = EspIntegrityName(c.Integrity);
        if (encryption is null || integrity is null)
        {
            Append(EspPath, $"# {c.Connection}/{c.Child} {c.SpiIn:x8}/{c.SpiOut:x8}: {c.Encryption.ToIanaName()}/{c.Integrity.ToIanaName()} has no Wireshark esp_sa name");
            return;
        }

        string family = c.Local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
        string local = c.Local.Address.ToString();
        string remote = c.Remote.Address.ToString();
        Append(EspPath,
            Row(family, remote, local, c.SpiIn, encryption, c.EncryptionKeyIn.ReadOnlySpan, integrity, c.IntegrityKeyIn.ReadOnlySpan) + "\n"
            + Row(family, local, remote, c.SpiOut, encryption, c.EncryptionKeyOut.ReadOnlySpan, integrity, c.IntegrityKeyOut.ReadOnlySpan));
    }

    private static string Row(string family, string source, string destination, uint spi, string encryption, ReadOnlySpan<byte> encryptionKey, string integrity, ReadOnlySpan<byte> integrityKey) =>
        string.Create(CultureInfo.InvariantCulture,
            $"\"{family}\",\"{source}\",\"{destination}\",\"0x{spi:x8}\",\"{encryption}\",\"0x{Hex(encryptionKey)}\",\"{integrity}\",\"{(integrityKey.IsEmpty ? "" : "0x" + Hex(integrityKey))}\"");

    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    private void Append(string file, string text)
    {
        lock (gate)
        {
            if (!File.Exists(file))
            {
                using FileStream created = new(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            }

            File.AppendAllText(file, text + "\n", Encoding.ASCII);
        }
    }

    /// <summary>Wireshark 4's names in the IKEv2 decryption table (packet-isakmp.c).</summary>
    public static string? IkeEncryptionName(EncryptionAlgorithm algorithm, int bits) => algorithm switch
    {
        EncryptionAlgorithm.Null => "NULL [RFC2410]",
        EncryptionAlgorithm.TripleDes => "3DES [RFC2451]",
        EncryptionAlgorithm.AesCbc => $"AES-CBC-{bits} [RFC3602]",
        EncryptionAlgorithm.AesCtr => $"AES-CTR-{bits} [RFC5930]",
        EncryptionAlgorithm.AesGcm8 => $"AES-GCM-{bits} with 8 octet ICV [RFC5282]",
        EncryptionAlgorithm.AesGcm12 => $"AES-GCM-{bits} with 12 octet ICV [RFC5282]",
        EncryptionAlgorithm.AesGcm16 => $"AES-GCM-{bits} with 16 octet ICV [RFC5282]",
        EncryptionAlgorithm.AesCcm8 => $"AES-CCM-{bits} with 8 octet ICV [RFC5282]",
        EncryptionAlgorithm.AesCcm12 => $"AES-CCM-{bits} with 12 octet ICV [RFC5282]",
        EncryptionAlgorithm.AesCcm16 => $"AES-CCM-{bits} with 16 octet ICV [RFC5282]",
        _ => null,
    };

    public static string? IkeIntegrityName(IntegrityAlgorithm algorithm) => algorithm switch
    {
        IntegrityAlgorithm.None => "NONE [RFC4306]",
        IntegrityAlgorithm.HmacMd5_96 => "HMAC_MD5_96 [RFC2403]",
        IntegrityAlgorithm.HmacSha1_96 => "HMAC_SHA1_96 [RFC2404]",
        IntegrityAlgorithm.HmacSha2_256_128 => "HMAC_SHA2_256_128 [RFC4868]",
        IntegrityAlgorithm.HmacSha2_384_192 => "HMAC_SHA2_384_192 [RFC4868]",
        IntegrityAlgorithm.HmacSha2_512_256 => "HMAC_SHA2_512_256 [RFC4868]",
        _ => null,
    };

    /// <summary>Wireshark 4's names in the ESP SA table (packet-ipsec.c).</summary>
    public static string? EspEncryptionName(EncryptionAlgorithm algorithm, int bits) => algorithm switch
    {
        EncryptionAlgorithm.Null => "NULL",
        EncryptionAlgorithm.TripleDes => "TripleDES-CBC [RFC2451]",
        EncryptionAlgorithm.AesCbc => "AES-CBC [RFC3602]",
        EncryptionAlgorithm.AesCtr => "AES-CTR [RFC3686]",
        EncryptionAlgorithm.AesGcm8 => "AES-GCM with 8 octet ICV [RFC4106]",
        EncryptionAlgorithm.AesGcm12 => "AES-GCM with 12 octet ICV [RFC4106]",
        EncryptionAlgorithm.AesGcm16 => "AES-GCM with 16 octet ICV [RFC4106]",
        _ => null,
    };

    public static string? EspIntegrityName(IntegrityAlgorithm algorithm) => algorithm switch
    {
        IntegrityAlgorithm.None => "NULL",
        IntegrityAlgorithm.HmacSha1_96 => "HMAC-SHA-1-96 [RFC2404]",
        IntegrityAlgorithm.HmacSha2_256_128 => "HMAC-SHA-256-128 [RFC4868]",
        IntegrityAlgorithm.HmacSha2_384_192 => "HMAC-SHA-384-192 [RFC4868]",
        IntegrityAlgorithm.HmacSha2_512_256 => "HMAC-SHA-512-256 [RFC4868]",
        _ => null,
    };
}
