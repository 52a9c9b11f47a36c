using IkeSharp.Daemon.Tun;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Tun;

/// <summary>
/// The daemon's own routing table (strongSwan's charon.routing_table): routes into the TUN device
/// go there, a rule looks it up ahead of main, the main table is never written, and nothing is left
/// after a clean stop; a crashed run's leftovers are cleared at the next start. Each test in its own
/// namespace, with a default route in its main table as a host has.
/// </summary>
public class RoutingTableTests
{
    /// <summary>A namespace with a LAN address and a default route via 203.0.113.1 on a veth (no traffic is sent).</summary>
    private static NetNs Namespace(string name)
    {
        var ns = new NetNs(name);
        ns.Must("-n", name, "addr", "add", "10.1.0.1/24", "dev", "lo");
        ns.Must("-n", name, "link", "add", "wtrt-a", "type", "veth", "peer", "name", "wtrt-b");
        ns.Must("-n", name, "addr", "add", "203.0.113.2/24", "dev", "wtrt-a");
        ns.Must("-n", name, "link", "set", "wtrt-a", "up");
        ns.Must("-n", name, "link", "set", "wtrt-b", "up");
        ns.Must("-n", name, "route", "add", "default", "via", "203.0.113.1", "dev", "wtrt-a");
        return ns;
    }

    /// <summary>The IPv6 main table without the link-local route the kernel itself gives the TUN device.</summary>
    private static string Main6(NetNs ns) =>
        string.Join('\n', ns.Must("-n", ns.Name, "-6", "route", "show").Split('\n').Where(l => !l.Contains("dev wtrt0 proto kernel", StringComparison.Ordinal)));

    private static string Rules(NetNs ns, string family) => ns.Must("-n", ns.Name, family, "rule", "show");

    private static int Count(string text, string line) =>
        text.Split('\n').Count(l => l.Trim().Replace('\t', ' ') == line);

    [Fact]
    public void A_full_tunnel_goes_into_table_220_the_main_default_route_stays_and_the_peer_stays_outside()
    {
        using NetNs ns = Namespace("wt-routes-full");
        string main = ns.Must("-n", ns.Name, "route", "show");
        string main6 = Main6(ns);
        Assert.Contains("default via 203.0.113.1 dev wtrt-a", main, StringComparison.Ordinal);
        ns.Run(() =>
        {
            using (TunInterface tun = TunInterface.Open("wtrt0", NullLogger.Instance))
            {
                Assert.Equal(220u, tun.RoutingTableId);
                Assert.Equal(1, Count(Rules(ns, "-4"), "220: from all lookup 220"));
                Assert.Equal(1, Count(Rules(ns, "-6"), "220: from all lookup 220"));

                // The IKE peer (203.0.113.9) is inside 0.0.0.0/0: kept out first, then the tunnel route.
                Assert.True(tun.ExcludePeer(IPAddress.Parse("203.0.113.9"), out string? error), error);
                Assert.True(tun.AddRoute(TrafficSelector.Subnet("0.0.0.0/0"), [TrafficSelector.Subnet("10.1.0.0/24")], out error), error);
                Assert.True(tun.AddRoute(TrafficSelector.Subnet("::/0"), [TrafficSelector.Subnet("fd01::/64")], out error), error);

                string table = ns.Must("-n", ns.Name, "route", "show", "table", "220");
                Assert.Contains("default dev wtrt0 proto static scope link src 10.1.0.1", table, StringComparison.Ordinal);
                Assert.Contains("throw 203.0.113.9 proto static", table, StringComparison.Ordinal);
                Assert.Contains("default dev wtrt0", ns.Must("-n", ns.Name, "-6", "route", "show", "table", "220"), StringComparison.Ordinal);
                Assert.Equal(main, ns.Must("-n", ns.Name, "route", "show"));
                Assert.Equal(main6, Main6(ns));

                // What the host would do (ip route get sends nothing): the Internet into the tunnel, the peer as before.
                Assert.Contains("dev wtrt0 table 220", ns.Must("-n", ns.Name, "route", "get", "198.51.100.7"), StringComparison.Ordinal);
                string peer = ns.Must("-n", ns.Name, "route", "get", "203.0.113.9");
                Assert.Contains("203.0.113.9 dev wtrt-a src 203.0.113.2", peer, StringComparison.Ordinal);
                Assert.DoesNotContain("wtrt0", peer, StringComparison.Ordinal);

                // The SA goes: its route and the exclusion go; the main table is as it was.
                tun.RemoveRoute(TrafficSelector.Subnet("0.0.0.0/0"));
                tun.IncludePeer(IPAddress.Parse("203.0.113.9"));
                Assert.DoesNotContain("203.0.113.9", ns.Must("-n", ns.Name, "route", "show", "table", "220"), StringComparison.Ordinal);
                Assert.DoesNotContain("default", ns.Must("-n", ns.Name, "route", "show", "table", "220"), StringComparison.Ordinal);
                Assert.Equal(main, ns.Must("-n", ns.Name, "route", "show"));
                Assert.Contains("via 203.0.113.1 dev wtrt-a", ns.Must("-n", ns.Name, "route", "get", "198.51.100.7"), StringComparison.Ordinal);

                // Left in place at the stop: the IPv6 route and an exclusion, which the stop removes.
                Assert.True(tun.ExcludePeer(IPAddress.Parse("203.0.113.10"), out error), error);
            }

            // A clean stop: no route in table 220, no rule, the main tables as they were.
            Assert.Equal(string.Empty, ns.Must("-n", ns.Name, "route", "show", "table", "220").Trim());
            Assert.Equal(string.Empty, ns.Must("-n", ns.Name, "-6", "route", "show", "table", "220").Trim());
            Assert.DoesNotContain("lookup 220", Rules(ns, "-4"), StringComparison.Ordinal);
            Assert.DoesNotContain("lookup 220", Rules(ns, "-6"), StringComparison.Ordinal);
            Assert.Equal(main, ns.Must("-n", ns.Name, "route", "show"));
            Assert.Equal(main6, Main6(ns));
        });
    }

