using IkeSharp.Cli.Capture;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Auth;

/// <summary>
/// One strongSwan PSK exchange from Fixtures/ and Vectors/strongswan-psk-auth.txt: the two
/// IKE_SA_INIT messages as sent (frames 1 and 2 of the capture), their nonces, SK_pi/SK_pr and
/// the IDs and AUTH values charon logged. The key-schedule work can take <see cref="Load"/>,
/// decrypt the IKE_AUTH messages (frames 3 and 4) and hand their IDi/IDr and AUTH payloads to
/// <see cref="IkeSharp.Crypto.Auth.SharedKeyMic.VerifyPeer"/> together with these values.
/// </summary>
internal sealed record StrongSwanPskCapture(
    string Tag,
    byte[] IkeSaInitRequest,
    byte[] IkeSaInitResponse,
    byte[] NonceI,
    byte[] NonceR,
    byte[] SkPi,
    byte[] SkPr,
    byte[] IdiRest,
    byte[] IdrRest,
    byte[] InitiatorOctets,
    byte[] ResponderOctets,
    byte[] AuthI,
    byte[] AuthR)
{
    public static readonly string[] Tags = ["aes128gcm16_prfsha256_x25519", "aes256_sha256_modp2048"];

    /// <summary>The PSK of the lab captures (../shared/captures/README.md).</summary>
    public static byte[] Psk => "swlab-demo-psk-0123456789"u8.ToArray();

    /// <summary>Both captures negotiated PRF_HMAC_SHA2_256.</summary>
    public static IPrf Prf { get; } = new HmacPrf(PseudorandomFunction.HmacSha2_256);

    /// <summary>The IKE datagrams of the capture in frame order (non-ESP marker removed).</summary>
    public static IReadOnlyList<(int Frame, byte[] Datagram)> IkeDatagrams(string tag)
    {
        CaptureReadResult capture = CaptureReader.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"sw-pair-{tag}.pcapng")));
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

    public static StrongSwanPskCapture Load(string tag)
    {
        IReadOnlyList<(int Frame, byte[] Datagram)> datagrams = IkeDatagrams(tag);
        byte[] request = datagrams.Single(d => d.Frame == 1).Datagram;
        byte[] response = datagrams.Single(d => d.Frame == 2).Datagram;
        Dictionary<string, string> v = VectorFile.Read("strongswan-psk-auth.txt")[tag];
        return new StrongSwanPskCapture(
            tag,
            request,
            response,
            NonceOf(request),
            NonceOf(response),
            Convert.FromHexString(v["sk_pi"]),
            Convert.FromHexString(v["sk_pr"]),
            Convert.FromHexString(v["idi_rest"]),
            Convert.FromHexString(v["idr_rest"]),
            Convert.FromHexString(v["initiator_octets"]),
            Convert.FromHexString(v["responder_octets"]),
            Convert.FromHexString(v["auth_i"]),
            Convert.FromHexString(v["auth_r"]));
    }

    private static byte[] NonceOf(byte[] ikeSaInit)
    {
        IkeMessage message = IkeMessage.Decode(ikeSaInit).Value;
        Assert.Equal(ExchangeType.IkeSaInit, message.ExchangeType);
        return message.Payloads.OfType<NoncePayload>().Single().Data.ToArray();
    }
}
