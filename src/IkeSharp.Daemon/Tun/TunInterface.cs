using System.Buffers.Binary;
using System.Net.NetworkInformation;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Offload;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The clear side of the userspace data plane on a TUN device: decrypted packets are written to
/// it; one reader thread per queue takes what the host routes into it, up to
/// <see cref="ReadBatchSize"/> packets per wakeup, hands each to the data plane to encrypt, and has
/// the batch sent at once (sendmmsg). Routes to the remote selectors go through rtnetlink, into the
/// daemon's own <see cref="RoutingTable"/> (never the main table), while a Child SA needs them.
/// With offloads, the reader hands TCP/UDP super-packets to the data plane,
/// which cuts them into segments (<see cref="GsoSegmenter"/>) straight into the ESP datagrams that
/// carry them (<see cref="IOutboundPackets.QueueSegments"/>), and decrypted TCP segments are merged
/// again (<see cref="TcpCoalescer"/>) into super-packets written with one virtio_net_hdr each,
/// until the receive batch that brought them ends (<see cref="Flush"/>).
/// </summary>
public sealed class TunInterface : IInnerInterface, IVnetPacketWriter, IDisposable
{
    /// <summary>When nothing better is known: a path MTU of 1500 less the worst overhead <see cref="TunMtu"/> knows of.</summary>
    public const int DefaultMtu = 1400;

    /// <summary>Packets a reader drains from its queue per wakeup before the batch is sent.</summary>
    public const int ReadBatchSize = 32;

    /// <summary>Room for one packet read: the largest IP packet, after a virtio_net_hdr.</summary>
    private const int SlotSize = 65536 + VirtioNetHeader.Size + 6;

    private readonly TunDevice device;
    private readonly RouteNetlink netlink = new();
    private readonly ILogger log;
    private readonly Lock routeLock = new();
    private readonly HashSet<IPAddress> excludedPeers = [];
    private RoutingTable? routing;
    private readonly long[] queuePackets;
    private Thread[] readers = [];
    // One coalescer per receiving thread (the NAT-T port's, the raw ESP socket's): each opens its
    // packets straight into its own coalescer's arena and flushes it at the end of its own batch.
    private readonly ThreadLocal<TcpCoalescer>? coalescers;
    private IOutboundPackets? plane;
    private volatile bool stopping;
    private long superPackets;
    private long offloadErrors;

    private TunInterface(TunDevice device, ILogger log)
    {
        this.device = device;
        this.log = log;
        queuePackets = new long[device.Queues];
        coalescers = device.VnetHeader ? new ThreadLocal<TcpCoalescer>(() => new TcpCoalescer(), trackAllValues: true) : null;
    }

    /// <summary>The device hands over super-packets and takes merged ones (IFF_VNET_HDR with TSO).</summary>
    public bool Offload => device.VnetHeader;

    /// <summary>The TUN_F_* offloads the kernel took (0: plain).</summary>
    public uint OffloadFlags => device.Offloads;

    /// <summary>Super-packets read and cut into segments.</summary>
    public long SuperPackets => Interlocked.Read(ref superPackets);

    /// <summary>Packets read whose virtio_net_hdr or headers did not allow segmenting them (dropped, logged).</summary>
    public long OffloadErrors => Interlocked.Read(ref offloadErrors);

    /// <summary>Decrypted packets merged into super-packets before they were written.</summary>
    public long MergedPackets => coalescers?.Values.Sum(c => c.Merged) ?? 0;

    public string Name => device.Name;

    public int Queues => device.Queues;

    /// <summary>Packets read so far from queue <paramref name="queue"/>.</summary>
    public long QueuePackets(int queue) => Interlocked.Read(ref queuePackets[queue]);

    /// <summary>The routing table routes go into; 0 when the daemon installs none (routing_table = 0).</summary>
    public uint RoutingTableId => routing?.Table ?? 0;

