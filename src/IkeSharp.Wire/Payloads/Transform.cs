using System.Buffers.Binary;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// A transform substructure (RFC 7296 §3.3.2).
/// <code>
/// | Last Substruc |   RESERVED    |        Transform Length       |
/// |Transform Type |   RESERVED    |          Transform ID         |
/// ~                      Transform Attributes                     ~
/// </code>
/// Last Substruc is 0 for the last transform of a proposal and 3 otherwise.
/// </summary>
public sealed record Transform(TransformType Type, ushort Id, IReadOnlyList<TransformAttribute> Attributes)
{
    public const int FixedLength = 8;
    private const byte MoreTransforms = 3;

    public Transform(TransformType type, ushort id)
        : this(type, id, Array.Empty<TransformAttribute>())
    {
    }

    public static Transform Encryption(EncryptionAlgorithm algorithm, int? keyLength = null) =>
        keyLength is { } bits
            ? new Transform(TransformType.Encryption, (ushort)algorithm, [TransformAttribute.KeyLength(bits)])
            : new Transform(TransformType.Encryption, (ushort)algorithm);

    public static Transform Prf(PseudorandomFunction prf) => new(TransformType.Prf, (ushort)prf);

    public static Transform Integrity(IntegrityAlgorithm integrity) => new(TransformType.Integrity, (ushort)integrity);

    public static Transform KeyExchange(KeyExchangeMethod method) => new(TransformType.KeyExchange, (ushort)method);

    public static Transform Esn(SequenceNumbers esn) => new(TransformType.SequenceNumbers, (ushort)esn);

    /// <summary>The Key Length attribute (RFC 7296 §3.3.5), in bits, when present.</summary>
    public int? KeyLength
    {
        get
        {
            for (int i = 0; i < Attributes.Count; i++)
            {
                TransformAttribute a = Attributes[i];
                if (a.AttributeType == TransformAttributeType.KeyLength && a.IsShortForm)
                {
                    return a.ShortValue;
                }
            }

            return null;
        }
    }

    public int EncodedLength
    {
        get
        {
            int length = FixedLength;
            for (int i = 0; i < Attributes.Count; i++)
            {
                TransformAttribute a = Attributes[i];
                length += a.EncodedLength;
            }

            return length;
        }
    }

    internal static DecodeResult<Transform> Decode(ReadOnlyMemory<byte> bytes, int offset, bool expectLast, out int consumed)
    {
        consumed = 0;
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.SecurityAssociation, offset, FixedLength, span.Length);
        }

        byte lastSubstruc = span[0];
        if (lastSubstruc != (expectLast ? 0 : MoreTransforms))
        {
            return Fail.Value(PayloadType.SecurityAssociation, offset,
                $"transform Last Substruc is {lastSubstruc}, but Num Transforms says this transform is {(expectLast ? "the last (0)" : "not the last (3)")}");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if (length < FixedLength || length > span.Length)
        {
            return Fail.Length(PayloadType.SecurityAssociation, offset + 2, $"Transform Length {length} outside {FixedLength}..{span.Length}");
        }

        var type = (TransformType)span[4];
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(6));

        int count = 0;
        int position = FixedLength;
        while (position < length)
        {
            DecodeResult<int> attributeLength = TransformAttribute.PeekLength(span.Slice(position, length - position), offset + position);
            if (!attributeLength.IsSuccess)
            {
                return attributeLength.Propagate<Transform>();
            }

            if (++count > WireLimits.MaxTransformAttributes)
            {
                return new DecodeError(DecodeErrorCode.LimitExceeded, $"more than {WireLimits.MaxTransformAttributes} attributes on one transform", offset + position, PayloadType.SecurityAssociation);
            }

            position += attributeLength.Value;
        }

        TransformAttribute[] attributes = count == 0 ? [] : new TransformAttribute[count];
        position = FixedLength;
        for (int i = 0; i < count; i++)
        {
            attributes[i] = TransformAttribute.Read(bytes.Slice(position, length - position), out int used);
            position += used;
        }

        consumed = length;
        return DecodeResult<Transform>.Success(new Transform(type, id, attributes));
    }

    internal int Write(Span<byte> destination, bool last)
    {
        int length = EncodedLength;
        destination[0] = last ? (byte)0 : MoreTransforms;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)length);
        destination[4] = (byte)Type;
        destination[5] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(6), Id);
        int position = FixedLength;
        for (int i = 0; i < Attributes.Count; i++)
        {
            TransformAttribute a = Attributes[i];
            position += a.Write(destination.Slice(position));
        }

        return length;
    }

    /// <summary>strongSwan's keyword for this one transform (aes256, prfsha256, modp2048, ...).</summary>
    public string Keyword => TransformKeywords.Format(this);

    public override string ToString() => $"{Type.ToIanaName()}:{Keyword}";
}

