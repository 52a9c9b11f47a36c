using System.Buffers.Binary;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Encrypted and Authenticated Fragment payload, SKF (RFC 7383 §2.5).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// |        Fragment Number        |        Total Fragments        |
/// |                     Initialization Vector                     |
/// ~                      Encrypted content                        ~
/// ~                    Integrity Checksum Data                    ~
/// </code>
/// Next Payload names the first inner payload in fragment 1 and is 0 in the others.
/// </summary>
public sealed record EncryptedFragmentPayload(ushort FragmentNumber, ushort TotalFragments, PayloadType FirstInnerPayload, ReadOnlyMemory<byte> Body) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => PayloadType.EncryptedFragment;

    public override int BodyLength => FixedLength + Body.Length;

    internal override PayloadType TrailingNextPayload => FirstInnerPayload;

    public static DecodeResult<EncryptedFragmentPayload> Decode(PayloadType firstInner, ReadOnlyMemory<byte> body, int offset)
    {
        ReadOnlySpan<byte> span = body.Span;
        if (span.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.EncryptedFragment, offset, FixedLength, span.Length);
        }

        ushort number = BinaryPrimitives.ReadUInt16BigEndian(span);
        ushort total = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));

        // RFC 7383 §2.5: numbering starts at 1, and a fragment's number cannot exceed the total.
        if (number == 0 || number > total)
        {
            return Fail.Value(PayloadType.EncryptedFragment, offset, $"Fragment Number {number} of Total Fragments {total}; valid is 1..Total");
        }

        return DecodeResult<EncryptedFragmentPayload>.Success(new EncryptedFragmentPayload(number, total, firstInner, body.Slice(FixedLength)));
    }

    public override void WriteBody(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, FragmentNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), TotalFragments);
        Body.Span.CopyTo(destination.Slice(FixedLength));
    }

    public override string ToString() => $"SKF fragment {FragmentNumber}/{TotalFragments} ({Body.Length} bytes)";
}
