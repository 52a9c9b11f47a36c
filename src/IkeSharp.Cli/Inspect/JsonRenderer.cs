using System.Globalization;
using System.Text.Json;
using IkeSharp.Cli.Capture;
using IkeSharp.Wire;

namespace IkeSharp.Cli.Inspect;

/// <summary>The machine form of <c>ikesharp inspect</c>: the same report as one JSON document.</summary>
internal static class JsonRenderer
{
    public static void Render(InspectReport report, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("file", report.File);
        w.WriteString("format", report.Format);
        if (report.CaptureError is { } error)
        {
            w.WriteString("capture_error", error);
        }

        w.WriteStartArray("packets");
        foreach (InspectedPacket packet in report.Packets)
        {
            WritePacket(w, packet);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private static string KindName(PacketKind kind) => kind switch
    {
        PacketKind.Ike => "ike",
        PacketKind.IkeNatT => "ike-natt",
        PacketKind.EspInUdp => "esp-in-udp",
        PacketKind.Esp => "esp",
        PacketKind.NatKeepalive => "nat-keepalive",
        _ => "other",
    };

    private static void WritePacket(Utf8JsonWriter w, InspectedPacket packet)
    {
        DissectedPacket p = packet.Packet;
        w.WriteStartObject();
        w.WriteNumber("frame", p.FrameNumber);
        if (p.Timestamp is { } t)
        {
            w.WriteString("time", t.ToString("O", CultureInfo.InvariantCulture));
        }

        w.WriteString("source", p.Source.ToString());
        w.WriteString("destination", p.Destination.ToString());
        w.WriteString("kind", KindName(p.Kind));
        if (p.Kind is PacketKind.Esp or PacketKind.EspInUdp)
        {
            w.WriteString("esp_spi", p.EspSpi.ToString("x8", CultureInfo.InvariantCulture));
            w.WriteNumber("esp_sequence", p.EspSequence);
            w.WriteNumber("length", p.Payload.Length);
        }

        if (p.Note is { } note)
        {
            w.WriteString("note", note);
        }

        if (packet.Error is { } error)
        {
            w.WriteStartObject("decode_error");
            w.WriteString("code", error.Code.ToString());
            w.WriteString("reason", error.Reason);
            w.WriteNumber("offset", error.Offset);
            if (error.Payload is { } pt)
            {
                w.WriteString("payload", pt.ToIanaName());
            }

            w.WriteEndObject();
        }

        if (packet.Message is { } m)
        {
            w.WriteString("exchange", m.ExchangeType.ToIanaName());
            w.WriteBoolean("response", m.IsResponse);
            w.WriteString("sender", m.IsFromOriginalInitiator ? "initiator" : "responder");
            w.WriteNumber("message_id", m.MessageId);
            w.WriteString("spi_i", m.InitiatorSpi.ToString("x16", CultureInfo.InvariantCulture));
            w.WriteString("spi_r", m.ResponderSpi.ToString("x16", CultureInfo.InvariantCulture));
            w.WriteNumber("length", p.Payload.Length);
            w.WriteStartArray("payloads");
            foreach (PayloadView view in packet.Payloads)
            {
                WriteNode(w, view);
            }

            w.WriteEndArray();
            if (packet.RuleViolation is { } violation)
            {
                w.WriteStartObject("rule_violation");
                w.WriteString("reason", violation.Reason);
                w.WriteNumber("offset", violation.Offset);
                w.WriteEndObject();
            }

            if (packet.KeysNote is { } keys)
            {
                w.WriteString("keys", keys);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteNode(Utf8JsonWriter w, PayloadView node)
    {
        w.WriteStartObject();
        w.WriteString("name", node.Name);
        w.WriteString("summary", node.Summary);
        if (node.Critical)
        {
            w.WriteBoolean("critical", true);
        }

        if (node.Fields.Count > 0)
        {
            // Repeated keys (several CA hashes, several SPIs) become arrays.
            w.WriteStartObject("fields");
            foreach (IGrouping<string, KeyValuePair<string, string>> group in node.Fields.GroupBy(f => f.Key))
            {
                if (group.Count() == 1)
                {
                    w.WriteString(group.Key, group.First().Value);
                }
                else
                {
                    w.WriteStartArray(group.Key);
                    foreach (KeyValuePair<string, string> f in group)
                    {
                        w.WriteStringValue(f.Value);
                    }

                    w.WriteEndArray();
                }
            }

            w.WriteEndObject();
        }

        if (node.Children.Count > 0)
        {
            w.WriteStartArray("children");
            foreach (PayloadView child in node.Children)
            {
                WriteNode(w, child);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}
