namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Certificate payload, CERT (RFC 7296 §3.6).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// | Cert Encoding |                                               |
/// ~                       Certificate Data                        ~
/// </code>
/// "Hash and URL" encodings (12, 13) carry a 20-octet SHA-1 hash followed by the URL (§3.6).
/// </summary>
public sealed record CertPayload(CertificateEncoding Encoding, ReadOnlyMemory<byte> Data) : Payload
{
    private const int Sha1Length = 20;

    public override PayloadType Type => PayloadType.Certificate;

    public override int BodyLength => 1 + Data.Length;

    public bool IsHashAndUrl => Encoding is CertificateEncoding.HashAndUrlX509Certificate or CertificateEncoding.HashAndUrlX509Bundle;

    public static DecodeResult<CertPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        if (body.Length < 1)
        {
            return Fail.Truncated(PayloadType.Certificate, offset, 1, body.Length);
        }

        var encoding = (CertificateEncoding)body.Span[0];
        var payload = new CertPayload(encoding, body.Slice(1));
        if (payload.IsHashAndUrl && payload.Data.Length < Sha1Length)
        {
            return Fail.Length(PayloadType.Certificate, offset + 1, $"{encoding.ToIanaName()} needs a {Sha1Length}-octet SHA-1 hash before the URL, found {payload.Data.Length} octets");
        }

        return DecodeResult<CertPayload>.Success(payload);
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Encoding;
        Data.Span.CopyTo(destination.Slice(1));
    }

    /// <summary>Splits a Hash and URL encoding into the SHA-1 hash and the URL (RFC 7296 §3.6).</summary>
    public bool TryGetHashAndUrl(out ReadOnlyMemory<byte> sha1, out string url)
    {
        sha1 = default;
        url = string.Empty;
        if (!IsHashAndUrl || Data.Length < Sha1Length)
        {
            return false;
        }

        sha1 = Data.Slice(0, Sha1Length);
        url = Printable.Ascii(Data.Span.Slice(Sha1Length));
        return true;
    }

    public static CertPayload HashAndUrl(bool bundle, ReadOnlySpan<byte> sha1, string url)
    {
        if (sha1.Length != Sha1Length)
        {
            throw new ArgumentException($"Hash and URL needs a {Sha1Length}-octet SHA-1 hash", nameof(sha1));
        }

        byte[] data = new byte[Sha1Length + System.Text.Encoding.ASCII.GetByteCount(url)];
        sha1.CopyTo(data);
        System.Text.Encoding.ASCII.GetBytes(url, data.AsSpan(Sha1Length));
        return new CertPayload(bundle ? CertificateEncoding.HashAndUrlX509Bundle : CertificateEncoding.HashAndUrlX509Certificate, data);
    }

    public override string ToString() => TryGetHashAndUrl(out _, out string url)
        ? $"CERT {Encoding.ToIanaName()} {url}"
        : $"CERT {Encoding.ToIanaName()} ({Data.Length} bytes)";
}
