using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto;
using IkeSharp.Esp;
using IkeSharp.Wire;

namespace IkeSharp.Bench;

/// <summary>
/// The ESP data plane on 1400-octet inner packets, single thread: Seal (header, IV, padding,
/// encryption, ICV) and Seal + Open (replay check, ICV, decryption, padding check, window commit),
/// for aes128gcm16 and aes256-sha256 (AES-256-CBC + HMAC-SHA-256-128). Compare PacketCipherBenchmarks
/// for the bare primitives.
/// </summary>
[MemoryDiagnoser]
public class EspBenchmarks
{
    private const int InnerLength = 1400;

    private readonly byte[] inner = new byte[InnerLength];
    private readonly byte[] packet = new byte[InnerLength + 128];
    private readonly byte[] opened = new byte[InnerLength + 128];
    private EspOutboundSa gcmOut = null!;
    private EspInboundSa gcmIn = null!;
    private EspOutboundSa cbcOut = null!;
    private EspInboundSa cbcIn = null!;

    [GlobalSetup]
    public void Setup()
    {
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        var random = new DeterministicRandom(1);
        IEncryptionAlgorithm gcm = r.EspEncryption(EncryptionAlgorithm.AesGcm16, 128)!;
        IEncryptionAlgorithm cbc = r.EspEncryption(EncryptionAlgorithm.AesCbc, 256)!;
        IIntegrityAlgorithm sha = r.Integrity(IntegrityAlgorithm.HmacSha2_256_128)!;
        gcmOut = new EspOutboundSa(1, gcm, new byte[20], null, [], false, random);
        gcmIn = new EspInboundSa(1, gcm, new byte[20], null, [], false);
        cbcOut = new EspOutboundSa(2, cbc, new byte[32], sha, new byte[32], false, new SystemRandom());
        cbcIn = new EspInboundSa(2, cbc, new byte[32], sha, new byte[32], false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        gcmOut.Dispose();
        gcmIn.Dispose();
        cbcOut.Dispose();
        cbcIn.Dispose();
    }

    [Benchmark]
    public int Aes128Gcm16Seal() => gcmOut.Seal(inner, EspNextHeader.IPv4, packet);

    [Benchmark]
    public int Aes128Gcm16SealOpen()
    {
        int n = gcmOut.Seal(inner, EspNextHeader.IPv4, packet);
        return gcmIn.Open(packet.AsSpan(0, n), opened).Length;
    }

    [Benchmark]
    public int Aes256Sha256Seal() => cbcOut.Seal(inner, EspNextHeader.IPv4, packet);

    [Benchmark]
    public int Aes256Sha256SealOpen()
    {
        int n = cbcOut.Seal(inner, EspNextHeader.IPv4, packet);
        return cbcIn.Open(packet.AsSpan(0, n), opened).Length;
    }
}
