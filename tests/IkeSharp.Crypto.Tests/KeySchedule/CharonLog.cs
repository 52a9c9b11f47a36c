using System.Globalization;
using System.Text.RegularExpressions;

namespace IkeSharp.Crypto.Tests.KeySchedule;

/// <summary>
/// Reads the hex dumps that strongSwan's charon writes at log level 4
/// ("SKEYSEED => 32 bytes @ 0x..." followed by "   0: 20 17 3B ..." lines), in order.
/// </summary>
internal static partial class CharonLog
{
    [GeneratedRegex(@"> (?<name>.+?) => (?<n>\d+) bytes @ 0x[0-9a-f]+$")]
    private static partial Regex Header();

    [GeneratedRegex(@">\s+(?<offset>\d+): (?<hex>(?:[0-9A-F]{2} ?){1,16})")]
    private static partial Regex DumpLine();

    public static List<(string Name, byte[] Bytes)> Blocks(string path)
    {
        var blocks = new List<(string, byte[])>();
        string? name = null;
        var bytes = new List<byte>();
        int expected = 0;
        foreach (string line in File.ReadLines(path))
        {
            Match h = Header().Match(line);
            if (h.Success)
            {
                name = h.Groups["name"].Value;
                expected = int.Parse(h.Groups["n"].Value, CultureInfo.InvariantCulture);
                bytes.Clear();
                if (expected == 0)
                {
                    blocks.Add((name, []));
                    name = null;
                }

                continue;
            }

            Match d = DumpLine().Match(line);
            if (name is not null && d.Success)
            {
                foreach (string b in d.Groups["hex"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    bytes.Add(byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }

                if (bytes.Count >= expected)
                {
                    blocks.Add((name, bytes.Take(expected).ToArray()));
                    name = null;
                }
            }
        }

        return blocks;
    }

    public static byte[] First(List<(string Name, byte[] Bytes)> blocks, string name) => blocks.First(b => b.Name == name).Bytes;

    public static byte[][] All(List<(string Name, byte[] Bytes)> blocks, string name) => blocks.Where(b => b.Name == name).Select(b => b.Bytes).ToArray();
}
