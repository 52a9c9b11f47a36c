using IkeSharp.Cli.Capture;
using IkeSharp.Crypto;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Cli.Inspect;

/// <summary>A captured packet with its decoded IKE message (or the reason it did not decode).</summary>
internal sealed record InspectedPacket(DissectedPacket Packet, IkeMessage? Message, DecodeError? Error, IReadOnlyList<PayloadView> Payloads)
{
    /// <summary>What the keys table (if any) says about this message's SK payload.</summary>
    public string? KeysNote { get; init; }

    /// <summary>A payload the exchange does not allow, or a count it exceeds (RFC 7296 §1-§3, <see cref="ExchangeRules"/>).</summary>
    public DecodeError? RuleViolation { get; init; }

    public bool IsIke => Packet.Kind is PacketKind.Ike or PacketKind.IkeNatT;

    public static InspectedPacket From(DissectedPacket packet)
    {
        if (packet.Kind is not (PacketKind.Ike or PacketKind.IkeNatT))
        {
            return new InspectedPacket(packet, null, null, []);
        }

        DecodeResult<IkeMessage> decoded = IkeMessage.Decode(packet.Payload);
        if (!decoded.TryGetValue(out IkeMessage message))
        {
            return new InspectedPacket(packet, null, decoded.Error, []);
        }

        return new InspectedPacket(packet, message, null, message.Payloads.Select(PayloadView.From).ToArray())
        {
            RuleViolation = ExchangeRules.CheckOuter(message),
        };
    }
}

/// <summary>The whole capture, decoded.</summary>
internal sealed record InspectReport(string File, string Format, IReadOnlyList<InspectedPacket> Packets, string? CaptureError)
{
    public static InspectReport Build(string name, ReadOnlyMemory<byte> bytes, KeyTable? keys)
    {
        CaptureReadResult capture = CaptureReader.Read(bytes);
        var packets = new List<InspectedPacket>(capture.Frames.Count);
        foreach (CaptureFrame frame in capture.Frames)
        {
            InspectedPacket packet = InspectedPacket.From(PacketDissector.Dissect(frame));
            if (keys is not null && packet.Message is { Encrypted: not null } message)
            {
                packet = Decrypt(packet, message, keys);
            }
            else if (keys is not null && packet.Message is { Payloads.Count: > 0 } fragmented && fragmented.Payloads[^1] is EncryptedFragmentPayload)
            {
                packet = packet with { KeysNote = "an encrypted fragment (RFC 7383): reassembling and decrypting fragments is not implemented yet" };
            }

            packets.Add(packet);
        }

        return new InspectReport(name, capture.Format.ToString(), packets, capture.Error);
    }

    /// <summary>Opens the SK payload with the table's keys and puts the inner payloads under it.</summary>
    private static InspectedPacket Decrypt(InspectedPacket packet, IkeMessage message, KeyTable keys)
    {
        if (!keys.TryGet(message.InitiatorSpi, message.ResponderSpi, out KeyRow row))
        {
            return packet with { KeysNote = "no keys in the table for these SPIs" };
        }

        (EncryptionAlgorithm Algorithm, int KeyBits)? cipher = WiresharkAlgorithmNames.Encryption(row.Encryption, out string? encError);
        IntegrityAlgorithm? integrityId = WiresharkAlgorithmNames.Integrity(row.Integrity, out string? integError);
        if (cipher is null || encError is not null || integError is not null)
        {
            return packet with { KeysNote = encError ?? integError };
        }

        AlgorithmRegistry registry = AlgorithmRegistry.Default;
        IEncryptionAlgorithm? encryption = registry.EspEncryption(cipher.Value.Algorithm, cipher.Value.Algorithm == EncryptionAlgorithm.Chacha20Poly1305 ? 0 : cipher.Value.KeyBits);
        IIntegrityAlgorithm? integrity = integrityId is { } id ? registry.Integrity(id) : null;
        if (encryption is null || (!encryption.IsAead && integrity is null))
        {
            return packet with { KeysNote = $"{row.Encryption} / {row.Integrity} is not supported for decryption" };
        }

        // The original initiator sends with SK_ei/SK_ai, the responder with SK_er/SK_ar (RFC 7296 §2.14).
        bool fromInitiator = message.IsFromOriginalInitiator;
        byte[] encKey = fromInitiator ? row.SkEi : row.SkEr;
        byte[] integKey = fromInitiator ? row.SkAi : row.SkAr;
        if (encKey.Length != encryption.KeyMaterialLength || (integrity is not null && integKey.Length != integrity.KeyLength))
        {
            return packet with { KeysNote = $"the table's keys have the wrong length for {row.Encryption} (SK_e {encKey.Length} octets, {encryption.KeyMaterialLength} needed)" };
        }

        using var protection = new SkPayloadProtection(encryption, encKey, integrity, integKey, new SystemRandom());
        DecodeResult<Payload[]> opened = protection.Open(packet.Packet.Payload, message);
        if (!opened.TryGetValue(out Payload[] inner))
        {
            return packet with { KeysNote = $"NOT decrypted: {opened.Error!.Reason}" };
        }

        PayloadView[] views = packet.Payloads.Select(v => v.Name == "SK"
            ? v with { Summary = $"decrypted ({row.Encryption}), {inner.Length} inner payload{(inner.Length == 1 ? "" : "s")}", Children = inner.Select(PayloadView.From).ToArray() }
            : v).ToArray();
        DecodeError? rules = ExchangeRules.CheckInner(message.ExchangeType, message.IsResponse, inner);
        return packet with { Payloads = views, KeysNote = null, RuleViolation = packet.RuleViolation ?? rules };
    }
}
