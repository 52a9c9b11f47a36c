using System.Buffers.Binary;
using System.Net.Sockets;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// rtnetlink (RFC 3549; linux/rtnetlink.h) over a NETLINK_ROUTE socket: bring a link up with an
/// MTU, add an address, add, list and delete routes in a table, add and delete the rule that looks it up. Each request asks for an ACK, and a kernel error
/// (a negative errno in NLMSG_ERROR) becomes an exception that names the operation.
/// </summary>
public sealed class RouteNetlink : NetlinkSocket
{
    private const int NetlinkRoute = 0;

    private const ushort RtmNewLink = 16;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;
    private const ushort RtmGetRoute = 26;
    private const ushort RtmNewRule = 32;
    private const ushort RtmDelRule = 33;


    private const ushort IflaMtu = 4;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaPrefSrc = 7;
    private const ushort RtaTable = 15;
    private const ushort FraPriority = 6;
    private const ushort FraTable = 15;
    private const byte FrActToTbl = 1;
    private const byte AfInet = 2;
    private const byte AfInet6 = 10;

    private const uint IffUp = 0x1;
    private const byte RtTableCompat = 252;
    private const byte RtTableDefault = 253;
    private const byte RtTableMain = 254;
    private const byte RtTableLocal = 255;
    private const byte RtProtStatic = 4;
    private const byte RtScopeNowhere = 255;
    private const byte RtScopeLink = 253;
    private const byte RtScopeUniverse = 0;
    private const byte RtnUnicast = 1;
    private const byte RtnThrow = 9;

    /// <summary>Opens a NETLINK_ROUTE socket in the calling thread's network namespace.</summary>
    public RouteNetlink()
        : base(NetlinkRoute, "rtnetlink")
    {
    }

