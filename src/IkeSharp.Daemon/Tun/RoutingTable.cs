using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The daemon's own routing table, as strongSwan's charon.routing_table and routing_table_prio
/// (both 220 by default): routes into the TUN device go into this table, and one policy rule per
/// address family (`from all lookup TABLE`, at the rule priority, ahead of the main table's 32766)
/// makes the host consult it. The main table is never written, so a 0.0.0.0/0 selector leaves the
/// host's default route in place, and everything goes when the daemon stops. The table belongs to
/// the daemon: at start it deletes whatever a crashed run left in it (routes, and its rules), at a
/// clean stop every route and both rules.
/// Not thread-safe: the owner serialises calls (the TUN interface's route lock).
/// </summary>
public sealed class RoutingTable : IDisposable
{
    /// <summary>strongSwan's default charon.routing_table.</summary>
    public const uint DefaultTable = 220;

    /// <summary>strongSwan's default charon.routing_table_prio.</summary>
    public const int DefaultPriority = 220;

    /// <summary>Rules above this would come after the main table's (32766) and default table's (32767); 0 is the local table's.</summary>
    public const int MaxPriority = 32765;

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];

    private readonly RouteNetlink netlink;
    private readonly ILogger log;
    private readonly List<AddressFamily> rules = [];

    private RoutingTable(RouteNetlink netlink, uint table, int priority, ILogger log)
    {
        this.netlink = netlink;
        this.log = log;
        Table = table;
        Priority = priority;
    }

    public uint Table { get; }

    public int Priority { get; }

    /// <summary>
    /// Takes the table: deletes a crashed run's leftovers (every route in it, every rule
    /// `from all lookup TABLE` at PRIORITY), then adds the rule for IPv4 and IPv6. Without the IPv4
    /// rule the table would be useless, so its failure is an error; a host without IPv6 gets a warning.
    /// </summary>
    public static RoutingTable Open(RouteNetlink netlink, uint table, int priority, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        var routing = new RoutingTable(netlink, table, priority, log);
        int leftovers = routing.Clear();
        foreach (AddressFamily family in Families)
        {
            // More than one identical rule may be left (rules are not unique without NLM_F_EXCL).
            for (int i = 0; i < 16 && netlink.DeleteRule(family, table, priority); i++)
            {
                leftovers++;
            }
        }

        if (leftovers > 0)
        {
            log.LogWarning("routing table {Table}: removed {Count} route(s) and rule(s) left by an earlier run that did not stop cleanly", table, leftovers);
        }

        foreach (AddressFamily family in Families)
        {
            try
            {
                netlink.AddRule(family, table, priority);
                routing.rules.Add(family);
            }
            catch (IOException e) when (family == AddressFamily.InterNetworkV6)
            {
                log.LogWarning("routing table {Table}: no IPv6 rule, so IPv6 selectors are not routed into the tunnel: {Reason}", table, e.Message);
            }
        }

        log.LogInformation("routing table {Table} at rule priority {Priority}: routes into the tunnel go there; the main table is left alone", table, priority);
        return routing;
    }

    public void AddRoute(IPAddress network, int prefix, int index, IPAddress? source) => netlink.AddRoute(Table, network, prefix, index, source);

    public void DeleteRoute(IPAddress network, int prefix, int index) => netlink.DeleteRoute(Table, network, prefix, index);

    /// <summary>
    /// Keeps <paramref name="peer"/> out of this table: a throw route for its address ends the lookup
    /// here, and the host routes it by the main table, as before the tunnel. strongSwan's
    /// kernel-libipsec adds an "exclude route" via the peer's next hop for the same reason (IKE and ESP
    /// to the peer must not enter the tunnel that a selector covering the peer opens); a throw route
    /// needs no next-hop lookup and follows changes of the main table.
    /// </summary>
    public void Exclude(IPAddress peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        netlink.AddThrowRoute(Table, peer, HostPrefix(peer));
    }

    public void Include(IPAddress peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        netlink.DeleteRoute(Table, peer, HostPrefix(peer));
    }

    public static int HostPrefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;

    /// <summary>Deletes every route in the table; returns how many.</summary>
    public int Clear()
    {
        int deleted = 0;
        foreach ((IPAddress destination, int prefix) in netlink.RoutesIn(Table))
        {
            try
            {
                netlink.DeleteRoute(Table, destination, prefix);
                deleted++;
            }
            catch (IOException e)
            {
                log.LogDebug("routing table {Table}: route {Destination}/{Prefix} was already gone: {Reason}", Table, destination, prefix, e.Message);
            }
        }

        return deleted;
    }

    /// <summary>A clean stop: every route in the table and the rules go.</summary>
    public void Dispose()
    {
        try
        {
            Clear();
        }
        catch (IOException e)
        {
            log.LogWarning("routing table {Table}: cannot list its routes to delete them: {Reason}", Table, e.Message);
        }

        foreach (AddressFamily family in rules)
        {
            try
            {
                netlink.DeleteRule(family, Table, Priority);
            }
            catch (IOException e)
            {
                log.LogWarning("routing table {Table}: {Reason}", Table, e.Message);
            }
        }

        rules.Clear();
    }
}
