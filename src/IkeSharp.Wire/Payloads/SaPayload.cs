namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Security Association payload, SA (RFC 7296 §3.3): proposals, most preferred first.
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// ~                          &lt;Proposals&gt;                          ~
/// </code>
/// </summary>
public sealed record SaPayload(IReadOnlyList<Proposal> Proposals) : Payload
{
    public override PayloadType Type => PayloadType.SecurityAssociation;

    public override int BodyLength
    {
        get
        {
            int length = 0;
            for (int i = 0; i < Proposals.Count; i++)
            {
                Proposal p = Proposals[i];
                length += p.EncodedLength;
            }

            return length;
        }
    }

    public static DecodeResult<SaPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        // RFC 7296 §3.3: "an implementation MUST check that the total Payload Length is consistent
        // with the payload's internal lengths and counts". Walk once to count, then decode into
        // an array sized by what is really there.
        int count = 0;
        int position = 0;
        while (position < body.Length)
        {
            DecodeResult<int> length = Proposal.PeekLength(body.Span.Slice(position), offset + position, isLast: out bool last);
            if (!length.IsSuccess)
            {
                return length.Propagate<SaPayload>();
            }

            count++;
            if (count > WireLimits.MaxProposals)
            {
                return new DecodeError(DecodeErrorCode.LimitExceeded, $"more than {WireLimits.MaxProposals} proposals", offset + position, PayloadType.SecurityAssociation);
            }

            position += length.Value;

            if (last != (position == body.Length))
            {
                return Fail.Value(PayloadType.SecurityAssociation, offset + position - length.Value,
                    last ? "Last Substruc is 0 (last proposal) but more proposals follow" : "Last Substruc is 2 (more proposals) but the payload ends here");
            }
        }

        if (count == 0)
        {
            return Fail.Value(PayloadType.SecurityAssociation, offset, "an SA payload needs at least one proposal");
        }

        var proposals = new Proposal[count];
        position = 0;
        for (int i = 0; i < count; i++)
        {
            DecodeResult<Proposal> proposal = Proposal.Decode(body.Slice(position), offset + position, out int consumed);
            if (!proposal.IsSuccess)
            {
                return proposal.Propagate<SaPayload>();
            }

            proposals[i] = proposal.Value;
            position += consumed;
        }

        return DecodeResult<SaPayload>.Success(new SaPayload(proposals));
    }

    public override void WriteBody(Span<byte> destination)
    {
        int position = 0;
        for (int i = 0; i < Proposals.Count; i++)
        {
            position += Proposals[i].Write(destination.Slice(position), last: i == Proposals.Count - 1);
        }
    }

    public override string ToString() => $"SA {string.Join(", ", Proposals)}";
}
