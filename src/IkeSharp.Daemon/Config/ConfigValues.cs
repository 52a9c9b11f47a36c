using System.Globalization;

namespace IkeSharp.Daemon.Config;

/// <summary>swanctl.conf's value notations: durations ("4h", "30m", "10s", "1d", bare seconds) and sizes ("1G", "500M", "100k", bare count).</summary>
public static class ConfigValues
{
    /// <summary>A duration, or null with <paramref name="error"/> saying why not.</summary>
    public static TimeSpan? ParseDuration(string text, out string? error)
    {
        error = null;
        string s = text.Trim();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        string unit = s[digits..].Trim();
        long factor = unit switch
        {
            "" or "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => -1,
        };
        if (digits == 0 || factor < 0 || !long.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            error = $"\"{text}\" is not a duration; write a whole number with s, m, h or d (e.g. \"30s\", \"30m\", \"4h\", \"1d\"), or a number of seconds";
            return null;
        }

        if (value > TimeSpan.MaxValue.TotalSeconds / factor / 2)
        {
            error = $"\"{text}\" is too long a duration";
            return null;
        }

        return TimeSpan.FromSeconds(value * factor);
    }

    /// <summary>A byte or packet count with an optional K, M, G or T suffix (powers of 1024, as strongSwan reads them).</summary>
    public static ulong? ParseSize(string text, out string? error)
    {
        error = null;
        string s = text.Trim();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        string unit = s[digits..].Trim().ToUpperInvariant();
        int shift = unit switch
        {
            "" => 0,
            "K" => 10,
            "M" => 20,
            "G" => 30,
            "T" => 40,
            _ => -1,
        };
        if (digits == 0 || shift < 0 || !ulong.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            error = $"\"{text}\" is not a size; write a whole number with an optional K, M, G or T suffix (e.g. \"500M\", \"1G\")";
            return null;
        }

        if (shift > 0 && value > (ulong.MaxValue >> shift))
        {
            error = $"\"{text}\" is too large";
            return null;
        }

        return value << shift;
    }


    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="word"/>, when close enough to be a likely typo.</summary>
    internal static string? Closest(string word, IEnumerable<string> candidates)
    {
        string lower = word.ToLowerInvariant();
        int threshold = Math.Max(2, word.Length / 3);
        return candidates
            .Select(c => (c, Distance: Crypto.Proposals.Spelling.Distance(lower, c)))
            .Where(c => c.Distance <= threshold)
            .OrderBy(c => c.Distance)
            .Select(c => c.c)
            .FirstOrDefault();
    }
}