    [Fact]
    public void A_crashed_runs_rules_and_routes_are_cleared_at_start_and_nothing_else()
    {
        using NetNs ns = Namespace("wt-routes-left");

        // What a run killed with -9 leaves (its TUN device, and the routes through it, went with the process).
        ns.Must("-n", ns.Name, "rule", "add", "pref", "220", "lookup", "220");
        ns.Must("-n", ns.Name, "-6", "rule", "add", "pref", "220", "lookup", "220");
        ns.Must("-n", ns.Name, "route", "add", "throw", "203.0.113.9", "table", "220");
        ns.Must("-n", ns.Name, "route", "add", "10.9.0.0/16", "dev", "wtrt-a", "table", "220");
        ns.Must("-n", ns.Name, "-6", "route", "add", "throw", "2001:db8::9", "table", "220");

        // Someone else's rule and table stay.
        ns.Must("-n", ns.Name, "rule", "add", "pref", "100", "lookup", "100");
        ns.Must("-n", ns.Name, "route", "add", "10.8.0.0/16", "dev", "wtrt-a", "table", "100");
        string main = ns.Must("-n", ns.Name, "route", "show");
        ns.Run(() =>
        {
            using TunInterface tun = TunInterface.Open("wtrt0", NullLogger.Instance);
            Assert.Equal(string.Empty, ns.Must("-n", ns.Name, "route", "show", "table", "220").Trim());
            Assert.Equal(string.Empty, ns.Must("-n", ns.Name, "-6", "route", "show", "table", "220").Trim());
            Assert.Equal(1, Count(Rules(ns, "-4"), "220: from all lookup 220"));
            Assert.Equal(1, Count(Rules(ns, "-6"), "220: from all lookup 220"));
            Assert.Equal(1, Count(Rules(ns, "-4"), "100: from all lookup 100"));
            Assert.Contains("10.8.0.0/16 dev wtrt-a", ns.Must("-n", ns.Name, "route", "show", "table", "100"), StringComparison.Ordinal);
            Assert.Equal(main, ns.Must("-n", ns.Name, "route", "show"));
        });
    }

    [Fact]
    public void Another_table_above_255_and_priority_are_used_as_configured()
    {
        using NetNs ns = Namespace("wt-routes-cfg");
        ns.Run(() =>
        {
            using (TunInterface tun = TunInterface.Open("wtrt0", NullLogger.Instance, routingTable: 70000, routingTablePrio: 150))
            {
                Assert.True(tun.AddRoute(TrafficSelector.Subnet("10.2.0.0/24"), [TrafficSelector.Subnet("10.1.0.0/24")], out string? error), error);
                Assert.Contains("10.2.0.0/24 dev wtrt0", ns.Must("-n", ns.Name, "route", "show", "table", "70000"), StringComparison.Ordinal);
                Assert.Equal(1, Count(Rules(ns, "-4"), "150: from all lookup 70000"));
                Assert.DoesNotContain("lookup 220", Rules(ns, "-4"), StringComparison.Ordinal);
            }

            Assert.DoesNotContain("lookup 70000", Rules(ns, "-4"), StringComparison.Ordinal);
            Assert.Equal(string.Empty, ns.Must("-n", ns.Name, "route", "show", "table", "70000").Trim());
        });
    }

    [Fact]
    public void Routing_table_0_installs_no_route_and_no_rule()
    {
        using NetNs ns = Namespace("wt-routes-none");
        string main = ns.Must("-n", ns.Name, "route", "show");
        string rules = Rules(ns, "-4");
        ns.Run(() =>
        {
            using TunInterface tun = TunInterface.Open("wtrt0", NullLogger.Instance, routingTable: 0);
            Assert.Equal(0u, tun.RoutingTableId);
            Assert.True(tun.ExcludePeer(IPAddress.Parse("203.0.113.9"), out string? error), error);
            Assert.True(tun.AddRoute(TrafficSelector.Subnet("0.0.0.0/0"), [TrafficSelector.Subnet("10.1.0.0/24")], out error), error);
            Assert.Equal(rules, Rules(ns, "-4"));
            Assert.Equal(main, ns.Must("-n", ns.Name, "route", "show"));
            Assert.DoesNotContain("proto static", ns.Must("-n", ns.Name, "route", "show", "table", "all"), StringComparison.Ordinal);
            Assert.DoesNotContain("proto static", ns.Must("-n", ns.Name, "-6", "route", "show", "table", "all"), StringComparison.Ordinal);
            Assert.DoesNotContain("throw", ns.Must("-n", ns.Name, "route", "show", "table", "all"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_host_tables_are_refused_by_the_netlink_layer_itself()
    {
        using NetNs ns = Namespace("wt-routes-main");
        ns.Run(() =>
        {
            using var netlink = new RouteNetlink();
            foreach (uint table in new uint[] { 0, 253, 254, 255 })
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => netlink.AddRoute(table, IPAddress.Any, 0, 1));
                Assert.Throws<ArgumentOutOfRangeException>(() => netlink.AddThrowRoute(table, IPAddress.Any, 0));
            }
        });
    }
}
