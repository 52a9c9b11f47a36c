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

    /// <summary>Optimal string alignment distance, for "did you mean".</summary>
    internal static int EditDistance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int best = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="word"/>, when close enough to be a likely typo.</summary>
    internal static string? Closest(string word, IEnumerable<string> candidates)
    {
        string lower = word.ToLowerInvariant();
        int threshold = Math.Max(2, word.Length / 3);
        return candidates
            .Select(c => (c, Distance: EditDistance(lower, c)))
            .Where(c => c.Distance <= threshold)
            .OrderBy(c => c.Distance)
            .Select(c => c.c)
            .FirstOrDefault();
    }
}