/// <summary>
/// A transform attribute (RFC 7296 §3.3.5).
/// <code>
/// |A|       Attribute Type        |    AF=0  Attribute Length     |
/// |F|                             |    AF=1  Attribute Value      |
/// |                   AF=0  Attribute Value                       |
/// </code>
/// AF=1 is the short (TV) form, with the value in the second half of the header.
/// </summary>
public sealed record TransformAttribute(TransformAttributeType AttributeType, bool IsShortForm, ushort ShortValue, ReadOnlyMemory<byte> LongValue)
{
    private const int HeaderLength = 4;
    private const ushort FormatBit = 0x8000;

    public int EncodedLength => IsShortForm ? HeaderLength : HeaderLength + LongValue.Length;

    /// <summary>Key Length in bits, always in the short form (RFC 7296 §3.3.5).</summary>
    public static TransformAttribute KeyLength(int bits) => new(TransformAttributeType.KeyLength, true, checked((ushort)bits), default);

    internal static DecodeResult<int> PeekLength(ReadOnlySpan<byte> span, int offset)
    {
        if (span.Length < HeaderLength)
        {
            return Fail.Truncated(PayloadType.SecurityAssociation, offset, HeaderLength, span.Length);
        }

        ushort typeField = BinaryPrimitives.ReadUInt16BigEndian(span);
        if ((typeField & FormatBit) != 0)
        {
            return DecodeResult<int>.Success(HeaderLength);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if (HeaderLength + length > span.Length)
        {
            return Fail.Length(PayloadType.SecurityAssociation, offset + 2, $"Attribute Length {length} exceeds the {span.Length - HeaderLength} octets left in the transform");
        }

        return DecodeResult<int>.Success(HeaderLength + length);
    }

    /// <summary>Reads an attribute whose length <see cref="PeekLength"/> has already checked.</summary>
    internal static TransformAttribute Read(ReadOnlyMemory<byte> bytes, out int consumed)
    {
        ReadOnlySpan<byte> span = bytes.Span;
        ushort typeField = BinaryPrimitives.ReadUInt16BigEndian(span);
        var type = (TransformAttributeType)(typeField & ~FormatBit);
        ushort second = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if ((typeField & FormatBit) != 0)
        {
            consumed = HeaderLength;
            return new TransformAttribute(type, true, second, default);
        }

        consumed = HeaderLength + second;
        return new TransformAttribute(type, false, 0, bytes.Slice(HeaderLength, second));
    }

    internal int Write(Span<byte> destination)
    {
        ushort typeField = (ushort)((ushort)AttributeType & ~FormatBit);
        if (IsShortForm)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(typeField | FormatBit));
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), ShortValue);
            return HeaderLength;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, typeField);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)LongValue.Length);
        LongValue.Span.CopyTo(destination.Slice(HeaderLength));
        return HeaderLength + LongValue.Length;
    }

    public override string ToString() => IsShortForm ? $"{AttributeType.ToIanaName()}={ShortValue}" : $"{AttributeType.ToIanaName()}={Convert.ToHexStringLower(LongValue.Span)}";
}
