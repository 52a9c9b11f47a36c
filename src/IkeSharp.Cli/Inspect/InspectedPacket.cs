using IkeSharp.Cli.Capture;
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
                packet = packet with { KeysNote = keys.Describe(message.InitiatorSpi, message.ResponderSpi) };
            }

            packets.Add(packet);
        }

        return new InspectReport(name, capture.Format.ToString(), packets, capture.Error);
    }
}
