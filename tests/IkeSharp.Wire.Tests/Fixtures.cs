using IkeSharp.Cli.Capture;

namespace IkeSharp.Wire.Tests;

/// <summary>Test inputs copied from ../shared/captures into Fixtures/ (the tests never read ../shared).</summary>
internal static class Fixtures
{
    public static readonly string[] CaptureTags = ["aes128gcm16_prfsha256_x25519", "aes256_sha256_modp2048"];

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Capture(string tag) => File.ReadAllBytes(PathOf($"sw-pair-{tag}.pcapng"));

    /// <summary>The IKE datagrams of a fixture capture (non-ESP marker removed), by frame number.</summary>
    public static IReadOnlyList<(int Frame, byte[] Datagram)> IkeDatagrams(string tag)
    {
        CaptureReadResult capture = CaptureReader.Read(Capture(tag));
        Assert.Null(capture.Error);
        var result = new List<(int, byte[])>();
        foreach (CaptureFrame frame in capture.Frames)
        {
            DissectedPacket packet = PacketDissector.Dissect(frame);
            if (packet.Kind is PacketKind.Ike or PacketKind.IkeNatT)
            {
                result.Add((packet.FrameNumber, packet.Payload.ToArray()));
            }
        }

        return result;
    }
}
