namespace IkeSharp.Crypto.Tests.KeyExchange;

/// <summary>
/// A vector file under Vectors/KeyExchange: "[name]" starts a section, "key = hex" sets a value,
/// indented lines continue it (so the RFCs' line breaks can stay), "#" starts a comment line.
/// </summary>
internal sealed class VectorFile
{
    private readonly Dictionary<string, Dictionary<string, string>> sections = new(StringComparer.Ordinal);

    private VectorFile(string path)
    {
        Dictionary<string, string>? section = null;
        string? key = null;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = [];
                sections.Add(line.Trim('[', ']', ' '), section);
                key = null;
            }
            else if (char.IsWhiteSpace(line[0]) && section is not null && key is not null)
            {
                section[key] += " " + line.Trim();
            }
            else if (section is not null && line.IndexOf('=', StringComparison.Ordinal) is int eq and > 0)
            {
                key = line[..eq].Trim();
                section[key] = line[(eq + 1)..].Trim();
            }
            else
            {
                throw new FormatException($"{path}: cannot read '{line}'");
            }
        }
    }

    public IEnumerable<string> Names => sections.Keys;

    public static VectorFile Load(string name) =>
        new(Path.Combine(AppContext.BaseDirectory, "Vectors", "KeyExchange", name));

    public Section this[string name] => new(name, sections[name]);

    internal readonly record struct Section(string Name, Dictionary<string, string> Values)
    {
        public byte[] Bytes(string key) => Hex.Parse(Values[key]);

        public KeyExchangeMethod Method => (KeyExchangeMethod)ushort.Parse(Values["method"], System.Globalization.CultureInfo.InvariantCulture);
    }
}

internal static class Hex
{
    /// <summary>Hex with any whitespace in it, as the RFCs print it.</summary>
    public static byte[] Parse(string spaced) => Convert.FromHexString(string.Concat(spaced.Where(c => !char.IsWhiteSpace(c))));
}

/// <summary>
/// A random source that hands out given values, one per Fill, each of exactly the length asked
/// for: how the tests replay the published private keys.
/// </summary>
internal sealed class ReplayRandom(params byte[][] values) : IRandomSource
{
    private int next;

    public void Fill(Span<byte> destination)
    {
        if (next == values.Length)
        {
            throw new InvalidOperationException("the replayed values ran out");
        }

        byte[] value = values[next++];
        if (value.Length != destination.Length)
        {
            throw new InvalidOperationException($"asked for {destination.Length} octets, replaying {value.Length}");
        }

        value.CopyTo(destination);
    }
}
