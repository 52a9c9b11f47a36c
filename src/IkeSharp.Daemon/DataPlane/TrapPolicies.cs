using System.Net;
using IkeSharp.Core.Engine;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.DataPlane;

/// <summary>
/// Trap policies: the selectors of a Child SA that is not up yet (swanctl.conf start_action = trap,
/// and dpd_action or close_action = trap once it went). An outbound packet that no Child SA covers
/// but a trap does is an acquire (RFC 4301 §5.1.1 "the SAD lookup fails ... IKE is invoked"):
/// the owner negotiates the Child SA with the packet's addresses first (RFC 7296 §2.9). The packet
/// itself is dropped, as the kernel drops it while its larval SA waits.
/// One acquire per trap is in flight: more packets of the same trap are dropped quietly until the
/// negotiation ends (<see cref="Completed"/>) or <see cref="AcquireHoldMs"/> passes, as the kernel's
/// acquire state expires (net.core.xfrm_acq_expires, 30 s).
/// </summary>
public sealed class TrapPolicies
{
    /// <summary>How long one acquire holds further ones back when the negotiation never reports.</summary>
    public const long AcquireHoldMs = 30_000;

    private readonly Func<long> clock;
    private readonly Lock writeLock = new();

    // Copy-on-write, read without a lock by the packet path.
    private Trap[] traps = [];

    public TrapPolicies(Func<long> clock) => this.clock = clock;

    /// <summary>Raised (on the packet's thread) when a packet hits a trap that is not already acquiring.</summary>
    public event Action<Acquire>? Acquired;

    /// <summary>The installed traps, for status and tests.</summary>
    public IReadOnlyList<TrapInfo> Installed => [.. Volatile.Read(ref traps).Select(t => t.Info)];

    /// <summary>Installs (or replaces) the trap of a connection's child; false when it has no selectors on one side.</summary>
    public bool Install(string connection, string child, IReadOnlyList<TrafficSelector> localTs, IReadOnlyList<TrafficSelector> remoteTs, IReadOnlyList<IPAddress>? peers = null)
    {
        if (localTs.Count == 0 || remoteTs.Count == 0)
        {
            return false;
        }

        var trap = new Trap(new TrapInfo(connection, child, localTs, remoteTs) { Peers = peers ?? [] });
        lock (writeLock)
        {
            traps = [.. traps.Where(t => !t.Is(connection, child)), trap];
        }

        return true;
    }

    /// <summary>Removes a connection's traps: of one child, or all of them when <paramref name="child"/> is null.</summary>
    public IReadOnlyList<TrapInfo> Remove(string connection, string? child = null)
    {
        lock (writeLock)
        {
            Trap[] gone = [.. traps.Where(t => t.Info.Connection == connection && (child is null || t.Info.Child == child))];
            traps = [.. traps.Except(gone)];
            return [.. gone.Select(t => t.Info)];
        }
    }

    public bool Contains(string connection, string child) => Volatile.Read(ref traps).Any(t => t.Is(connection, child));

    /// <summary>The negotiation a trap started ended (installed or failed): the next packet may acquire again.</summary>
    public void Completed(string connection, string? child = null)
    {
        foreach (Trap t in Volatile.Read(ref traps))
        {
            if (t.Info.Connection == connection && (child is null || t.Info.Child == child))
            {
                Interlocked.Exchange(ref t.AcquiredAt, 0);
            }
        }
    }

    /// <summary>
    /// Whether a trap covers the packet (source inside its local selectors, destination inside its
    /// remote ones); raises <see cref="Acquired"/> when that trap is not acquiring already.
    /// </summary>
    public bool Match(in IpPacketInfo packet)
    {
        foreach (Trap t in Volatile.Read(ref traps))
        {
            if (!PacketSelector.Any(t.Local, packet, source: true) || !PacketSelector.Any(t.Remote, packet, source: false))
            {
                continue;
            }

            long now = Math.Max(1, clock());
            long since = Volatile.Read(ref t.AcquiredAt);
            if ((since == 0 || now - since >= AcquireHoldMs) && Interlocked.CompareExchange(ref t.AcquiredAt, now, since) == since)
            {
                Acquired?.Invoke(new Acquire(t.Info.Connection, t.Info.Child, Trigger(packet)));
            }

            return true;
        }

        return false;
    }

    /// <summary>The packet as selectors: its two addresses, with protocol and ports for TCP, UDP and SCTP.</summary>
    internal static TriggeringPacket Trigger(in IpPacketInfo packet)
    {
        bool ports = packet.Protocol is 6 or 17 or 132;
        return new TriggeringPacket(
            Host(packet.IsV6, packet.Source, packet.Protocol, ports ? packet.SourcePort : null),
            Host(packet.IsV6, packet.Destination, packet.Protocol, ports ? packet.DestinationPort : null));
    }

    private static TrafficSelector Host(bool v6, UInt128 number, byte protocol, ushort? port)
    {
        byte[] bytes = new byte[v6 ? 16 : 4];
        if (v6)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, number);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)number);
        }

        var address = new IPAddress(bytes);
        return port is { } p ? TrafficSelector.Range(address, address, protocol, p, p) : TrafficSelector.Range(address, address);
    }

    private sealed class Trap(TrapInfo info)
    {
        public TrapInfo Info { get; } = info;

        public PacketSelector[] Local { get; } = [.. info.LocalTs.Select(t => new PacketSelector(t))];

        public PacketSelector[] Remote { get; } = [.. info.RemoteTs.Select(t => new PacketSelector(t))];

        /// <summary>When the last acquire went out (clock milliseconds), 0 when none is in flight.</summary>
        public long AcquiredAt;

        public bool Is(string connection, string child) => Info.Connection == connection && Info.Child == child;
    }
}

/// <summary>An installed trap policy.</summary>
public sealed record TrapInfo(string Connection, string Child, IReadOnlyList<TrafficSelector> LocalTs, IReadOnlyList<TrafficSelector> RemoteTs)
{
    /// <summary>The connection's remote_addrs: the IKE peers the trap's routes must not capture.</summary>
    public IReadOnlyList<IPAddress> Peers { get; init; } = [];
}

/// <summary>A packet hit a trap: negotiate the connection's child, with the packet's selectors first.</summary>
public sealed record Acquire(string Connection, string Child, TriggeringPacket Trigger);
