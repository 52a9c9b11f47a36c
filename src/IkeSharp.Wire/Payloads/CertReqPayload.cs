namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Certificate Request payload, CERTREQ (RFC 7296 §3.7).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// | Cert Encoding |                                               |
/// ~                    Certification Authority                    ~
/// </code>
/// For X.509 encodings the Certification Authority field is a concatenation of SHA-1 hashes of
/// trusted CAs' public keys (SubjectPublicKeyInfo), 20 octets each.
/// </summary>
public sealed record CertReqPayload(CertificateEncoding Encoding, ReadOnlyMemory<byte> Authorities) : Payload
{
    public const int AuthorityHashLength = 20;

    public override PayloadType Type => PayloadType.CertificateRequest;

    public override int BodyLength => 1 + Authorities.Length;

    /// <summary>Number of whole 20-octet CA hashes; a trailing partial hash is ignored.</summary>
    public int AuthorityCount => Authorities.Length / AuthorityHashLength;

    public ReadOnlyMemory<byte> GetAuthority(int index) => Authorities.Slice(index * AuthorityHashLength, AuthorityHashLength);

    public static DecodeResult<CertReqPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        if (body.Length < 1)
        {
            return Fail.Truncated(PayloadType.CertificateRequest, offset, 1, body.Length);
        }

        return DecodeResult<CertReqPayload>.Success(new CertReqPayload((CertificateEncoding)body.Span[0], body.Slice(1)));
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Encoding;
        Authorities.Span.CopyTo(destination.Slice(1));
    }

    public override string ToString() => $"CERTREQ {Encoding.ToIanaName()} ({AuthorityCount} CA hashes)";
}
