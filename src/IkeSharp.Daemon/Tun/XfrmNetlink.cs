using System.Buffers.Binary;
using System.Net.Sockets;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The Linux kernel's IPsec databases over NETLINK_XFRM (linux/xfrm.h): security policies (SPD)
/// with a tunnel-mode ESP template, and security associations (SAD). Layouts of the structures are
/// written out field by field, with the offsets of the x86-64 ABI.
/// </summary>
public sealed class XfrmNetlink : NetlinkSocket
{
    private const int NetlinkXfrm = 6;
    private const ushort XfrmMsgNewSa = 16;
    private const ushort XfrmMsgDelSa = 17;
    private const ushort XfrmMsgNewPolicy = 19;
    private const ushort XfrmMsgDelPolicy = 20;
    private const ushort XfrmaAlgAead = 18;
    private const ushort XfrmaTmpl = 5;
    private const ushort XfrmaEncap = 4;
    private const byte IpProtoEsp = 50;
    private const byte ModeTunnel = 1;

    private const int SelectorLength = 56;      // struct xfrm_selector
    private const int LifetimeCfgLength = 64;   // struct xfrm_lifetime_cfg: 8 x u64
    private const int LifetimeCurLength = 32;   // struct xfrm_lifetime_cur: 4 x u64
    private const int PolicyInfoLength = 168;   // struct xfrm_userpolicy_info, padded to 8
    private const int PolicyIdLength = 64;      // struct xfrm_userpolicy_id
    private const int TemplateLength = 64;      // struct xfrm_user_tmpl
    private const int SaInfoLength = 224;       // struct xfrm_usersa_info
    private const int SaIdLength = 24;          // struct xfrm_usersa_id

    public XfrmNetlink()
        : base(NetlinkXfrm, "xfrm")
    {
    }

    /// <summary>Which way a policy applies (enum xfrm_policy_dir).</summary>
    public enum Direction : byte
    {
        In = 0,
        Out = 1,
        Forward = 2,
    }

    /// <summary>
    /// Adds (or updates) a policy: traffic from <paramref name="source"/> to <paramref name="destination"/>
    /// in <paramref name="direction"/> must use tunnel-mode ESP between the outer addresses, request id <paramref name="reqid"/>.
    /// </summary>
    public void AddPolicy(TrafficSelector source, TrafficSelector destination, Direction direction, IPAddress tunnelSource, IPAddress tunnelDestination, uint reqid, uint priority = 2000)
    {
        ArgumentNullException.ThrowIfNull(tunnelSource);
        ArgumentNullException.ThrowIfNull(tunnelDestination);
        Span<byte> m = Buffer;
        int length = Header(m, XfrmMsgNewPolicy, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace);
        Span<byte> info = m.Slice(length, PolicyInfoLength);
        info.Clear();
        Selector(info, source, destination);
        Infinite(info.Slice(SelectorLength, LifetimeCfgLength));
        int tail = SelectorLength + LifetimeCfgLength + LifetimeCurLength;
        BinaryPrimitives.WriteUInt32LittleEndian(info[tail..], priority);
        info[tail + 8] = (byte)direction;     // dir; action 0 = XFRM_POLICY_ALLOW
        length += PolicyInfoLength;

        Span<byte> template = stackalloc byte[TemplateLength];
        template.Clear();
        Address(template, tunnelDestination);                                  // id.daddr
        template[20] = IpProtoEsp;                                            // id.proto (id.spi 0: any)
        BinaryPrimitives.WriteUInt16LittleEndian(template[24..], Family(tunnelSource));
        Address(template[28..], tunnelSource);                                // saddr
        BinaryPrimitives.WriteUInt32LittleEndian(template[44..], reqid);
        template[48] = ModeTunnel;
        BinaryPrimitives.WriteUInt32LittleEndian(template[52..], uint.MaxValue); // aalgos: any
        BinaryPrimitives.WriteUInt32LittleEndian(template[56..], uint.MaxValue); // ealgos
        BinaryPrimitives.WriteUInt32LittleEndian(template[60..], uint.MaxValue); // calgos
        length = Attribute(m, length, XfrmaTmpl, template);
        Execute(length, $"add the {direction.ToString().ToLowerInvariant()} policy {source} === {destination} via {tunnelSource} - {tunnelDestination}");
    }

    public void DeletePolicy(TrafficSelector source, TrafficSelector destination, Direction direction)
    {
        Span<byte> m = Buffer;
        int length = Header(m, XfrmMsgDelPolicy, NlmFRequest | NlmFAck);
        Span<byte> id = m.Slice(length, PolicyIdLength);
        id.Clear();
        Selector(id, source, destination);
        id[SelectorLength + 4] = (byte)direction;
        length += PolicyIdLength;
        Execute(length, $"delete the {direction.ToString().ToLowerInvariant()} policy {source} === {destination}");
    }

