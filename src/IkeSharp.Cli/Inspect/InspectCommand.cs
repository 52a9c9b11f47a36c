namespace IkeSharp.Cli.Inspect;

/// <summary><c>ikesharp inspect CAPTURE [--keys TABLE] [--json]</c>.</summary>
internal static class InspectCommand
{
    /// <summary>Exit codes: 0 decoded, 1 the capture or a message in it is malformed, 2 bad arguments or unreadable files.</summary>
    public static int Run(FileInfo capture, FileInfo? keysFile, bool json, bool verbose, TextWriter stdout, TextWriter stderr, bool colour)
    {
        if (!capture.Exists)
        {
            stderr.WriteLine($"ikesharp inspect: {capture.FullName}: no such file (expected a .pcap or .pcapng capture)");
            return 2;
        }

        KeyTable? keys = null;
        if (keysFile is not null)
        {
            if (!keysFile.Exists)
            {
                stderr.WriteLine($"ikesharp inspect: --keys {keysFile.FullName}: no such file (expected a Wireshark ikev2_decryption_table)");
                return 2;
            }

            string text;
            try
            {
                text = File.ReadAllText(keysFile.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"ikesharp inspect: --keys {keysFile.FullName}: {e.Message}");
                return 2;
            }

            keys = KeyTable.Parse(text, keysFile.Name, out List<string> errors);
            foreach (string error in errors)
            {
                stderr.WriteLine($"ikesharp inspect: {error}");
            }

            if (errors.Count > 0)
            {
                return 2;
            }
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(capture.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"ikesharp inspect: {capture.FullName}: {e.Message}");
            return 2;
        }

        InspectReport report = InspectReport.Build(capture.Name, bytes, keys);
        if (json)
        {
            using var buffer = new MemoryStream();
            JsonRenderer.Render(report, buffer);
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else
        {
            new TextRenderer(stdout, colour, verbose).Render(report);
        }

        bool malformed = report.CaptureError is not null || report.Packets.Any(p => p.Error is not null || p.RuleViolation is not null);
        return malformed ? 1 : 0;
    }
}
