using System.Globalization;
using System.Text;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>
/// Reads the known-answer files under Vectors/: '#' comments, a "[name]" line opening each case,
/// then "field = value" lines. A value is hex, "ascii:text", "XX*N" (octet XX repeated N times) or
/// a plain number, as the field needs.
/// </summary>
internal sealed class VectorFile
{
    private static readonly Dictionary<string, VectorFile> Cache = [];

    private VectorFile(IReadOnlyList<VectorCase> cases) => Cases = cases;

    public IReadOnlyList<VectorCase> Cases { get; }

    public static VectorFile Load(string fileName)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(fileName, out VectorFile? file))
            {
                file = Parse(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Vectors", fileName)));
                Cache[fileName] = file;
            }

            return file;
        }
    }

    /// <summary>Case names of <paramref name="fileName"/> for a [MemberData] theory.</summary>
    public static TheoryData<string> Names(string fileName)
    {
        var data = new TheoryData<string>();
        foreach (VectorCase c in Load(fileName).Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    public VectorCase this[string name] => Cases.Single(c => c.Name == name);

    private static VectorFile Parse(string[] lines)
    {
        var cases = new List<VectorCase>();
        string? name = null;
        Dictionary<string, string>? fields = null;
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                if (name is not null)
                {
                    cases.Add(new VectorCase(name, fields!));
                }

                name = line[1..^1];
                fields = [];
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || fields is null)
            {
                throw new FormatException($"vector file line '{line}' is neither a [case], a comment nor field = value");
            }

            fields.Add(line[..eq].Trim(), line[(eq + 1)..].Trim());
        }

        if (name is not null)
        {
            cases.Add(new VectorCase(name, fields!));
        }

        return new VectorFile(cases);
    }
}

internal sealed record VectorCase(string Name, IReadOnlyDictionary<string, string> Fields)
{
    public bool Has(string field) => Fields.ContainsKey(field);

    public string Text(string field) => Fields[field];

    public int Int(string field) => int.Parse(Fields[field], CultureInfo.InvariantCulture);

    public byte[] Bytes(string field)
    {
        string value = Fields[field];
        if (value.StartsWith("ascii:", StringComparison.Ordinal))
        {
            return Encoding.ASCII.GetBytes(value["ascii:".Length..]);
        }

        int star = value.IndexOf('*', StringComparison.Ordinal);
        if (star > 0)
        {
            byte octet = Convert.FromHexString(value[..star])[0];
            return Enumerable.Repeat(octet, int.Parse(value[(star + 1)..], CultureInfo.InvariantCulture)).ToArray();
        }

        return Convert.FromHexString(value.Replace(" ", string.Empty, StringComparison.Ordinal));
    }

    public override string ToString() => Name;
}
