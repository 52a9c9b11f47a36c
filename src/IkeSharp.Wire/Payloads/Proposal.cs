using System.Buffers.Binary;
using System.Text;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// A proposal substructure (RFC 7296 §3.3.1).
/// <code>
/// | Last Substruc |   RESERVED    |         Proposal Length       |
/// | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
/// ~                        SPI (variable)                         ~
/// ~                        &lt;Transforms&gt;                         ~
/// </code>
/// Last Substruc is 0 for the last proposal and 2 otherwise; it is derived when encoding.
/// </summary>
public sealed record Proposal(byte Number, SecurityProtocol Protocol, ReadOnlyMemory<byte> Spi, IReadOnlyList<Transform> Transforms)
{
    public const int FixedLength = 8;
    private const byte MoreProposals = 2;

    public int EncodedLength
    {
        get
        {
            int length = FixedLength + Spi.Length;
            for (int i = 0; i < Transforms.Count; i++)
            {
                Transform t = Transforms[i];
                length += t.EncodedLength;
            }

            return length;
        }
    }

    /// <summary>Checks the proposal header and returns its length without decoding the transforms.</summary>
    internal static DecodeResult<int> PeekLength(ReadOnlySpan<byte> span, int offset, out bool isLast)
    {
        isLast = true;
        if (span.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.SecurityAssociation, offset, FixedLength, span.Length);
        }

        if (span[0] is not (0 or MoreProposals))
        {
            return Fail.Value(PayloadType.SecurityAssociation, offset, $"proposal Last Substruc is {span[0]}; valid are 0 (last) and 2 (more)");
        }

        isLast = span[0] == 0;
        int length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        if (length < FixedLength || length > span.Length)
        {
            return Fail.Length(PayloadType.SecurityAssociation, offset + 2, $"Proposal Length {length} outside {FixedLength}..{span.Length}");
        }

        return DecodeResult<int>.Success(length);
    }

    internal static DecodeResult<Proposal> Decode(ReadOnlyMemory<byte> bytes, int offset, out int consumed)
    {
        consumed = 0;
        DecodeResult<int> peek = PeekLength(bytes.Span, offset, out _);
        if (!peek.IsSuccess)
        {
            return peek.Propagate<Proposal>();
        }

        int length = peek.Value;
        ReadOnlySpan<byte> span = bytes.Span.Slice(0, length);
        byte number = span[4];
        var protocol = (SecurityProtocol)span[5];
        int spiSize = span[6];
        int transformCount = span[7];
        if (FixedLength + spiSize > length)
        {
            return Fail.Length(PayloadType.SecurityAssociation, offset + 6, $"SPI Size {spiSize} exceeds Proposal Length {length}");
        }

        int position = FixedLength + spiSize;

        // Each transform is at least 8 octets: check the count against the length before it sizes the array.
        if (transformCount * Transform.FixedLength > length - position)
        {
            return Fail.Length(PayloadType.SecurityAssociation, offset + 7, $"Num Transforms {transformCount} cannot fit in the {length - position} octets of proposal {number}");
        }

        var transforms = new Transform[transformCount];
        for (int i = 0; i < transformCount; i++)
        {
            DecodeResult<Transform> transform = Transform.Decode(bytes.Slice(position, length - position), offset + position, i == transformCount - 1, out int used);
            if (!transform.IsSuccess)
            {
                return transform.Propagate<Proposal>();
            }

            transforms[i] = transform.Value;
            position += used;
        }

        if (position != length)
        {
            return new DecodeError(DecodeErrorCode.TrailingData, $"{length - position} octets after the {transformCount} transforms of proposal {number}", offset + position, PayloadType.SecurityAssociation);
        }

        consumed = length;
        return DecodeResult<Proposal>.Success(new Proposal(number, protocol, bytes.Slice(FixedLength, spiSize), transforms));
    }

    internal int Write(Span<byte> destination, bool last)
    {
        if (Transforms.Count > byte.MaxValue || Spi.Length > byte.MaxValue)
        {
            throw new InvalidOperationException($"proposal {Number} has {Transforms.Count} transforms and a {Spi.Length}-octet SPI; at most 255 of each fit");
        }

        int length = EncodedLength;
        destination[0] = last ? (byte)0 : MoreProposals;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)length);
        destination[4] = Number;
        destination[5] = (byte)Protocol;
        destination[6] = (byte)Spi.Length;
        destination[7] = (byte)Transforms.Count;
        Spi.Span.CopyTo(destination.Slice(FixedLength));
        int position = FixedLength + Spi.Length;
        for (int i = 0; i < Transforms.Count; i++)
        {
            position += Transforms[i].Write(destination.Slice(position), last: i == Transforms.Count - 1);
        }

        return length;
    }

    /// <summary>The transforms in strongSwan's keyword notation, e.g. "aes128gcm16-prfsha256-x25519".</summary>
    public string Keywords => TransformKeywords.FormatProposal(Transforms);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append('#').Append(Number).Append(' ').Append(Protocol.ToIanaName()).Append(':').Append(Keywords);
        if (!Spi.IsEmpty)
        {
            sb.Append(" SPI ").Append(Convert.ToHexStringLower(Spi.Span));
        }

        return sb.ToString();
    }
}
