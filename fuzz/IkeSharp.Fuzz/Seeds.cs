using System.Globalization;
using IkeSharp.Cli.Capture;
using IkeSharp.Core.Engine;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Fuzz;

/// <summary>
/// Writes a target's seed corpus from the repository's fixtures: the strongSwan captures
/// (tests/IkeSharp.Wire.Tests/Fixtures), their ESP frames (tests/IkeSharp.Esp.Tests/Fixtures), the
/// example configurations, and whole conversations of the two engines of <see cref="EngineLab"/>.
/// </summary>
internal static class Seeds
{
    public static int Write(string target, string directory, string repository)
    {
        Directory.CreateDirectory(directory);
        Dictionary<string, byte[]> seeds = target switch
        {
            "decode" => Decode(repository),
            "sk" => Sk(repository),
            "responder" => Engine(targetIsResponder: true),
            "initiator" => Engine(targetIsResponder: false),
            "config" => Config(repository),
            "esp" => Esp(repository),
            "selftest" => new Dictionary<string, byte[]> { ["crasH"] = "crasH"u8.ToArray() },
            _ => throw new ArgumentException($"no target {target}", nameof(target)),
        };
        foreach ((string name, byte[] bytes) in seeds)
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }

        return seeds.Count;
    }

    private static IEnumerable<(string Tag, int Frame, byte[] Datagram)> Captured(string repository)
    {
        foreach (string file in Directory.GetFiles(Path.Combine(repository, "tests/IkeSharp.Wire.Tests/Fixtures"), "sw-pair-*.pcapng").Order(StringComparer.Ordinal))
        {
            string tag = Path.GetFileNameWithoutExtension(file)["sw-pair-".Length..];
            CaptureReadResult capture = CaptureReader.Read(File.ReadAllBytes(file));
            foreach (CaptureFrame frame in capture.Frames)
            {
                DissectedPacket packet = PacketDissector.Dissect(frame);
                if (packet.Kind is PacketKind.Ike or PacketKind.IkeNatT)
                {
                    yield return (tag, packet.FrameNumber, packet.Payload.ToArray());
                }
            }
        }
    }

    private static Dictionary<string, byte[]> Decode(string repository)
    {
        var seeds = new Dictionary<string, byte[]>();
        foreach ((string tag, int frame, byte[] datagram) in Captured(repository))
        {
            seeds[$"{tag}-frame{frame}"] = datagram;
        }

        (EngineLab lab, _) = Conversation(aliceDrives: true);
        using (lab)
        {
            for (int i = 0; i < lab.Log.Count; i++)
            {
                seeds[$"lab-{i:D2}"] = lab.Log[i].Datagram;
            }
        }

        return seeds;
    }

    private static Dictionary<string, byte[]> Sk(string repository)
    {
        var seeds = new Dictionary<string, byte[]>();
        foreach ((string tag, int frame, byte[] datagram) in Captured(repository))
        {
            SkTarget.KnownSa sa = tag.Contains("gcm", StringComparison.Ordinal) ? SkTarget.Gcm : SkTarget.Cbc;
            byte mode = sa == SkTarget.Gcm ? (byte)2 : (byte)0;
            if (!IkeMessage.Decode(datagram).TryGetValue(out IkeMessage message) || message.Encrypted is null || !message.IsFromOriginalInitiator)
            {
                continue;
            }

            seeds[$"{tag}-frame{frame}-raw"] = [mode, .. datagram];
            using SkPayloadProtection inbound = sa.Inbound();
            if (inbound.Open(datagram, message).TryGetValue(out Payload[] inner))
            {
                int block = sa == SkTarget.Gcm ? 1 : 16;
                seeds[$"{tag}-frame{frame}-plain"] = [(byte)(mode | 1), (byte)message.Encrypted.FirstInnerPayload, (byte)message.ExchangeType, .. Plaintext(inner, block)];
            }
        }

        return seeds;
    }

    /// <summary>An inner chain with RFC 7296 §3.14 padding and Pad Length, in whole blocks.</summary>
    private static byte[] Plaintext(IReadOnlyList<Payload> inner, int block)
    {
        int length = PayloadChain.EncodedLength(inner);
        int padded = (length + 1 + block - 1) / block * block;
        byte[] plaintext = new byte[padded];
        PayloadChain.Write(inner, plaintext);
        plaintext[^1] = (byte)(padded - length - 1);
        return plaintext;
    }

    /// <summary>
    /// The two engines from nothing to an established IKE SA, then the driving side creates,
    /// rekeys and deletes Child SAs, checks liveness, rekeys the IKE SA and deletes it.
    /// </summary>
    private static (EngineLab Lab, List<IkeSaKeysExported> Keys) Conversation(bool aliceDrives, bool certificates = false)
    {
        var lab = new EngineLab(certificates);
        var keys = new List<IkeSaKeysExported>();
        void Round()
        {
            for (int i = 0; i < 4; i++)
            {
                lab.DeliverToBob();
                lab.DeliverToAlice();
                if (lab.Keys is { } k && !keys.Contains(k))
                {
                    keys.Add(k);
                }
            }
        }

        lab.Alice.Execute(new Initiate("site-b"), lab.Now);
        Round();
        IkeEngine driver = aliceDrives ? lab.Alice : lab.Bob;
        Func<IkeSaInfo, ulong> local = sa => sa.IsInitiator ? sa.SpiI : sa.SpiR;
        foreach (Func<IkeSaInfo, IkeCommand?> command in (Func<IkeSaInfo, IkeCommand?>[])
        [
            sa => new CreateChildSa(local(sa), "net"),
            sa => sa.Children.Count > 0 ? new RekeyChildSa(local(sa), sa.Children[0].SpiIn) : null,
            sa => new CheckLiveness(local(sa)),
            sa => sa.Children.Count > 0 ? new DeleteChildSa(local(sa), sa.Children[^1].SpiIn) : null,
            sa => new RekeyIkeSa(local(sa)),
            sa => new DeleteIkeSa(local(sa)),
        ])
        {
            if (driver.IkeSas.FirstOrDefault() is { } sa && command(sa) is { } c)
            {
                lab.Now += 1000;
                driver.Execute(c, lab.Now);
                Round();
            }
        }

        return (lab, keys);
    }

    private static Dictionary<string, byte[]> Engine(bool targetIsResponder)
    {
        var seeds = new Dictionary<string, byte[]>();
        foreach (bool certificates in (bool[])[false, true])
        {
            // Certificate conversations start with octet 3, 4 or 5 (EngineTarget's stage + 3) and are named cert-*.
            string tag = certificates ? "cert-" : "";
            byte Stage(int stage) => (byte)(stage + (certificates ? 3 : 0));
            (EngineLab lab, List<IkeSaKeysExported> keys) = Conversation(aliceDrives: targetIsResponder, certificates);
            using (lab)
            {
                // What the peer sent the target, in order: as raw datagrams (kind 0), and with every
                // encrypted one as its inner chain for the harness to seal (kind 1).
                List<byte[]> fromPeer = lab.Log.Where(l => l.ToBob == targetIsResponder).Select(l => l.Datagram).ToList();
                // The initiator target starts with its IKE_SA_INIT sent, the responder with nothing.
                List<byte[]> raw = fromPeer.Select(d => (byte[])[0, .. d]).ToList();
                seeds[tag + "conversation-raw"] = Records.Join(raw, Stage(0));
                var crafted = new List<byte[]>();
                for (int i = 0; i < fromPeer.Count; i++)
                {
                    byte[] d = fromPeer[i];
                    if (!IkeMessage.Decode(d).TryGetValue(out IkeMessage m) || m.Encrypted is null || Open(keys, d, m) is not { } inner)
                    {
                        crafted.Add([0, .. d]);
                        continue;
                    }

                    byte[] record = [1, (byte)m.ExchangeType, (byte)m.MessageId, m.IsResponse ? (byte)1 : (byte)0, (byte)m.Encrypted.FirstInnerPayload, .. Plaintext(inner, 1)[..^1]];
                    crafted.Add(record);
                    seeds[$"{tag}stage{(m.ExchangeType == ExchangeType.IkeAuth ? 1 : 2)}-{i:D2}-{m.ExchangeType.ToIanaName()}"] =
                        Records.Join([record], Stage(m.ExchangeType == ExchangeType.IkeAuth ? 1 : 2));
                }

                seeds[tag + "conversation-sealed"] = Records.Join(crafted, Stage(0));
                // Time passing and the real peer answering, from an established SA.
                seeds[tag + "stage2-timeouts"] = Records.Join([[2, 30], [3], [2, 0, 10], [3], [2, 0, 60], [3], [4, 1], [3]], Stage(2));
                seeds[tag + "stage2-commands"] = Records.Join([[4, 2], [3], [4, 3], [3], [4, 5], [3], [4, 4], [3], [4, 0], [3]], Stage(2));
                seeds[tag + "stage1-step"] = Records.Join([[3], [3], [2, 5], [3]], Stage(1));
                seeds[tag + "stage0-step"] = Records.Join([[3], [3], [3]], Stage(0));
            }
        }

        return seeds;
    }

    private static Payload[]? Open(List<IkeSaKeysExported> keys, byte[] datagram, IkeMessage message)
    {
        foreach (IkeSaKeysExported k in keys)
        {
            foreach (bool initiator in (bool[])[true, false])
            {
                var r = Crypto.AlgorithmRegistry.Default;
                Crypto.IIntegrityAlgorithm? integrity = k.Integrity == IntegrityAlgorithm.None ? null : r.Integrity(k.Integrity);
                using var protection = initiator
                    ? new SkPayloadProtection(r.Encryption(k.Encryption, k.EncryptionKeyBits)!, k.SkEi, integrity, k.SkAi, new Crypto.DeterministicRandom(1))
                    : new SkPayloadProtection(r.Encryption(k.Encryption, k.EncryptionKeyBits)!, k.SkEr, integrity, k.SkAr, new Crypto.DeterministicRandom(1));
                if (message.InitiatorSpi == k.SpiI && protection.Open(datagram, message).TryGetValue(out Payload[] inner))
                {
                    return inner;
                }
            }
        }

        return null;
    }

    private static Dictionary<string, byte[]> Config(string repository)
    {
        var seeds = new Dictionary<string, byte[]>();
        foreach (string file in Directory.GetFiles(Path.Combine(repository, "examples"), "*.toml").Order(StringComparer.Ordinal))
        {
            seeds[Path.GetFileName(file)] = File.ReadAllBytes(file);
        }

        seeds["minimal.toml"] = """
            [connections.a]
            remote_addrs = ["192.0.2.1"]
            proposals = ["aes256gcm16-prfsha384-x25519"]
            local = { auth = "psk", id = "a" }
            remote = { auth = "psk", id = "b" }
            [connections.a.children.net]
            local_ts = ["10.1.0.0/24"]
            remote_ts = ["10.2.0.0/24"]
            esp_proposals = ["aes128gcm16"]
            [secrets.ike-a]
            id = ["a", "b"]
            secret = "0123456789abcdef"
            """u8.ToArray();
        return seeds;
    }

    private static Dictionary<string, byte[]> Esp(string repository)
    {
        var seeds = new Dictionary<string, byte[]>();
        foreach (string file in Directory.GetFiles(Path.Combine(repository, "tests/IkeSharp.Esp.Tests/Fixtures"), "esp-frames.*.txt").Order(StringComparer.Ordinal))
        {
            string tag = Path.GetFileName(file)["esp-frames.".Length..^".txt".Length];
            List<byte[]> frames = File.ReadAllLines(file)
                .Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => l.Split('\t'))
                .Select(f => (byte[])[0, .. Convert.FromHexString(f[2])])
                .ToList();
            seeds[$"{tag}-frames"] = Records.Join(frames, 0);
            seeds[$"{tag}-first-twice"] = Records.Join([frames[0], frames[0]], 1);
        }

        // ENCR_NULL packets the harness authenticates: an inner ICMP-like packet, padding 1, 2,
        // Pad Length, Next Header 4 (IPv4); sequence numbers 1, 2, 2, 40, 3 (a replay and an old one).
        var plain = new List<byte[]>();
        foreach ((byte flags, uint seq) in ((byte, uint)[])[(1, 1), (1, 2), (1, 2), (1, 40), (1, 3), (2, 1), (2, 0xffffffff), (2, 2), (5, 41)])
        {
            byte[] inner = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 1, 0, 1, 10, 2, 0, 1];
            int padded = (inner.Length + 2 + 3) / 4 * 4;
            byte[] packet = new byte[1 + 8 + padded];
            packet[0] = flags;
            packet[5] = (byte)(seq >> 24);
            packet[6] = (byte)(seq >> 16);
            packet[7] = (byte)(seq >> 8);
            packet[8] = (byte)seq;
            inner.CopyTo(packet, 9);
            for (int i = 0; i < padded - inner.Length - 2; i++)
            {
                packet[9 + inner.Length + i] = (byte)(i + 1);
            }

            packet[^2] = (byte)(padded - inner.Length - 2);
            packet[^1] = 4;
            plain.Add(packet);
        }

        seeds["null-sequence"] = Records.Join(plain, 1);
        byte[] ike = Captured(repository).First().Datagram;
        seeds["udp4500-kinds"] = Records.Join([[0, 0xff], [0, 0, 0, 0, 0], [0, 1, 2, 3], [0, 0, 0, 0, 0, .. ike]], 0);
        return seeds;
    }
}
