namespace IkeSharp.Wire;

/// <summary>Turns a peer's bytes into text that is safe to print on a terminal or in a log.</summary>
public static class Printable
{
    /// <summary>ASCII as is; every other byte, control characters included, as \xNN.</summary>
    public static string Ascii(ReadOnlySpan<byte> bytes)
    {
        bool plain = true;
        foreach (byte b in bytes)
        {
            if (b is < 0x20 or > 0x7e or (byte)'\\')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return System.Text.Encoding.ASCII.GetString(bytes);
        }

        var sb = new System.Text.StringBuilder(bytes.Length * 2);
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and <= 0x7e and not (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