    /// <summary>
    /// Adds a tunnel-mode ESP SA with an AEAD (rfc4106(gcm(aes)) and the like) or fails with the
    /// kernel's reason: a kernel without ESP (as on this build machine) refuses it.
    /// </summary>
    public void AddSa(uint spi, IPAddress source, IPAddress destination, string aeadName, ReadOnlySpan<byte> keyWithSalt, int icvBits, uint reqid, bool udpEncapsulation, int sourcePort = 4500, int destinationPort = 4500)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> m = Buffer;
        int length = Header(m, XfrmMsgNewSa, NlmFRequest | NlmFAck | NlmFCreate);
        Span<byte> info = m.Slice(length, SaInfoLength);
        info.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(info[40..], Family(source));     // sel.family: any selector
        Address(info[SelectorLength..], destination);                             // id.daddr
        BinaryPrimitives.WriteUInt32BigEndian(info[(SelectorLength + 16)..], spi); // id.spi
        info[SelectorLength + 20] = IpProtoEsp;                                    // id.proto
        Address(info[80..], source);                                              // saddr
        Infinite(info.Slice(96, LifetimeCfgLength));
        BinaryPrimitives.WriteUInt32LittleEndian(info[216..], reqid);
        BinaryPrimitives.WriteUInt16LittleEndian(info[220..], Family(source));
        info[222] = ModeTunnel;
        info[223] = 32;                                                           // replay_window
        length += SaInfoLength;

        // struct xfrm_algo_aead { char alg_name[64]; u32 alg_key_len (bits); u32 alg_icv_len (bits); char key[]; }
        Span<byte> aead = stackalloc byte[72 + keyWithSalt.Length];
        aead.Clear();
        System.Text.Encoding.ASCII.GetBytes(aeadName, aead);
        BinaryPrimitives.WriteUInt32LittleEndian(aead[64..], (uint)keyWithSalt.Length * 8);
        BinaryPrimitives.WriteUInt32LittleEndian(aead[68..], (uint)icvBits);
        keyWithSalt.CopyTo(aead[72..]);
        length = Attribute(m, length, XfrmaAlgAead, aead);
        if (udpEncapsulation)
        {
            // struct xfrm_encap_tmpl { u16 type (UDP_ENCAP_ESPINUDP = 2); be16 sport; be16 dport; xfrm_address_t oa; }
            Span<byte> encap = stackalloc byte[24];
            encap.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(encap, 2);
            BinaryPrimitives.WriteUInt16BigEndian(encap[2..], (ushort)sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(encap[4..], (ushort)destinationPort);
            length = Attribute(m, length, XfrmaEncap, encap);
        }

        Execute(length, $"add the ESP SA {spi:x8} {source} -> {destination} ({aeadName})");
    }

    public void DeleteSa(uint spi, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> m = Buffer;
        int length = Header(m, XfrmMsgDelSa, NlmFRequest | NlmFAck);
        // struct xfrm_usersa_id { xfrm_address_t daddr; be32 spi; u16 family; u8 proto; }
        Span<byte> id = m.Slice(length, SaIdLength);
        id.Clear();
        Address(id, destination);
        BinaryPrimitives.WriteUInt32BigEndian(id[16..], spi);
        BinaryPrimitives.WriteUInt16LittleEndian(id[20..], Family(destination));
        id[22] = IpProtoEsp;
        length += SaIdLength;
        Execute(length, $"delete the ESP SA {spi:x8} to {destination}");
    }

    /// <summary>struct xfrm_selector: daddr, saddr, ports and masks, family, prefix lengths, proto.</summary>
    private static void Selector(Span<byte> s, TrafficSelector source, TrafficSelector destination)
    {
        (IPAddress dst, int dstPrefix) = SinglePrefix(destination);
        (IPAddress src, int srcPrefix) = SinglePrefix(source);
        Address(s, dst);
        Address(s[16..], src);
        BinaryPrimitives.WriteUInt16LittleEndian(s[40..], Family(dst));
        s[42] = (byte)dstPrefix;
        s[43] = (byte)srcPrefix;
        s[44] = source.IpProtocol;
    }

    private static (IPAddress, int) SinglePrefix(TrafficSelector ts)
    {
        IReadOnlyList<(IPAddress Network, int Prefix)> prefixes = TunInterface.Prefixes(ts);
        return prefixes.Count == 1 ? prefixes[0]
            : throw new ArgumentException($"the selector {ts} is not one prefix; an XFRM policy selector is (split it into {prefixes.Count} policies)", nameof(ts));
    }

    private static void Address(Span<byte> destination, IPAddress address)
    {
        destination[..16].Clear();
        address.GetAddressBytes().CopyTo(destination);
    }

    private static ushort Family(IPAddress address) => (ushort)(address.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2);

    /// <summary>XFRM_INF in every soft and hard limit: the daemon, not the kernel, manages lifetimes.</summary>
    private static void Infinite(Span<byte> lifetimes)
    {
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(lifetimes[(i * 8)..], ulong.MaxValue);
        }
    }
}
