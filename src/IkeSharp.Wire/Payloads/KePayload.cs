using System.Buffers.Binary;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Key Exchange payload, KE (RFC 7296 §3.4).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// |   Diffie-Hellman Group Num    |           RESERVED            |
/// ~                       Key Exchange Data                       ~
/// </code>
/// </summary>
public sealed record KePayload(KeyExchangeMethod Method, ReadOnlyMemory<byte> Data) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => PayloadType.KeyExchange;

    public override int BodyLength => FixedLength + Data.Length;

    public static DecodeResult<KePayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        ReadOnlySpan<byte> span = body.Span;
        if (span.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.KeyExchange, offset, FixedLength, span.Length);
        }

        var method = (KeyExchangeMethod)BinaryPrimitives.ReadUInt16BigEndian(span);
        return DecodeResult<KePayload>.Success(new KePayload(method, body.Slice(FixedLength)));
    }

    public override void WriteBody(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Method);
        destination[2] = 0;
        destination[3] = 0;
        Data.Span.CopyTo(destination.Slice(FixedLength));
    }

    public override string ToString() => $"KE {Method.ToKeyword()} ({Data.Length} bytes)";
}
