using System.Globalization;

namespace IkeSharp.Cli.Inspect;

/// <summary>
/// Wireshark's <c>ikev2_decryption_table</c> (the UAT file its IKEv2 dissector reads): one row per
/// IKE SA, <c>SPIi,SPIr,SK_ei,SK_er,"encryption",SK_ai,SK_ar,"integrity"</c>, keys in hex.
/// </summary>
internal sealed class KeyTable
{
    private readonly Dictionary<(ulong, ulong), KeyRow> rows;

    private KeyTable(Dictionary<(ulong, ulong), KeyRow> rows) => this.rows = rows;

    public int Count => rows.Count;

    public bool TryGet(ulong spiI, ulong spiR, out KeyRow row) => rows.TryGetValue((spiI, spiR), out row!);

    /// <summary>Parses the table; an error names the line and the field.</summary>
    public static KeyTable Parse(string text, string source, out List<string> errors)
    {
        errors = [];
        var rows = new Dictionary<(ulong, ulong), KeyRow>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] f = SplitCsv(line);
            if (f.Length != 8)
            {
                errors.Add($"{source}:{i + 1}: expected 8 comma-separated fields (SPIi,SPIr,SK_ei,SK_er,encryption,SK_ai,SK_ar,integrity), found {f.Length}");
                continue;
            }

            if (f[0].Length != 16 || f[1].Length != 16 ||
                !ulong.TryParse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong spiI) ||
                !ulong.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong spiR))
            {
                errors.Add($"{source}:{i + 1}: SPIi and SPIr must be 16 hex digits, found '{f[0]}' and '{f[1]}'");
                continue;
            }

            byte[]?[] keys = new byte[]?[4];
            int[] columns = [2, 3, 5, 6];
            bool ok = true;
            for (int k = 0; k < 4; k++)
            {
                try
                {
                    keys[k] = Convert.FromHexString(f[columns[k]]);
                }
                catch (FormatException)
                {
                    errors.Add($"{source}:{i + 1}: field {columns[k] + 1} is not hex: '{f[columns[k]]}'");
                    ok = false;
                }
            }

            if (ok)
            {
                rows[(spiI, spiR)] = new KeyRow(keys[0]!, keys[1]!, f[4], keys[2]!, keys[3]!, f[7]);
            }
        }

        return new KeyTable(rows);
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString().Trim());
        return fields.ToArray();
    }

}

/// <summary>One row of the table: the SK_e and SK_a keys of an IKE SA and their algorithms, as Wireshark names them.</summary>
internal sealed record KeyRow(byte[] SkEi, byte[] SkEr, string Encryption, byte[] SkAi, byte[] SkAr, string Integrity);
