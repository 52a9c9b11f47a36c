using System.Globalization;

namespace IkeSharp.Esp.Tests;

/// <summary>
/// The ESP half of a strongSwan capture copied from ../shared/captures into Fixtures: the two
/// esp_sa rows (Wireshark UAT: protocol, source, destination, SPI, encryption, key, integrity,
/// key) and the UDP payloads of frames 5-14 (five ICMP echo request/reply pairs).
/// </summary>
public sealed record StrongSwanCapture(string Tag, IReadOnlyList<CapturedSa> Sas, IReadOnlyList<CapturedFrame> Frames)
{
    public static StrongSwanCapture Load(string tag)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var sas = File.ReadAllLines(Path.Combine(dir, "esp_sa." + tag))
            .Where(l => l.Length > 0)
            .Select(CapturedSa.Parse)
            .ToList();
        var frames = File.ReadAllLines(Path.Combine(dir, $"esp-frames.{tag}.txt"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('\t'))
            .Select(f => new CapturedFrame(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], Convert.FromHexString(f[2])))
            .ToList();
        return new StrongSwanCapture(tag, sas, frames);
    }
}

public sealed record CapturedFrame(int Number, string OuterSource, byte[] Esp);

public sealed record CapturedSa(string Source, string Destination, uint Spi, IEncryptionAlgorithm Encryption, byte[] EncryptionKey, IIntegrityAlgorithm? Integrity, byte[] IntegrityKey)
{
    public static CapturedSa Parse(string row)
    {
        string[] f = row.Split(',').Select(x => x.Trim('"')).ToArray();
        uint spi = uint.Parse(f[3].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        byte[] encKey = Convert.FromHexString(f[5].AsSpan(2));
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        IEncryptionAlgorithm enc = f[4] switch
        {
            "AES-GCM with 16 octet ICV [RFC4106]" => r.EspEncryption(EncryptionAlgorithm.AesGcm16, (encKey.Length - 4) * 8)!,
            "AES-CBC [RFC3602]" => r.EspEncryption(EncryptionAlgorithm.AesCbc, encKey.Length * 8)!,
            _ => throw new NotSupportedException(f[4]),
        };
        IIntegrityAlgorithm? integ = f[6] switch
        {
            "NULL" => null,
            "HMAC-SHA-256-128 [RFC4868]" => r.Integrity(IntegrityAlgorithm.HmacSha2_256_128),
            _ => throw new NotSupportedException(f[6]),
        };
        byte[] intKey = f[7].Length > 2 ? Convert.FromHexString(f[7].AsSpan(2)) : [];
        return new CapturedSa(f[1], f[2], spi, enc, encKey, integ, intKey);
    }
}

/// <summary>Hands out given octets in order: the IVs (or IV mask) strongSwan's kernel used.</summary>
public sealed class ReplayingRandom(params byte[][] chunks) : IRandomSource
{
    private int next;

    public void Fill(Span<byte> destination)
    {
        byte[] chunk = chunks[next++];
        Assert.Equal(chunk.Length, destination.Length);
        chunk.CopyTo(destination);
    }
}