    /// <summary>Sets the link up with <paramref name="mtu"/> (RTM_NEWLINK on an existing index changes it).</summary>
    public void SetLinkUp(int index, int mtu)
    {
        Span<byte> m = Buffer;
        int length = Header(m, RtmNewLink, NlmFRequest | NlmFAck);
        // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
        m.Slice(length, 16).Clear();
        BinaryPrimitives.WriteInt32LittleEndian(m[(length + 4)..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(m[(length + 8)..], IffUp);
        BinaryPrimitives.WriteUInt32LittleEndian(m[(length + 12)..], IffUp);
        length += 16;
        Span<byte> mtuBytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(mtuBytes, mtu);
        length = Attribute(m, length, IflaMtu, mtuBytes);
        Execute(length, $"set link {index} up with MTU {mtu}");
    }

    /// <summary>Adds <paramref name="address"/>/<paramref name="prefixLength"/> to a link.</summary>
    public void AddAddress(int index, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> m = Buffer;
        int length = Header(m, RtmNewAddr, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace);
        // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
        m[length] = (byte)(address.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2);
        m[length + 1] = (byte)prefixLength;
        m[length + 2] = 0;
        m[length + 3] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(m[(length + 4)..], index);
        length += 8;
        byte[] bytes = address.GetAddressBytes();
        length = Attribute(m, length, IfaLocal, bytes);
        length = Attribute(m, length, IfaAddress, bytes);
        Execute(length, $"add address {address}/{prefixLength} to link {index}");
    }

    /// <summary>
    /// Adds (or replaces) a route in <paramref name="table"/> to <paramref name="destination"/>/<paramref name="prefixLength"/>
    /// out of a link, with an optional preferred source. Never the main table: callers pass the daemon's own.
    /// </summary>
    public void AddRoute(uint table, IPAddress destination, int prefixLength, int index, IPAddress? preferredSource = null) =>
        Route(RtmNewRoute, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace, table, RtnUnicast, destination, prefixLength, index, preferredSource, "add");

    /// <summary>Deletes the route in <paramref name="table"/> to <paramref name="destination"/>/<paramref name="prefixLength"/> (any type; out of the link when <paramref name="index"/> is not 0).</summary>
    public void DeleteRoute(uint table, IPAddress destination, int prefixLength, int index = 0) =>
        Route(RtmDelRoute, NlmFRequest | NlmFAck, table, 0, destination, prefixLength, index, null, "delete");

    /// <summary>
    /// Adds (or replaces) a throw route (RTN_THROW) in <paramref name="table"/>: a lookup that ends on it
    /// fails in this table, and the kernel goes on with the next rule (the main table), as `ip route add throw`.
    /// </summary>
    public void AddThrowRoute(uint table, IPAddress destination, int prefixLength) =>
        Route(RtmNewRoute, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace, table, RtnThrow, destination, prefixLength, 0, null, "add throw");

    /// <summary>Every route in <paramref name="table"/>, IPv4 and IPv6 (RTM_GETROUTE dump, filtered here).</summary>
    public IReadOnlyList<(IPAddress Destination, int PrefixLength)> RoutesIn(uint table)
    {
        var result = new List<(IPAddress, int)>();
        foreach (byte family in new[] { AfInet, AfInet6 })
        {
            Span<byte> m = Buffer;
            int length = Header(m, RtmGetRoute, NlmFRequest | NlmFDump);
            m.Slice(length, 12).Clear();
            m[length] = family;
            length += 12;
            foreach (byte[] message in Dump(length, $"list the routes ({(family == AfInet ? "IPv4" : "IPv6")})"))
            {
                if (ReadRoute(message, table) is { } route)
                {
                    result.Add(route);
                }
            }
        }

        return result;
    }

    /// <summary>A route message's destination when it is in <paramref name="table"/>, else null.</summary>
    private static (IPAddress, int)? ReadRoute(ReadOnlySpan<byte> message, uint table)
    {
        const int Body = 16;
        if (message.Length < Body + 12 || BinaryPrimitives.ReadUInt16LittleEndian(message[4..]) != RtmNewRoute)
        {
            return null;
        }

        byte family = message[Body];
        int prefixLength = message[Body + 1];
        uint routeTable = message[Body + 4];
        int addressLength = family == AfInet ? 4 : family == AfInet6 ? 16 : 0;
        byte[] destination = new byte[addressLength];
        for (int offset = Body + 12; offset + 4 <= message.Length;)
        {
            int attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(message[offset..]);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[(offset + 2)..]);
            if (attributeLength < 4 || offset + attributeLength > message.Length)
            {
                break;
            }

            ReadOnlySpan<byte> data = message.Slice(offset + 4, attributeLength - 4);
            if (type == RtaTable && data.Length >= 4)
            {
                routeTable = BinaryPrimitives.ReadUInt32LittleEndian(data);
            }
            else if (type == RtaDst && data.Length == addressLength)
            {
                data.CopyTo(destination);
            }

            offset += (attributeLength + 3) & ~3;
        }

        return addressLength == 0 || routeTable != table ? null : (new IPAddress(destination), prefixLength);
    }

    /// <summary>
    /// Adds the rule `from all lookup <paramref name="table"/>` at <paramref name="priority"/> for
    /// <paramref name="family"/> (RTM_NEWRULE, exclusive: a rule that is there already is an error).
    /// </summary>
    public void AddRule(AddressFamily family, uint table, int priority) =>
        Execute(Rule(RtmNewRule, NlmFRequest | NlmFAck | NlmFCreate | NlmFExcl, family, table, priority), RuleText("add", family, table, priority));

    /// <summary>Deletes one rule `from all lookup <paramref name="table"/>` at <paramref name="priority"/>; false when there is none.</summary>
    public bool DeleteRule(AddressFamily family, uint table, int priority)
    {
        string what = RuleText("delete", family, table, priority);
        int errno = TryExecute(Rule(RtmDelRule, NlmFRequest | NlmFAck, family, table, priority), what);
        if (errno == 0)
        {
            return true;
        }

        return IsNotFound(errno) ? false : throw new IOException($"{Name}: cannot {what}: {LibC.Describe(errno)}");
    }

    private static string RuleText(string verb, AddressFamily family, uint table, int priority) =>
        $"{verb} the {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} rule 'from all lookup {table} priority {priority}'";

    private int Rule(ushort type, ushort flags, AddressFamily family, uint table, int priority)
    {
        Span<byte> m = Buffer;
        int length = Header(m, type, flags);
        // struct fib_rule_hdr { u8 family, dst_len, src_len, tos, table, res1, res2, action; u32 flags; }
        m.Slice(length, 12).Clear();
        m[length] = family == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
        m[length + 4] = CompatTable(table);
        m[length + 7] = FrActToTbl;
        length += 12;
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)priority);
        length = Attribute(m, length, FraPriority, u32);
        BinaryPrimitives.WriteUInt32LittleEndian(u32, table);
        length = Attribute(m, length, FraTable, u32);
        return length;
    }

    /// <summary>The header's 8-bit table field: the table itself below 256, else RT_TABLE_COMPAT with the id in an attribute.</summary>
    private static byte CompatTable(uint table) => table < 256 ? (byte)table : RtTableCompat;

    private void Route(ushort type, ushort flags, uint table, byte routeType, IPAddress destination, int prefixLength, int index, IPAddress? source, string verb)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (table is 0 or RtTableMain or RtTableLocal or RtTableDefault)
        {
            // The host's own tables are never touched (a 0.0.0.0/0 selector once replaced a default route).
            throw new ArgumentOutOfRangeException(nameof(table), table, "routes go into the daemon's own table, never 0, 253, 254 (main) or 255 (local)");
        }

        Span<byte> m = Buffer;
        int length = Header(m, type, flags);
        // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
        m[length] = destination.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
        m[length + 1] = (byte)prefixLength;
        m[length + 2] = 0;
        m[length + 3] = 0;
        m[length + 4] = CompatTable(table);
        // A delete matches any scope, protocol and type, as `ip route del` asks (RT_SCOPE_NOWHERE, RTN_UNSPEC).
        bool delete = type == RtmDelRoute;
        m[length + 5] = delete ? (byte)0 : RtProtStatic;
        m[length + 6] = delete ? RtScopeNowhere : routeType == RtnThrow ? RtScopeUniverse : RtScopeLink;
        m[length + 7] = routeType;
        BinaryPrimitives.WriteUInt32LittleEndian(m[(length + 8)..], 0);
        length += 12;
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, table);
        length = Attribute(m, length, RtaTable, u32);
        if (prefixLength > 0)
        {
            length = Attribute(m, length, RtaDst, destination.GetAddressBytes());
        }

        if (index != 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(u32, index);
            length = Attribute(m, length, RtaOif, u32);
        }

        if (source is not null)
        {
            length = Attribute(m, length, RtaPrefSrc, source.GetAddressBytes());
        }

        Execute(length, $"{verb} route {destination}/{prefixLength}{(index == 0 ? "" : $" via link {index}")}{(source is null ? "" : $" src {source}")} in table {table}");
    }
}