    /// <summary>
    /// Creates the TUN device with <paramref name="queues"/> queues, with offloads if asked and the
    /// kernel takes them (else plain, with a warning), sets its MTU (rtnetlink) and brings it up.
    /// Routes go into <paramref name="routingTable"/>, looked up by a rule at <paramref name="routingTablePrio"/>
    /// (<see cref="RoutingTable.Open"/>); with table 0 no route and no rule is installed.
    /// </summary>
    public static TunInterface Open(string name, ILogger log, int mtu = DefaultMtu, int queues = 1, bool offload = false, uint routingTable = RoutingTable.DefaultTable, int routingTablePrio = RoutingTable.DefaultPriority)
    {
        TunDevice device = TunDevice.Open(name, queues, offload);
        if (device.OffloadRefusal is { } refusal)
        {
            log.LogWarning("TUN device {Name}: offloads unavailable ({Reason}); packets are read and written one by one", device.Name, refusal);
        }

        var tun = new TunInterface(device, log);
        try
        {
            tun.netlink.SetLinkUp(device.Index, mtu);
            if (routingTable == 0)
            {
                log.LogInformation("routing_table = 0: no routes are installed; route the remote selectors into {Name} yourself", device.Name);
            }
            else
            {
                tun.routing = RoutingTable.Open(tun.netlink, routingTable, routingTablePrio, log);
            }
        }
        catch
        {
            tun.Dispose();
            throw;
        }

        log.LogInformation("TUN device {Name} up, MTU {Mtu}, {Queues} queue(s), offloads {Offloads}", device.Name, mtu, device.Queues, OffloadNames(device.Offloads));
        return tun;
    }

    /// <summary>Connects the data plane and starts one reader per queue.</summary>
    public T Attach<T>(T dataPlane)
        where T : IOutboundPackets
    {
        plane = dataPlane;
        readers = new Thread[device.Queues];
        for (int q = 0; q < readers.Length; q++)
        {
            int queue = q;
            readers[q] = new Thread(() => ReadLoop(queue)) { IsBackground = true, Name = $"tun {device.Name} q{q}" };
            readers[q].Start();
        }

        return dataPlane;
    }

    private static string OffloadNames(uint flags) => flags == 0 ? "off" : string.Join(
        '+',
        new[] { (LibC.TunFCsum, "csum"), (LibC.TunFTso4, "tso4"), (LibC.TunFTso6, "tso6"), (LibC.TunFUso4, "uso4"), (LibC.TunFUso6, "uso6") }
            .Where(f => (flags & f.Item1) != 0).Select(f => f.Item2));

    private void ReadLoop(int queue)
    {
        bool offload = device.VnetHeader;

        // Not zeroed: the kernel writes each slot before it is read; untouched pages stay unused.
        byte[] slots = GC.AllocateUninitializedArray<byte>(ReadBatchSize * SlotSize);
        int[] lengths = new int[ReadBatchSize];
        while (!stopping)
        {
            int n = device.ReadBatch(queue, slots, SlotSize, lengths, 200);
            if (n < 0)
            {
                return;
            }

            if (n == 0 || plane is not { } p)
            {
                continue;
            }

            Interlocked.Add(ref queuePackets[queue], n);
            for (int i = 0; i < n; i++)
            {
                Span<byte> read = slots.AsSpan(i * SlotSize, lengths[i]);
                if (offload)
                {
                    QueueOffloaded(queue, p, read);
                }
                else
                {
                    // Packets matching no Child SA are dropped and counted by the data plane.
                    p.QueueInner(read);
                }
            }

            p.FlushInner();
        }
    }

