using System.Buffers.Binary;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Extensible Authentication payload, EAP (RFC 7296 §3.16): one EAP message (RFC 3748 §4).
/// <code>
/// |     Code      |  Identifier   |            Length             |
/// |     Type      |  Type_Data...
/// </code>
/// The EAP Length must equal the payload body length; Type is present only in Request (1) and Response (2).
/// </summary>
public sealed record EapPayload(ReadOnlyMemory<byte> Message) : Payload
{
    private const int EapHeaderLength = 4;

    public override PayloadType Type => PayloadType.Eap;

    public override int BodyLength => Message.Length;

    public EapCode Code => (EapCode)Message.Span[0];

    public byte Identifier => Message.Span[1];

    /// <summary>The EAP method type (RFC 3748 §5) of a Request or Response, else null.</summary>
    public byte? MethodType => Message.Length > EapHeaderLength && Code is EapCode.Request or EapCode.Response ? Message.Span[4] : null;

    public static DecodeResult<EapPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        ReadOnlySpan<byte> span = body.Span;
        if (span.Length < EapHeaderLength)
        {
            return Fail.Truncated(PayloadType.Eap, offset, EapHeaderLength, span.Length);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if (length != span.Length)
        {
            return new DecodeError(DecodeErrorCode.BadLength, $"EAP Length is {length} but the payload holds {span.Length} octets", offset + 2, PayloadType.Eap);
        }

        var code = (EapCode)span[0];
        if (code is EapCode.Request or EapCode.Response && length < EapHeaderLength + 1)
        {
            return new DecodeError(DecodeErrorCode.Truncated, $"EAP {code} without a Type octet", offset, PayloadType.Eap);
        }

        return DecodeResult<EapPayload>.Success(new EapPayload(body));
    }

    public override void WriteBody(Span<byte> destination) => Message.Span.CopyTo(destination);

    public override string ToString() => MethodType is { } t
        ? $"EAP {Code} id {Identifier} type {t} ({Message.Length} bytes)"
        : $"EAP {Code} id {Identifier}";
}

/// <summary>EAP Code field (RFC 3748 §4; 5 and 6 from RFC 6696).</summary>
public enum EapCode : byte
{
    Request = 1,
    Response = 2,
    Success = 3,
    Failure = 4,
    Initiate = 5,
    Finish = 6,
}
