namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Traffic Selector payloads, TSi and TSr (RFC 7296 §3.13).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// | Number of TSs |                 RESERVED                      |
/// ~                       Traffic Selectors                       ~
/// </code>
/// </summary>
public sealed record TsPayload(IkeRole Role, IReadOnlyList<TrafficSelector> Selectors) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => Role == IkeRole.Initiator ? PayloadType.TsInitiator : PayloadType.TsResponder;

    public override int BodyLength
    {
        get
        {
            int length = FixedLength;
            for (int i = 0; i < Selectors.Count; i++)
            {
                TrafficSelector ts = Selectors[i];
                length += ts.EncodedLength;
            }

            return length;
        }
    }

    public static DecodeResult<TsPayload> Decode(IkeRole role, ReadOnlyMemory<byte> body, int offset)
    {
        PayloadType type = role == IkeRole.Initiator ? PayloadType.TsInitiator : PayloadType.TsResponder;
        if (body.Length < FixedLength)
        {
            return Fail.Truncated(type, offset, FixedLength, body.Length);
        }

        int count = body.Span[0];

        // Each selector is at least its 4-octet header, so the count is checked against the length
        // before it sizes anything.
        if (count * TrafficSelector.HeaderLength > body.Length - FixedLength)
        {
            return Fail.Length(type, offset, $"Number of TSs {count} cannot fit in {body.Length - FixedLength} octets");
        }

        var selectors = new TrafficSelector[count];
        int position = FixedLength;
        for (int i = 0; i < count; i++)
        {
            DecodeResult<TrafficSelector> ts = TrafficSelector.Decode(body.Slice(position), type, offset + position, out int consumed);
            if (!ts.IsSuccess)
            {
                return ts.Propagate<TsPayload>();
            }

            selectors[i] = ts.Value;
            position += consumed;
        }

        if (position != body.Length)
        {
            return new DecodeError(DecodeErrorCode.TrailingData, $"{body.Length - position} octets follow the {count} traffic selectors", offset + position, type);
        }

        return DecodeResult<TsPayload>.Success(new TsPayload(role, selectors));
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Selectors.Count;
        destination.Slice(1, 3).Clear();
        int position = FixedLength;
        for (int i = 0; i < Selectors.Count; i++)
        {
            TrafficSelector ts = Selectors[i];
            ts.Write(destination.Slice(position));
            position += ts.EncodedLength;
        }
    }

    public override string ToString() =>
        $"{(Role == IkeRole.Initiator ? "TSi" : "TSr")} {string.Join(" ", Selectors)}";
}
