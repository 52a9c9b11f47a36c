using System.Security.Cryptography;
using System.Text;

namespace IkeSharp.Crypto.Auth;

/// <summary>One PEM block (RFC 7468 §2): its label, the decoded DER, and the line it starts on.</summary>
internal sealed record PemBlock(string Label, byte[] Der, int Line);

/// <summary>
/// Splits configuration bytes into PEM blocks with <see cref="PemEncoding"/>, or says why it cannot:
/// a broken block names its line; OpenSSL's legacy encrypted PEM (Proc-Type headers) is named as such.
/// </summary>
internal static class PemBlocks
{
    private const string Begin = "-----BEGIN ";

    /// <summary>True when the bytes look like PEM text rather than DER (which starts with a SEQUENCE tag).</summary>
    public static bool LooksLikePem(ReadOnlySpan<byte> data)
    {
        int i = 0;
        if (data.StartsWith("\uFEFF"u8))
        {
            i = 3;
        }

        for (; i < data.Length; i++)
        {
            if (data[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                break;
            }
        }

        // PEM files may start with explanatory text (RFC 7468 §2); DER starts with 0x30.
        return i < data.Length && data[i] != 0x30 && data.IndexOf("-----BEGIN "u8) >= 0;
    }

    public static Outcome<IReadOnlyList<PemBlock>> Read(ReadOnlySpan<byte> data)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return Outcome<IReadOnlyList<PemBlock>>.Fail("PEM text is not valid UTF-8");
        }

        var blocks = new List<PemBlock>();
        int offset = 0;
        while (true)
        {
            int begin = text.IndexOf(Begin, offset, StringComparison.Ordinal);
            if (begin < 0)
            {
                break;
            }

            int line = LineOf(text, begin);
            if (!PemEncoding.TryFind(text.AsSpan(begin), out PemFields fields) || fields.Location.Start.Value != 0)
            {
                int labelEnd = text.IndexOf("-----", begin + Begin.Length, StringComparison.Ordinal);
                string label = labelEnd > 0 ? text[(begin + Begin.Length)..labelEnd] : "?";
                int blockEnd = text.IndexOf("-----END", begin, StringComparison.Ordinal);
                string block = blockEnd > 0 ? text[begin..blockEnd] : text[begin..];
                if (block.Contains("Proc-Type:", StringComparison.Ordinal))
                {
                    return Outcome<IReadOnlyList<PemBlock>>.Fail(
                        $"PEM block {label} on line {line} is encrypted in OpenSSL's legacy format (Proc-Type/DEK-Info headers), which is not supported; convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8`");
                }

                return Outcome<IReadOnlyList<PemBlock>>.Fail(
                    $"PEM block {label} on line {line} is malformed: it needs a matching -----END {label}----- line and base64 between the two");
            }

            string blockLabel = text.AsSpan(begin)[fields.Label].ToString();
            byte[] der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(text.AsSpan(begin)[fields.Base64Data], der, out int written))
            {
                return Outcome<IReadOnlyList<PemBlock>>.Fail($"PEM block {blockLabel} on line {line} has invalid base64");
            }

            blocks.Add(new PemBlock(blockLabel, der[..written], line));
            offset = begin + fields.Location.End.Value;
        }

        return blocks.Count == 0
            ? Outcome<IReadOnlyList<PemBlock>>.Fail("no PEM block (-----BEGIN ...-----) found")
            : Outcome<IReadOnlyList<PemBlock>>.Success(blocks);
    }

    private static int LineOf(string text, int index)
    {
        int line = 1;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }
}
