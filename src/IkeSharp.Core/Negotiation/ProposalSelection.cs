using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Negotiation;

/// <summary>
/// Chooses one of the peer's proposals (RFC 7296 §2.7): the responder takes the first of its own
/// configured proposals that any offered proposal can satisfy, as strongSwan does by default, and
/// picks one transform of each type. When nothing matches it says why in words.
/// </summary>
public static class ProposalSelection
{
    /// <summary>Transform types every proposal of the protocol must settle (KE is optional for ESP/AH: PFS).</summary>
    private static ReadOnlySpan<TransformType> TypesToSettle =>
        [TransformType.Encryption, TransformType.Prf, TransformType.Integrity, TransformType.KeyExchange, TransformType.SequenceNumbers];

    /// <summary>
    /// Selects from <paramref name="offered"/> (the peer's SA payload) against our
    /// <paramref name="configured"/> proposals, in our order of preference.
    /// </summary>
    public static SelectionResult Select(SecurityProtocol protocol, IReadOnlyList<IReadOnlyList<Transform>> configured, IReadOnlyList<Proposal> offered)
    {
        var reasons = new List<string>();
        foreach (IReadOnlyList<Transform> ours in configured)
        {
            foreach (Proposal theirs in offered)
            {
                if (theirs.Protocol != protocol)
                {
                    continue;
                }

                string? why = TryMatch(ours, theirs.Transforms, out List<Transform> chosen);
                if (why is null)
                {
                    return SelectionResult.Chosen(new Proposal(theirs.Number, theirs.Protocol, theirs.Spi, chosen));
                }

                reasons.Add($"offered #{theirs.Number} {TransformKeywords.FormatProposal(theirs.Transforms)} vs configured {TransformKeywords.FormatProposal(ours)}: {why}");
            }
        }

        if (!offered.Any(p => p.Protocol == protocol))
        {
            reasons.Add($"no {protocol.ToIanaName()} proposal was offered");
        }

        return SelectionResult.NoMatch(reasons);
    }

    /// <summary>Null when <paramref name="theirs"/> satisfies <paramref name="ours"/>; else which transform type found no common algorithm.</summary>
    public static string? TryMatch(IReadOnlyList<Transform> ours, IReadOnlyList<Transform> theirs, out List<Transform> chosen)
    {
        // Plain loops: this runs for every IKE_SA_INIT and CREATE_CHILD_SA a responder answers, and
        // the LINQ it was written with allocated two arrays and a closure per transform type.
        chosen = new List<Transform>(5);
        foreach (TransformType type in TypesToSettle)
        {
            bool oursHas = false, oursNone = false, theirsHas = false, theirsNone = false;
            Transform? common = null;
            for (int i = 0; i < ours.Count; i++)
            {
                Transform o = ours[i];
                if (o.Type != type)
                {
                    continue;
                }

                oursHas = true;
                oursNone |= IsNone(o);

                // Ours in our order of preference, the first the peer also offers.
                if (common is null && Offers(theirs, o))
                {
                    common = o;
                }
            }

            for (int i = 0; i < theirs.Count; i++)
            {
                if (theirs[i].Type == type)
                {
                    theirsHas = true;
                    theirsNone |= IsNone(theirs[i]);
                }
            }

            if (!oursHas && !theirsHas)
            {
                continue;
            }

            if (common is not null)
            {
                if (!IsNone(common))
                {
                    chosen.Add(common);
                }

                continue;
            }

            // Absent, or "NONE" (KE none: no PFS; integrity none: AEAD), on both sides is agreement too.
            if ((!oursHas || oursNone) && (!theirsHas || theirsNone))
            {
                continue;
            }

            string offeredNames = theirsHas ? string.Join("/", theirs.Where(t => t.Type == type).Select(t => t.Keyword)) : "none";
            string ourNames = oursHas ? string.Join("/", ours.Where(t => t.Type == type).Select(t => t.Keyword)) : "none";
            return $"no common {TypeName(type)} (offered {offeredNames}, configured {ourNames})";
        }

        return null;
    }

    private static bool Offers(IReadOnlyList<Transform> set, Transform wanted)
    {
        for (int i = 0; i < set.Count; i++)
        {
            if (Same(wanted, set[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNone(Transform t) => t.Id == 0 && t.Type is TransformType.KeyExchange or TransformType.Integrity;

    private static bool Same(Transform a, Transform b) => a.Type == b.Type && a.Id == b.Id && a.KeyLength == b.KeyLength;

    private static string TypeName(TransformType type) => type switch
    {
        TransformType.Encryption => "encryption algorithm",
        TransformType.Prf => "PRF",
        TransformType.Integrity => "integrity algorithm",
        TransformType.KeyExchange => "key exchange method",
        TransformType.SequenceNumbers => "sequence number (ESN) setting",
        _ => type.ToIanaName(),
    };
}

/// <summary>The chosen proposal (one transform per type, the peer's number and SPI), or the reasons none was.</summary>
public sealed record SelectionResult(Proposal? Proposal, IReadOnlyList<string> Reasons)
{
    public bool IsMatch => Proposal is not null;

    public static SelectionResult Chosen(Proposal proposal) => new(proposal, []);

    public static SelectionResult NoMatch(IReadOnlyList<string> reasons) => new(null, reasons);

    /// <summary>One paragraph for a log line or a NegotiationFailed event.</summary>
    public string Explain() => IsMatch ? $"chose {TransformKeywords.FormatProposal(Proposal!.Transforms)}" : "no proposal chosen: " + string.Join("; ", Reasons);
}
