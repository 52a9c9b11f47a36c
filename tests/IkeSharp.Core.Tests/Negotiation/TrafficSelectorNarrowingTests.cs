using System.Net;
using IkeSharp.Core.Negotiation;

namespace IkeSharp.Core.Tests.Negotiation;

public class TrafficSelectorNarrowingTests
{
    private static TrafficSelector Net(string cidr, byte proto = 0, ushort from = 0, ushort to = 65535) => TrafficSelector.Subnet(cidr, proto, from, to);

    [Fact]
    public void Any_to_any_offer_is_narrowed_to_the_responders_subnets()
    {
        // The initiator proposes 0.0.0.0/0 (as the load generator does); the responder's policy is 10.2.0.0/24.
        List<TrafficSelector> narrowed = TrafficSelectorNarrowing.Narrow([Net("0.0.0.0/0")], [Net("10.2.0.0/24")]);
        Assert.Equal("10.2.0.0/24", Assert.Single(narrowed).ToString());
    }

    [Fact]
    public void Ranges_protocols_and_ports_intersect()
    {
        TrafficSelector? ts = TrafficSelectorNarrowing.Intersect(Net("10.0.0.0/16", 6, 1000, 2000), Net("10.0.5.0/24", 0, 1500, 65535));
        Assert.Equal("10.0.5.0/24[tcp/1500-2000]", ts!.ToString());

        Assert.Null(TrafficSelectorNarrowing.Intersect(Net("10.0.0.0/16", 6), Net("10.0.0.0/16", 17)));
        Assert.Null(TrafficSelectorNarrowing.Intersect(Net("10.1.0.0/24"), Net("10.2.0.0/24")));
        Assert.Null(TrafficSelectorNarrowing.Intersect(Net("10.1.0.0/24", 6, 80, 80), Net("10.1.0.0/24", 6, 443, 443)));
        Assert.Null(TrafficSelectorNarrowing.Intersect(Net("10.1.0.0/24"), Net("2001:db8::/32")));

        TrafficSelector? partial = TrafficSelectorNarrowing.Intersect(
            TrafficSelector.Range(IPAddress.Parse("10.0.0.5"), IPAddress.Parse("10.0.0.200")), Net("10.0.0.128/25"));
        Assert.Equal("10.0.0.128..10.0.0.200", partial!.ToString());
    }

    [Fact]
    public void Ipv6_selectors_narrow_too()
    {
        Assert.Equal("2001:db8:1::/48", TrafficSelectorNarrowing.Intersect(Net("2001:db8::/32"), Net("2001:db8:1::/48"))!.ToString());
    }

    [Fact]
    public void Nothing_in_common_gives_nothing_so_the_responder_says_ts_unacceptable()
    {
        Assert.Empty(TrafficSelectorNarrowing.Narrow([Net("192.168.0.0/16")], [Net("10.2.0.0/24"), Net("10.3.0.0/24")]));
    }

    [Fact]
    public void Several_offered_and_configured_selectors_give_every_overlap_once()
    {
        List<TrafficSelector> narrowed = TrafficSelectorNarrowing.Narrow(
            [Net("10.0.0.0/8"), Net("10.2.0.0/16")], [Net("10.2.0.0/24"), Net("10.3.0.0/24")]);
        Assert.Equal(["10.2.0.0/24", "10.3.0.0/24"], narrowed.Select(t => t.ToString()));
    }

    [Fact]
    public void Subset_check()
    {
        Assert.True(TrafficSelectorNarrowing.IsSubset(Net("10.2.0.0/24"), Net("10.0.0.0/8")));
        Assert.False(TrafficSelectorNarrowing.IsSubset(Net("10.0.0.0/8"), Net("10.2.0.0/24")));
        Assert.False(TrafficSelectorNarrowing.IsSubset(Net("10.2.0.0/24"), Net("10.0.0.0/8", 6)));
    }
}