    /// <summary>
    /// With offloads: each read is a virtio_net_hdr and a packet; a super-packet is cut into segments
    /// by the data plane as it seals them, a lone packet has its checksum completed if the header asks, and what comes out is
    /// sealed into the thread's batch, whose datagrams of one flow leave with UDP GSO.
    /// </summary>
    private void QueueOffloaded(int queue, IOutboundPackets p, Span<byte> read)
    {
        if (read.Length <= VirtioNetHeader.Size)
        {
            OffloadError(queue, $"a read of {read.Length} octets has no packet after the virtio_net_hdr");
            return;
        }

        var header = VirtioNetHeader.Read(read);
        Span<byte> packet = read[VirtioNetHeader.Size..];
        if (header.Gso == VirtioNetHeader.GsoNone)
        {
            if (GsoSegmenter.CompleteChecksum(packet, header) is { } error)
            {
                OffloadError(queue, error);
                return;
            }

            p.QueueInner(packet);
            return;
        }

        // Cut and sealed straight into the thread's batch (UserspaceDataPlane.QueueSegments).
        if (p.QueueSegments(packet, header, out string? splitError) < 0)
        {
            OffloadError(queue, splitError!);
            return;
        }

        Interlocked.Increment(ref superPackets);
    }

    /// <summary>A packet from the kernel that could not be segmented: dropped, counted, and logged (the first ten, then every 10,000th).</summary>
    private void OffloadError(int queue, string error)
    {
        long n = Interlocked.Increment(ref offloadErrors);
        if (n <= 10 || n % 10_000 == 0)
        {
            log.LogWarning("TUN {Name} queue {Queue}: packet dropped ({Count} so far): {Error}", device.Name, queue, n, error);
        }
    }

    /// <summary>Delivers a decrypted packet: at once in plain mode; with offloads, kept to be merged with the segments that follow until <see cref="Flush"/>.</summary>
    public void Write(ReadOnlySpan<byte> ipPacket)
    {
        if (coalescers is null)
        {
            device.Write(ipPacket);
            return;
        }

        coalescers.Value!.Add(ipPacket, this);
    }

    /// <summary>With offloads, room in this thread's coalescer to open a packet into, which <see cref="Write"/> then keeps where it lies.</summary>
    public Span<byte> WriteRoom(int length) =>
        coalescers is null || length > TcpCoalescer.MaxPacket ? Span<byte>.Empty : coalescers.Value!.Reserve(length, this);

    /// <summary>Writes what <see cref="Write"/> kept on this thread (the end of its receive batch).</summary>
    public void Flush() => coalescers?.Value!.Flush(this);

    void IVnetPacketWriter.Write(in VirtioNetHeader header, ReadOnlySpan<byte> packet) => device.Write(header, packet);

    void IVnetPacketWriter.Write(in VirtioNetHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<PacketPiece> pieces) => device.Write(header, source, pieces);

    public bool AddRoute(TrafficSelector remote, IReadOnlyList<TrafficSelector> local, out string? error)
    {
        error = null;
        if (routing is null)
        {
            return true;
        }

        IPAddress? source = PreferredSource(local);
        lock (routeLock)
        {
            try
            {
                foreach ((IPAddress network, int prefix) in Prefixes(remote))
                {
                    if (prefix == RoutingTable.HostPrefix(network) && excludedPeers.Contains(network))
                    {
                        // The peer's own address stays outside (its throw route); a route here would replace it.
                        log.LogWarning("no route for {Network}/{Prefix} into {Tun}: it is an IKE peer's address, whose IKE and ESP must not enter the tunnel", network, prefix, device.Name);
                        continue;
                    }

                    routing.AddRoute(network, prefix, device.Index, source);
                    log.LogInformation("route {Network}/{Prefix} via {Tun}{Source} in table {Table}", network, prefix, device.Name, source is null ? "" : $" src {source}", routing.Table);
                }

                return true;
            }
            catch (IOException e)
            {
                error = e.Message;
                return false;
            }
        }
    }

