using System.Buffers;
using BenchmarkDotNet.Attributes;
using IkeSharp.Cli.Capture;
using IkeSharp.Wire;

namespace IkeSharp.Bench;

/// <summary>
/// Decode and encode of strongSwan's IKE_SA_INIT and IKE_AUTH requests (issue 2 targets: decoding an
/// IKE_SA_INIT request under 1 µs; encoding allocates nothing).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private byte[] initRequest = [];
    private byte[] authRequest = [];
    private IkeMessage initMessage = null!;
    private IkeMessage authMessage = null!;
    private readonly byte[] destination = new byte[65535];
    private readonly ArrayBufferWriter<byte> writer = new(65535);

    [Params("aes128gcm16_prfsha256_x25519", "aes256_sha256_modp2048")]
    public string Capture { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        byte[] pcap = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"sw-pair-{Capture}.pcapng"));
        byte[][] ike = CaptureReader.Read(pcap).Frames.Select(PacketDissector.Dissect)
            .Where(p => p.Kind is PacketKind.Ike or PacketKind.IkeNatT).Select(p => p.Payload.ToArray()).ToArray();
        initRequest = ike[0];
        authRequest = ike[2];
        initMessage = IkeMessage.Decode(initRequest).Value;
        authMessage = IkeMessage.Decode(authRequest).Value;
    }

    [Benchmark]
    public IkeMessage DecodeIkeSaInitRequest() => IkeMessage.Decode(initRequest).Value;

    [Benchmark]
    public IkeMessage DecodeIkeAuthRequest() => IkeMessage.Decode(authRequest).Value;

    [Benchmark]
    public int EncodeIkeSaInitRequestToSpan() => initMessage.Encode(destination);

    [Benchmark]
    public int EncodeIkeSaInitRequestToBufferWriter()
    {
        writer.ResetWrittenCount();
        initMessage.Encode(writer);
        return writer.WrittenCount;
    }

    [Benchmark]
    public int EncodeIkeAuthRequestToSpan() => authMessage.Encode(destination);

    [Benchmark]
    public ulong HeaderPeek() => IkeHeader.TryRead(initRequest, out IkeHeader h) ? h.InitiatorSpi : 0;
}
