using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Negotiation;

/// <summary>
/// Traffic selector narrowing (RFC 7296 §2.9): the responder answers with the part of each offered
/// selector that its own policy allows: the intersection of address ranges, protocols and ports.
/// </summary>
public static class TrafficSelectorNarrowing
{
    /// <summary>
    /// Every non-empty intersection of an offered selector with a configured one, in the order
    /// offered. Empty when nothing overlaps: the responder then answers TS_UNACCEPTABLE.
    /// </summary>
    public static List<TrafficSelector> Narrow(IReadOnlyList<TrafficSelector> offered, IReadOnlyList<TrafficSelector> configured)
    {
        var result = new List<TrafficSelector>();
        foreach (TrafficSelector o in offered)
        {
            foreach (TrafficSelector c in configured)
            {
                if (Intersect(o, c) is { } narrowed && !result.Any(r => r.Body.Span.SequenceEqual(narrowed.Body.Span) && r.IpProtocol == narrowed.IpProtocol && r.TsType == narrowed.TsType))
                {
                    result.Add(narrowed);
                }
            }
        }

        return result;
    }

    /// <summary>The intersection of two address-range selectors, or null when they do not overlap.</summary>
    public static TrafficSelector? Intersect(TrafficSelector a, TrafficSelector b)
    {
        if (!a.IsAddressRange || a.TsType != b.TsType)
        {
            return null;
        }

        // Protocol 0 means any (§3.13.1).
        byte protocol;
        if (a.IpProtocol == b.IpProtocol || b.IpProtocol == 0)
        {
            protocol = a.IpProtocol;
        }
        else if (a.IpProtocol == 0)
        {
            protocol = b.IpProtocol;
        }
        else
        {
            return null;
        }

        ushort startPort = Math.Max(a.StartPort, b.StartPort);
        ushort endPort = Math.Min(a.EndPort, b.EndPort);
        if (startPort > endPort)
        {
            return null;
        }

        ReadOnlySpan<byte> start = Max(a.StartAddressBytes.Span, b.StartAddressBytes.Span);
        ReadOnlySpan<byte> end = Min(a.EndAddressBytes.Span, b.EndAddressBytes.Span);
        if (start.SequenceCompareTo(end) > 0)
        {
            return null;
        }

        return TrafficSelector.Range(new System.Net.IPAddress(start), new System.Net.IPAddress(end), protocol, startPort, endPort);
    }

    /// <summary>True when <paramref name="inner"/> lies wholly inside <paramref name="outer"/>.</summary>
    public static bool IsSubset(TrafficSelector inner, TrafficSelector outer)
    {
        TrafficSelector? i = Intersect(inner, outer);
        return i is not null && i.IpProtocol == inner.IpProtocol && i.Body.Span.SequenceEqual(inner.Body.Span);
    }

    private static ReadOnlySpan<byte> Max(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => x.SequenceCompareTo(y) >= 0 ? x : y;

    private static ReadOnlySpan<byte> Min(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => x.SequenceCompareTo(y) <= 0 ? x : y;
}