    public void RemoveRoute(TrafficSelector remote)
    {
        if (routing is null)
        {
            return;
        }

        lock (routeLock)
        {
            foreach ((IPAddress network, int prefix) in Prefixes(remote))
            {
                if (prefix == RoutingTable.HostPrefix(network) && excludedPeers.Contains(network))
                {
                    continue;
                }

                try
                {
                    routing.DeleteRoute(network, prefix, device.Index);
                }
                catch (IOException e)
                {
                    log.LogDebug("route {Network}/{Prefix} was already gone: {Reason}", network, prefix, e.Message);
                }
            }
        }
    }

    public bool ExcludePeer(IPAddress peer, out string? error)
    {
        ArgumentNullException.ThrowIfNull(peer);
        error = null;
        if (routing is null)
        {
            return true;
        }

        lock (routeLock)
        {
            try
            {
                routing.Exclude(peer);
                excludedPeers.Add(peer);
                log.LogInformation("IKE peer {Peer} is inside a remote selector: it stays routed outside the tunnel (throw route in table {Table})", peer, routing.Table);
                return true;
            }
            catch (IOException e)
            {
                error = e.Message;
                return false;
            }
        }
    }

    public void IncludePeer(IPAddress peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (routing is null)
        {
            return;
        }

        lock (routeLock)
        {
            excludedPeers.Remove(peer);
            try
            {
                routing.Include(peer);
            }
            catch (IOException e)
            {
                log.LogDebug("throw route for {Peer} was already gone: {Reason}", peer, e.Message);
            }
        }
    }

    /// <summary>One of this host's addresses inside our selectors, so locally made packets carry a source the peer accepts (strongSwan does the same).</summary>
    private static IPAddress? PreferredSource(IReadOnlyList<TrafficSelector> local)
    {
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (UnicastIPAddressInformation a in nic.GetIPProperties().UnicastAddresses)
            {
                byte[] bytes = a.Address.GetAddressBytes();
                foreach (TrafficSelector ts in local)
                {
                    if (ts.StartAddressBytes.Length == bytes.Length && Number(ts.StartAddressBytes.Span) <= Number(bytes) && Number(bytes) <= Number(ts.EndAddressBytes.Span))
                    {
                        return a.Address;
                    }
                }
            }
        }

        return null;
    }

    private static UInt128 Number(ReadOnlySpan<byte> a) => PacketSelector.ToNumber(a);

    /// <summary>The fewest CIDR prefixes that cover a selector's address range exactly.</summary>
    public static IReadOnlyList<(IPAddress Network, int Prefix)> Prefixes(TrafficSelector ts)
    {
        ArgumentNullException.ThrowIfNull(ts);
        int bits = ts.StartAddressBytes.Length * 8;
        UInt128 start = Number(ts.StartAddressBytes.Span);
        UInt128 end = Number(ts.EndAddressBytes.Span);
        var result = new List<(IPAddress, int)>();
        UInt128 max = bits == 32 ? uint.MaxValue : UInt128.MaxValue;
        if (start == 0 && end == max)
        {
            return [(ToAddress(0, bits), 0)];
        }

        while (start <= end)
        {
            int size = 0;
            while (size < bits - 1)
            {
                UInt128 block = UInt128.One << (size + 1);
                if ((start & (block - 1)) != 0 || start + block - 1 > end || start + block - 1 < start)
                {
                    break;
                }

                size++;
            }

            result.Add((ToAddress(start, bits), bits - size));
            UInt128 next = start + (UInt128.One << size);
            if (next == 0 || (bits == 32 && next > uint.MaxValue))
            {
                break;
            }

            start = next;
        }

        return result;
    }

    private static IPAddress ToAddress(UInt128 value, int bits)
    {
        byte[] bytes = new byte[bits / 8];
        if (bits == 32)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        }

        return new IPAddress(bytes);
    }

    public void Dispose()
    {
        stopping = true;
        foreach (Thread reader in readers)
        {
            reader.Join(TimeSpan.FromSeconds(1));
        }

        lock (routeLock)
        {
            routing?.Dispose();
            routing = null;
        }

        device.Dispose();
        netlink.Dispose();
        coalescers?.Dispose();
    }
}
