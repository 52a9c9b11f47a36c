using System.Text.Json;

namespace IkeSharp.Daemon.Control;

/// <summary>
/// The control socket's protocol: one JSON object per line each way. A request is
/// <c>{"command":"up","name":"site-b","timeout":30}</c>; a reply is
/// <c>{"ok":true,"message":"...","status":{...}}</c>, with <c>status</c> only for status.
/// </summary>
public sealed record ControlRequest(string Command, string? Name = null, int TimeoutSeconds = 30)
{
    public byte[] ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("command", Command);
            if (Name is not null)
            {
                w.WriteString("name", Name);
            }

            w.WriteNumber("timeout", TimeoutSeconds);
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Parses a request line; null with a reason when it is not one.</summary>
    public static ControlRequest? Parse(ReadOnlySpan<byte> line, out string? error)
    {
        error = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line.ToArray());
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("command", out JsonElement command) || command.ValueKind != JsonValueKind.String)
            {
                error = "a request is a JSON object with a string \"command\"";
                return null;
            }

            string? name = root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            int timeout = root.TryGetProperty("timeout", out JsonElement t) && t.TryGetInt32(out int seconds) ? Math.Clamp(seconds, 1, 600) : 30;
            return new ControlRequest(command.GetString()!, name, timeout);
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return null;
        }
    }
}

public sealed record ControlReply(bool Ok, string Message, string? StatusJson = null)
{
    public byte[] ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", Ok);
            w.WriteString("message", Message);
            if (StatusJson is not null)
            {
                w.WritePropertyName("status");
                w.WriteRawValue(StatusJson);
            }

            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public static ControlReply Parse(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        string? status = root.TryGetProperty("status", out JsonElement s) ? s.GetRawText() : null;
        return new ControlReply(root.GetProperty("ok").GetBoolean(), root.GetProperty("message").GetString() ?? "", status);
    }
}
