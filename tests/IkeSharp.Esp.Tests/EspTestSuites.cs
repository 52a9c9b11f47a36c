namespace IkeSharp.Esp.Tests;

/// <summary>An ESP algorithm combination with keys, and a way to make both ends of one direction.</summary>
public sealed record EspSuite(IEncryptionAlgorithm Encryption, IIntegrityAlgorithm? Integrity)
{
    public override string ToString() => Integrity is null ? Encryption.ToString()! : $"{Encryption}-{Integrity}";

    public (EspOutboundSa Out, EspInboundSa In) Pair(uint spi, bool esn, ulong seed = 1, int window = ReplayWindow.DefaultSize)
    {
        var random = new DeterministicRandom(seed);
        byte[] encKey = new byte[Encryption.KeyMaterialLength];
        byte[] intKey = new byte[Integrity?.KeyLength ?? 0];
        random.Fill(encKey);
        random.Fill(intKey);
        return (new EspOutboundSa(spi, Encryption, encKey, Integrity, intKey, esn, random),
                new EspInboundSa(spi, Encryption, encKey, Integrity, intKey, esn, window));
    }

    /// <summary>Every encryption algorithm of the registry plus ENCR_NULL; non-AEAD ones with every integrity algorithm.</summary>
    public static IEnumerable<EspSuite> All()
    {
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        foreach (IEncryptionAlgorithm e in r.EncryptionAlgorithms.Append(r.EspEncryption(EncryptionAlgorithm.Null, 0)!))
        {
            if (e.IsAead)
            {
                yield return new EspSuite(e, null);
                continue;
            }

            foreach (IIntegrityAlgorithm i in r.IntegrityAlgorithms)
            {
                yield return new EspSuite(e, i);
            }
        }
    }

    public static EspSuite Aes128Gcm16 => new(AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.AesGcm16, 128)!, null);

    public static EspSuite Aes256Sha256 => new(
        AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.AesCbc, 256)!,
        AlgorithmRegistry.Default.Integrity(IntegrityAlgorithm.HmacSha2_256_128));

    /// <summary>A few representative suites for the slower tests.</summary>
    public static IEnumerable<EspSuite> Representative()
    {
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        yield return Aes128Gcm16;
        yield return new EspSuite(r.EspEncryption(EncryptionAlgorithm.AesGcm8, 256)!, null);
        yield return new EspSuite(r.EspEncryption(EncryptionAlgorithm.AesCcm12, 192)!, null);
        yield return new EspSuite(r.EspEncryption(EncryptionAlgorithm.Chacha20Poly1305, 0)!, null);
        yield return Aes256Sha256;
        yield return new EspSuite(r.EspEncryption(EncryptionAlgorithm.AesCtr, 128)!, r.Integrity(IntegrityAlgorithm.HmacSha1_96));
        yield return new EspSuite(r.EspEncryption(EncryptionAlgorithm.Null, 0)!, r.Integrity(IntegrityAlgorithm.AesXcbc96));
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        byte[] b = new byte[length];
        new DeterministicRandom((ulong)seed).Fill(b);
        return b;
    }
}
