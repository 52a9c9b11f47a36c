using System.Buffers.Binary;
using System.Net.Sockets;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// rtnetlink (RFC 3549; linux/rtnetlink.h) over a NETLINK_ROUTE socket: bring a link up with an
/// MTU, add an address, add and delete routes. Each request asks for an ACK, and a kernel error
/// (a negative errno in NLMSG_ERROR) becomes an exception that names the operation.
/// </summary>
public sealed class RouteNetlink : NetlinkSocket
{
    private const int NetlinkRoute = 0;

    private const ushort RtmNewLink = 16;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;


    private const ushort IflaMtu = 4;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaPrefSrc = 7;

    private const uint IffUp = 0x1;
    private const byte RtTableMain = 254;
    private const byte RtProtStatic = 4;
    private const byte RtScopeNowhere = 255;
    private const byte RtScopeLink = 253;
    private const byte RtnUnicast = 1;

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

    /// <summary>Adds (or replaces) a route to <paramref name="destination"/>/<paramref name="prefixLength"/> out of a link, with an optional preferred source.</summary>
    public void AddRoute(IPAddress destination, int prefixLength, int index, IPAddress? preferredSource = null) =>
        Route(RtmNewRoute, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace, destination, prefixLength, index, preferredSource, "add");

    public void DeleteRoute(IPAddress destination, int prefixLength, int index) =>
        Route(RtmDelRoute, NlmFRequest | NlmFAck, destination, prefixLength, index, null, "delete");

    private void Route(ushort type, ushort flags, IPAddress destination, int prefixLength, int index, IPAddress? source, string verb)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> m = Buffer;
        int length = Header(m, type, flags);
        // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
        m[length] = (byte)(destination.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2);
        m[length + 1] = (byte)prefixLength;
        m[length + 2] = 0;
        m[length + 3] = 0;
        m[length + 4] = RtTableMain;
        // A delete matches any scope, protocol and type, as `ip route del` asks (RT_SCOPE_NOWHERE, RTN_UNSPEC).
        bool delete = type == RtmDelRoute;
        m[length + 5] = delete ? (byte)0 : RtProtStatic;
        m[length + 6] = delete ? RtScopeNowhere : RtScopeLink;
        m[length + 7] = delete ? (byte)0 : RtnUnicast;
        BinaryPrimitives.WriteUInt32LittleEndian(m[(length + 8)..], 0);
        length += 12;
        length = Attribute(m, length, RtaDst, destination.GetAddressBytes());
        Span<byte> oif = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(oif, index);
        length = Attribute(m, length, RtaOif, oif);
        if (source is not null)
        {
            length = Attribute(m, length, RtaPrefSrc, source.GetAddressBytes());
        }

        Execute(length, $"{verb} route {destination}/{prefixLength} via link {index}{(source is null ? "" : $" src {source}")}");
    }

}
