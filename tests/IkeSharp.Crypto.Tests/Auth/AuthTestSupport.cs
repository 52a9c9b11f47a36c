using System.Security.Cryptography;

namespace IkeSharp.Crypto.Tests.Auth;

/// <summary>HMAC-SHA2 as an <see cref="IPrf"/>, written here so the AUTH code is tested on its own (RFC 4868 §2).</summary>
internal sealed class HmacPrf(PseudorandomFunction id) : IPrf
{
    public PseudorandomFunction Id => id;

    public int OutputLength => id switch
    {
        PseudorandomFunction.HmacSha2_256 => 32,
        PseudorandomFunction.HmacSha2_384 => 48,
        PseudorandomFunction.HmacSha2_512 => 64,
        _ => throw new NotSupportedException(id.ToString()),
    };

    public int KeyLength => OutputLength;

    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        switch (id)
        {
            case PseudorandomFunction.HmacSha2_256:
                HMACSHA256.HashData(key, data, output);
                break;
            case PseudorandomFunction.HmacSha2_384:
                HMACSHA384.HashData(key, data, output);
                break;
            default:
                HMACSHA512.HashData(key, data, output);
                break;
        }
    }

    public static byte[] Hmac(PseudorandomFunction id, byte[] key, byte[] data) => id switch
    {
        PseudorandomFunction.HmacSha2_256 => HMACSHA256.HashData(key, data),
        PseudorandomFunction.HmacSha2_384 => HMACSHA384.HashData(key, data),
        _ => HMACSHA512.HashData(key, data),
    };
}

/// <summary>Reads the "name = hex" data files under Vectors/, with [sections] and # comments.</summary>
internal static class VectorFile
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Vectors", name);

    public static Dictionary<string, Dictionary<string, string>> Read(string name)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { [string.Empty] = new(StringComparer.Ordinal) };
        Dictionary<string, string> current = sections[string.Empty];
        foreach (string raw in File.ReadAllLines(PathOf(name)))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = sections[line[1..^1]] = new Dictionary<string, string>(StringComparer.Ordinal);
                continue;
            }

            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            current[line[..eq]] = line[(eq + 3)..];
        }

        return sections;
    }
}
