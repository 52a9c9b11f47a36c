namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Authentication payload, AUTH (RFC 7296 §3.8).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// | Auth Method   |                RESERVED                       |
/// ~                      Authentication Data                      ~
/// </code>
/// For method 14, Digital Signature (RFC 7427 §3), the data starts with a one-octet length and an
/// ASN.1 AlgorithmIdentifier; see <see cref="TrySplitDigitalSignature"/>.
/// </summary>
public sealed record AuthPayload(AuthMethod Method, ReadOnlyMemory<byte> Data) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => PayloadType.Authentication;

    public override int BodyLength => FixedLength + Data.Length;

    public static DecodeResult<AuthPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        if (body.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.Authentication, offset, FixedLength, body.Length);
        }

        return DecodeResult<AuthPayload>.Success(new AuthPayload((AuthMethod)body.Span[0], body.Slice(FixedLength)));
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Method;
        destination.Slice(1, 3).Clear();
        Data.Span.CopyTo(destination.Slice(FixedLength));
    }

    /// <summary>
    /// Splits method-14 data into the AlgorithmIdentifier (DER) and the signature (RFC 7427 §3).
    /// </summary>
    public bool TrySplitDigitalSignature(out ReadOnlyMemory<byte> algorithmIdentifier, out ReadOnlyMemory<byte> signature)
    {
        algorithmIdentifier = default;
        signature = default;
        if (Method != AuthMethod.DigitalSignature || Data.Length < 1)
        {
            return false;
        }

        int length = Data.Span[0];
        if (length == 0 || Data.Length < 1 + length)
        {
            return false;
        }

        algorithmIdentifier = Data.Slice(1, length);
        signature = Data.Slice(1 + length);
        return true;
    }

    public override string ToString() => $"AUTH {Method.ToIanaName()} ({Data.Length} bytes)";
}
