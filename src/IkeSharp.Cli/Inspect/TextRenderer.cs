using System.Globalization;
using System.Text;
using IkeSharp.Cli.Capture;
using IkeSharp.Wire;

namespace IkeSharp.Cli.Inspect;

/// <summary>
/// The human form of <c>ikesharp inspect</c>: one block per message, the payload tree under it,
/// aligned columns, colour only when writing to a terminal.
/// </summary>
internal sealed class TextRenderer(TextWriter output, bool colour, bool verbose)
{
    private const string Reset = "\e[0m";
    private const string Bold = "\e[1m";
    private const string Dim = "\e[2m";
    private const string Red = "\e[31m";
    private const string Green = "\e[32m";
    private const string Yellow = "\e[33m";
    private const string Cyan = "\e[36m";

    private string Paint(string text, string style) => colour ? style + text + Reset : text;

    public void Render(InspectReport report)
    {
        int ike = report.Packets.Count(p => p.IsIke);
        int esp = report.Packets.Count(p => p.Packet.Kind is PacketKind.Esp or PacketKind.EspInUdp);
        output.WriteLine(Paint($"{report.File}", Bold) + $"  {report.Format}, {report.Packets.Count} frames: {ike} IKE, {esp} ESP");
        if (report.CaptureError is { } captureError)
        {
            output.WriteLine(Paint("capture error: " + captureError, Red));
        }

        output.WriteLine();
        DateTimeOffset? start = report.Packets.FirstOrDefault(p => p.Packet.Timestamp is not null)?.Packet.Timestamp;
        int addressWidth = report.Packets.Count == 0 ? 0 : report.Packets.Max(p => Endpoints(p.Packet).Length);
        foreach (InspectedPacket packet in report.Packets)
        {
            RenderPacket(packet, start, addressWidth);
        }
    }

    private static string Endpoints(DissectedPacket p) => $"{p.Source} → {p.Destination}";

    private void RenderPacket(InspectedPacket packet, DateTimeOffset? start, int addressWidth)
    {
        DissectedPacket p = packet.Packet;
        string time = p.Timestamp is { } t && start is { } s ? (t - s).TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture) : "-";
        string head = $"#{p.FrameNumber,-4} {time,10}  {Endpoints(p).PadRight(addressWidth)}  ";
        switch (p.Kind)
        {
            case PacketKind.Esp or PacketKind.EspInUdp:
                output.WriteLine(head + Paint(p.Kind == PacketKind.Esp ? "ESP" : "ESP-in-UDP", Dim) +
                    $" SPI {p.EspSpi:x8} seq {p.EspSequence} ({p.Payload.Length} bytes)");
                return;
            case PacketKind.NatKeepalive:
                output.WriteLine(head + Paint("NAT-keepalive", Dim));
                return;
            case PacketKind.Other:
                output.WriteLine(head + Paint("other: " + (p.Note ?? "not IKE or ESP"), Dim));
                return;
        }

        if (packet.Message is not { } m)
        {
            output.WriteLine(head + Paint($"IKE, malformed: {packet.Error}", Red));
            return;
        }

        string exchange = Paint(m.ExchangeType.ToIanaName(), Bold + Cyan);
        string direction = m.IsResponse ? "response" : "request";
        string role = m.IsFromOriginalInitiator ? "from initiator" : "from responder";
        output.WriteLine($"{head}{exchange} {direction} {Paint("MID " + m.MessageId.ToString(CultureInfo.InvariantCulture), Bold)}  {role}");
        var indent = new string(' ', 6);
        output.WriteLine($"{indent}{Paint($"SPIi {m.InitiatorSpi:x16}  SPIr {m.ResponderSpi:x16}  {p.Payload.Length} bytes{(p.Kind == PacketKind.IkeNatT ? ", UDP 4500 with non-ESP marker" : "")}", Dim)}");
        for (int i = 0; i < packet.Payloads.Count; i++)
        {
            RenderNode(packet.Payloads[i], indent, i == packet.Payloads.Count - 1, depth: 0);
        }

        if (packet.RuleViolation is { } violation)
        {
            output.WriteLine($"{indent}{Paint("not allowed by RFC 7296: " + violation, Red)}");
        }

        if (packet.KeysNote is { } note)
        {
            output.WriteLine($"{indent}{Paint("keys: " + note, Yellow)}");
        }

        output.WriteLine();
    }

    private void RenderNode(PayloadView node, string indent, bool last, int depth)
    {
        string branch = last ? "└─ " : "├─ ";
        string name = node.Name switch
        {
            "N" when node.Summary.EndsWith("(error)", StringComparison.Ordinal) => Paint("N", Red + Bold),
            "N" => Paint("N", Green),
            _ => Paint(node.Name, Bold),
        };
        string critical = node.Critical ? Paint(" [critical]", Yellow) : "";
        var line = new StringBuilder().Append(indent).Append(branch).Append(name).Append(' ', Math.Max(1, 8 - node.Name.Length)).Append(node.Summary).Append(critical);
        output.WriteLine(line.ToString());

        // A proposal's transforms only when asked: its keyword line already says it all; and a lone
        // child that repeats its parent's summary (a TS payload of one selector) says nothing new.
        if ((node.Name.StartsWith('#') || (node.Children.Count == 1 && node.Children[0].Summary == node.Summary)) && !verbose)
        {
            return;
        }

        string childIndent = indent + (last ? "   " : "│  ");
        for (int i = 0; i < node.Children.Count; i++)
        {
            RenderNode(node.Children[i], childIndent, i == node.Children.Count - 1, depth + 1);
        }
    }
}
