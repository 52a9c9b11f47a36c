using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto;
using IkeSharp.Esp;
using IkeSharp.Wire;

namespace IkeSharp.Bench;

/// <summary>
/// The ESP data plane on 1400-octet inner packets, single thread: Seal (header, IV, padding,
/// encryption, ICV) and Seal + Open (replay check, ICV, decryption, padding check, window commit),
/// for one suite of each cipher family (strongSwan's keywords). Compare PacketCipherBenchmarks for
/// the bare primitives. The Allocated column is the per-packet allocation of the whole path.
/// </summary>
[MemoryDiagnoser]
public class EspBenchmarks
{
    private const int InnerLength = 1400;

    private readonly byte[] inner = new byte[InnerLength];
    private readonly byte[] packet = new byte[InnerLength + 128];
    private readonly byte[] opened = new byte[InnerLength + 128];
    private EspOutboundSa outbound = null!;
    private EspInboundSa inbound = null!;

    [Params("aes128gcm16", "aes256gcm8", "aes128ccm16", "aes256-sha256", "aes128ctr-aesxcbc")]
    public string Suite { get; set; } = "aes128gcm16";

    [GlobalSetup]
    public void Setup()
    {
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        (EncryptionAlgorithm cipher, int bits, IntegrityAlgorithm? icv) = Suite switch
        {
            "aes128gcm16" => (EncryptionAlgorithm.AesGcm16, 128, (IntegrityAlgorithm?)null),
            "aes256gcm8" => (EncryptionAlgorithm.AesGcm8, 256, null),
            "aes128ccm16" => (EncryptionAlgorithm.AesCcm16, 128, null),
            "aes256-sha256" => (EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128),
            "aes128ctr-aesxcbc" => (EncryptionAlgorithm.AesCtr, 128, IntegrityAlgorithm.AesXcbc96),
            _ => throw new ArgumentOutOfRangeException(nameof(Suite), Suite, "unknown suite"),
        };
        IEncryptionAlgorithm encryption = r.EspEncryption(cipher, bits)!;
        IIntegrityAlgorithm? integrity = icv is null ? null : r.Integrity(icv.Value);
        byte[] encryptionKey = new byte[encryption.KeyMaterialLength];
        byte[] integrityKey = new byte[integrity?.KeyLength ?? 0];
        outbound = new EspOutboundSa(1, encryption, encryptionKey, integrity, integrityKey, false, new DeterministicRandom(1));
        inbound = new EspInboundSa(1, encryption, encryptionKey, integrity, integrityKey, false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        outbound.Dispose();
        inbound.Dispose();
    }

    [Benchmark]
    public int Seal() => outbound.Seal(inner, EspNextHeader.IPv4, packet);

    [Benchmark]
    public int SealOpen()
    {
        int n = outbound.Seal(inner, EspNextHeader.IPv4, packet);
        return inbound.Open(packet.AsSpan(0, n), opened).Length;
    }
}
