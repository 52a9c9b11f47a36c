using System.Collections.Concurrent;
using IkeSharp.Daemon.Offload;
using IkeSharp.Daemon.Transport;
using IkeSharp.Esp;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.DataPlane;

/// <summary>
/// ESP in this process (RFC 4303), carried in UDP (RFC 3948): inbound packets are found by SPI in
/// the SA table, opened, checked against the Child SA's selectors (RFC 4301 §5.2) and handed to the
/// inner interface; outbound packets from the inner interface are matched to a Child SA by its
/// selectors, sealed and sent from our NAT-T port to the peer's. Buffers are per thread and reused,
/// so the packet path allocates nothing.
/// </summary>
public sealed class UserspaceDataPlane : IDataPlane, IOutboundPackets
{
    /// <summary>Room for the largest ESP packet we make or take.</summary>
    private const int BufferSize = 65536;

    /// <summary>ESP packets a thread gathers before one sendmmsg(2).</summary>
    public const int BatchSize = 32;

    [ThreadStatic]
    private static byte[]? threadBuffer;

    [ThreadStatic]
    private static OutboundBatch? threadBatch;

    private readonly IInnerInterface inner;
    private readonly IEspTransport transport;
    private readonly IRandomSource random;
    private readonly ILogger log;
    private readonly int replayWindow;
    private readonly bool offload;
    private readonly Lock writeLock = new();
    private readonly ConcurrentDictionary<uint, ChildEntry> bySpiIn = new();
    private readonly Dictionary<string, int> routeUse = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, int> peerExclusionUse = [];

    // Outbound entries, newest first, changed under the write lock in O(1) (a daemon may hold
    // 100,000 Child SAs: copying an array of all of them on every install made each install O(n)
    // and a large-object allocation). The TUN thread reads a snapshot without a lock; a change
    // drops the snapshot and the next outbound packet rebuilds it once.
    private readonly LinkedList<ChildEntry> outboundList = new();
    private ChildEntry[]? outbound = [];
    private long noPolicy;
    private long selectorMismatch;
    private long dropped;
    private long trapped;

    public UserspaceDataPlane(IInnerInterface inner, IEspTransport transport, IRandomSource random, ILogger log, int replayWindow = ReplayWindow.DefaultSize, Func<long>? clock = null)
    {
        this.inner = inner;
        this.transport = transport;
        this.random = random;
        this.log = log;
        this.replayWindow = replayWindow;
        offload = inner.Offload;
        var since = System.Diagnostics.Stopwatch.StartNew();
        Traps = new TrapPolicies(clock ?? (() => since.ElapsedMilliseconds));
    }

    /// <summary>Trap policies: outbound packets no Child SA covers but a trap does start a negotiation.</summary>
    public TrapPolicies Traps { get; }

    /// <summary>Outbound packets that hit a trap policy (and were dropped while it negotiates).</summary>
    public long TrappedPackets => Interlocked.Read(ref trapped);

    /// <summary>
    /// Installs a trap for a child (start_action, dpd_action or close_action = trap), with routes
    /// for its remote selectors into the tunnel so the host sends its packets here; the
    /// connection's <paramref name="peers"/> (remote_addrs) stay routed outside it.
    /// </summary>
    public bool InstallTrap(string connection, string child, IReadOnlyList<TrafficSelector> localTs, IReadOnlyList<TrafficSelector> remoteTs, IReadOnlyList<IPAddress>? peers = null)
    {
        lock (writeLock)
        {
            if (Traps.Contains(connection, child) || !Traps.Install(connection, child, localTs, remoteTs, peers))
            {
                return Traps.Contains(connection, child);
            }

            AddRoutes(remoteTs, localTs, peers ?? [], connection, child);
            return true;
        }
    }

    /// <summary>Removes a connection's traps (one child's, or all) and their routes.</summary>
    public void RemoveTraps(string connection, string? child = null)
    {
        lock (writeLock)
        {
            foreach (TrapInfo gone in Traps.Remove(connection, child))
            {
                RemoveRoutes(gone.RemoteTs, gone.Peers);
            }
        }
    }

    /// <summary>
    /// Routes the remote selectors into the tunnel, counting users, so an SA and a trap may share one.
    /// A peer inside a remote selector (a 0.0.0.0/0 full tunnel) is kept outside first, or its own IKE
    /// and ESP would be routed into the tunnel; a selector that is the peer's address alone gets no
    /// route at all (strongSwan's kernel-libipsec refuses that route too: it conflicts with IKE traffic).
    /// Under the write lock.
    /// </summary>
    private void AddRoutes(IReadOnlyList<TrafficSelector> remoteTs, IReadOnlyList<TrafficSelector> localTs, IReadOnlyList<IPAddress> peers, string connection, string child)
    {
        foreach (IPAddress peer in CoveredPeers(remoteTs, peers))
        {
            int use = peerExclusionUse.GetValueOrDefault(peer) + 1;
            peerExclusionUse[peer] = use;
            if (use == 1 && !inner.ExcludePeer(peer, out string? error))
            {
                log.LogWarning("{Name}/{Child}: IKE peer {Peer} is inside the remote selectors and could not be kept outside the tunnel: {Error}", connection, child, peer, error);
            }
        }

        foreach (TrafficSelector remote in remoteTs)
        {
            if (IsPeerAlone(remote, peers))
            {
                log.LogWarning("{Name}/{Child}: no route for {Remote} into the tunnel: it is the IKE peer's own address, so its IKE and ESP would enter the tunnel too; the userspace data plane cannot carry a host-to-host tunnel (the xfrm data plane can)", connection, child, remote);
                continue;
            }

            string key = remote.ToString();
            routeUse[key] = routeUse.GetValueOrDefault(key) + 1;
            if (routeUse[key] == 1 && !inner.AddRoute(remote, localTs, out string? error))
            {
                log.LogWarning("{Name}/{Child}: no route for {Remote} into the tunnel: {Error}", connection, child, remote, error);
            }
        }
    }

    /// <summary>Drops one use of each route; the last user removes it, and then the peer's exclusion. Under the write lock.</summary>
    private void RemoveRoutes(IReadOnlyList<TrafficSelector> remoteTs, IReadOnlyList<IPAddress> peers)
    {
        foreach (TrafficSelector remote in remoteTs)
        {
            if (IsPeerAlone(remote, peers))
            {
                continue;
            }

            string key = remote.ToString();
            int left = routeUse.GetValueOrDefault(key) - 1;
            if (left <= 0)
            {
                routeUse.Remove(key);
                inner.RemoveRoute(remote);
            }
            else
            {
                routeUse[key] = left;
            }
        }

        foreach (IPAddress peer in CoveredPeers(remoteTs, peers))
        {
            int left = peerExclusionUse.GetValueOrDefault(peer) - 1;
            if (left <= 0)
            {
                peerExclusionUse.Remove(peer);
                inner.IncludePeer(peer);
            }
            else
            {
                peerExclusionUse[peer] = left;
            }
        }
    }

    /// <summary>The peers (each once) whose address lies inside one of the remote selectors.</summary>
    private static IEnumerable<IPAddress> CoveredPeers(IReadOnlyList<TrafficSelector> remoteTs, IReadOnlyList<IPAddress> peers) =>
        peers.Distinct().Where(p => remoteTs.Any(ts => Covers(ts, p)));

    private static bool IsPeerAlone(TrafficSelector remote, IReadOnlyList<IPAddress> peers) =>
        remote.StartAddressBytes.Span.SequenceEqual(remote.EndAddressBytes.Span) && peers.Any(p => Covers(remote, p));

    private static bool Covers(TrafficSelector ts, IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        if (bytes.Length != ts.StartAddressBytes.Length)
        {
            return false;
        }

        UInt128 value = PacketSelector.ToNumber(bytes);
        return PacketSelector.ToNumber(ts.StartAddressBytes.Span) <= value && value <= PacketSelector.ToNumber(ts.EndAddressBytes.Span);
    }

    public string Name => "userspace";

    /// <summary>The clear side offloads, so ESP in UDP goes out with UDP GSO and comes in with UDP GRO.</summary>
    public bool UdpOffload => offload;

    public void FlushInbound() => inner.Flush();

    /// <summary>Outbound packets that matched no Child SA.</summary>
    public long NoPolicyDrops => Interlocked.Read(ref noPolicy);

    /// <summary>Inbound packets whose inner addresses were outside the Child SA's selectors.</summary>
    public long SelectorDrops => Interlocked.Read(ref selectorMismatch);

    /// <summary>Inbound ESP dropped for any other reason (unknown SPI, ICV, replay, padding).</summary>
    public long EspDrops => Interlocked.Read(ref dropped);

    /// <remarks>
    /// ESP for one SA may arrive on two receive threads (UDP 4500 and the raw protocol-50 socket,
    /// whichever a peer, or an attacker who saw the SPI, picks): the replay window and the cipher
    /// are one-thread objects, so opening is serialized per SA, on <see cref="In"/>; sealing, which
    /// any sending thread may do, on <see cref="Out"/>. Uncontended, a lock costs nanoseconds and,
    /// taken on these objects rather than on a Lock of their own, no memory: two Lock objects were
    /// 80 octets of every idle SA (issue 6).
    /// </remarks>
    private sealed class ChildEntry(ChildSaInstalled sa, EspInboundSa @in, EspOutboundSa @out) : IDisposable
    {
        public ChildSaInstalled Sa { get; } = sa;

        public EspInboundSa In { get; } = @in;

        public EspOutboundSa Out { get; } = @out;

        public PacketSelector[] Local { get; } = [.. sa.LocalTs.Select(t => new PacketSelector(t))];

        public PacketSelector[] Remote { get; } = [.. sa.RemoteTs.Select(t => new PacketSelector(t))];

        /// <summary>Where ESP goes: our NAT-T endpoint and the peer's; the peer's follows its NAT mapping (RFC 3948 §3).</summary>
        public IPEndPoint Local4500 { get; } = sa.Local;


        /// <summary>This entry's place in the outbound list, for removal in O(1).</summary>
        public LinkedListNode<ChildEntry>? OutboundNode { get; set; }


        public IPEndPoint Remote4500 { get; set; } = sa.Remote;

        /// <summary><see cref="Remote4500"/> in socket form (or the peer's address with port 0 for plain ESP), made once.</summary>
        public SocketAddress RemoteAddress { get; set; } = sa.UdpEncapsulation ? sa.Remote.Serialize() : new IPEndPoint(sa.Remote.Address, 0).Serialize();

        /// <summary>The highest limit level already reported (0 none, 1 soft, 2 hard), so each is reported once.</summary>
        public int Reported;

        public void Dispose()
        {
            In.Dispose();
            Out.Dispose();
        }
    }

    public void Install(ChildSaInstalled sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        using (sa.EncryptionKeyIn)
        using (sa.EncryptionKeyOut)
        using (sa.IntegrityKeyIn)
        using (sa.IntegrityKeyOut)
        {
            IEncryptionAlgorithm encryption = AlgorithmRegistry.Default.EspEncryption(sa.Encryption, sa.EncryptionKeyBits)
                ?? throw new NotSupportedException($"ESP encryption {sa.Encryption.ToIanaName()} ({sa.EncryptionKeyBits} bits) is not supported by the userspace data plane");
            IIntegrityAlgorithm? integrity = encryption.IsAead || sa.Integrity == IntegrityAlgorithm.None ? null
                : AlgorithmRegistry.Default.Integrity(sa.Integrity) ?? throw new NotSupportedException($"ESP integrity {sa.Integrity.ToIanaName()} is not supported");
            var entry = new ChildEntry(
                sa,
                new EspInboundSa(sa.SpiIn, encryption, sa.EncryptionKeyIn.ReadOnlySpan, integrity, sa.IntegrityKeyIn.ReadOnlySpan, sa.Esn, replayWindow),
                new EspOutboundSa(sa.SpiOut, encryption, sa.EncryptionKeyOut.ReadOnlySpan, integrity, sa.IntegrityKeyOut.ReadOnlySpan, sa.Esn, random));
            lock (writeLock)
            {
                if (!bySpiIn.TryAdd(sa.SpiIn, entry))
                {
                    entry.Dispose();
                    throw new InvalidOperationException($"inbound SPI {sa.SpiIn:x8} is already installed");
                }

                entry.OutboundNode = outboundList.AddFirst(entry);
                Volatile.Write(ref outbound, null);
                AddRoutes(sa.RemoteTs, sa.LocalTs, [sa.Remote.Address], sa.Connection, sa.Child);
            }
        }
    }

    public void Remove(uint spiIn)
    {
        ChildEntry? entry;
        lock (writeLock)
        {
            if (!bySpiIn.TryRemove(spiIn, out entry))
            {
                return;
            }

            outboundList.Remove(entry.OutboundNode!);
            Volatile.Write(ref outbound, null);
            RemoveRoutes(entry.Sa.RemoteTs, [entry.Sa.Remote.Address]);
        }

        // A packet being opened on another thread may still hold the SA; the ESP objects refuse
        // work once disposed (SaClosed), so disposing here is safe.
        entry.Dispose();
    }

    public void HandleEsp(ReadOnlySpan<byte> esp, IPEndPoint local, SocketAddress remote)
    {
        // One lookup by SPI finds the SA and its selectors (RFC 4303 §3.4.2).
        if (!EspSaTable.TryReadSpi(esp, out uint spi) || !bySpiIn.TryGetValue(spi, out ChildEntry? entry))
        {
            Interlocked.Increment(ref dropped);
            return;
        }

        // Opened straight into the clear side's room where it has some (an offloading TUN device's
        // coalescer, which then merges it with no copy), else into this thread's buffer.
        Span<byte> buffer = inner.WriteRoom(entry.In.MaxInnerLength(esp.Length));
        if (buffer.IsEmpty)
        {
            buffer = threadBuffer ??= new byte[BufferSize];
        }

        EspOpenResult result;
        try
        {
            lock (entry.In)
            {
                result = entry.In.Open(esp, buffer);
            }
        }
        catch (ObjectDisposedException)
        {
            // Removed meanwhile (deleted or rekeyed away).
            Interlocked.Increment(ref dropped);
            return;
        }

        if (!result.IsOk || result.IsDummy)
        {
            // RFC 4303 §3.4.4: an ICV failure is auditable, but the packet is just dropped; dummy packets (next header 59) too.
            if (!result.IsOk)
            {
                Interlocked.Increment(ref dropped);
            }

            return;
        }

        ReadOnlySpan<byte> packet = buffer[..result.Length];
        if (!IpPacketInfo.TryRead(packet, out IpPacketInfo info)
            || !PacketSelector.Any(entry.Remote, info, source: true) || !PacketSelector.Any(entry.Local, info, source: false))
        {
            // RFC 4301 §5.2 step 4: a packet outside the SA's selectors is discarded.
            Interlocked.Increment(ref selectorMismatch);
            return;
        }

        if (entry.Sa.UdpEncapsulation && !entry.RemoteAddress.Equals(remote))
        {
            // The peer's NAT mapping changed (RFC 3948 §3, RFC 7296 §2.23): follow an authenticated packet.
            entry.Remote4500 = (IPEndPoint)entry.Remote4500.Create(remote);
            entry.RemoteAddress = entry.Remote4500.Serialize();
        }

        inner.Write(packet);
        CheckLimits(entry);
    }

    /// <summary>
    /// Reported when a Child SA passes its rekey or life bytes or packets in either direction
    /// (RFC 4301 §4.4.2.1): the host tells the engine, which rekeys (soft) or deletes (hard).
    /// </summary>
    public event Action<uint, bool>? LimitReached;

    private void CheckLimits(ChildEntry entry)
    {
        ChildSaLimits limits = entry.Sa.Limits;
        if (ReferenceEquals(limits, ChildSaLimits.None))
        {
            return;
        }

        int level = Math.Max(limits.Check((ulong)entry.In.Bytes, (ulong)entry.In.Packets), limits.Check((ulong)entry.Out.Bytes, (ulong)entry.Out.Packets));
        if (level > Volatile.Read(ref entry.Reported) && Interlocked.Exchange(ref entry.Reported, level) < level)
        {
            LimitReached?.Invoke(entry.Sa.SpiIn, level == 2);
        }
    }

    /// <summary>Encrypts one packet from the inner side and sends it; false when no Child SA's selectors cover it.</summary>
    public bool SendInner(ReadOnlySpan<byte> ipPacket)
    {
        if (FindOutbound(ipPacket, out IpPacketInfo info) is not { } entry)
        {
            return false;
        }

        byte[] buffer = threadBuffer ??= new byte[BufferSize];
        int length = Seal(entry, ipPacket, info, buffer);
        if (length <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> sealedPacket = buffer.AsSpan(0, length);
        return entry.Sa.UdpEncapsulation
            ? transport.SendUdp(entry.Local4500, entry.RemoteAddress, sealedPacket)
            : transport.SendRaw(entry.RemoteAddress, sealedPacket);
    }

    /// <summary>
    /// Encrypts one packet into the calling thread's batch; <see cref="FlushInner"/> sends the batch
    /// with one sendmmsg(2). A full batch, or a packet for another local port, sends what waits first.
    /// Plain ESP (no UDP) is sent at once.
    /// </summary>
    public bool QueueInner(ReadOnlySpan<byte> ipPacket)
    {
        if (FindOutbound(ipPacket, out IpPacketInfo info) is not { } entry)
        {
            return false;
        }

        if (!entry.Sa.UdpEncapsulation)
        {
            byte[] buffer = threadBuffer ??= new byte[BufferSize];
            int n = Seal(entry, ipPacket, info, buffer);
            return n > 0 && transport.SendRaw(entry.RemoteAddress, buffer.AsSpan(0, n));
        }

        OutboundBatch batch = threadBatch ??= new OutboundBatch();
        if (batch.Datagrams.Count > 0 && (batch.Transport != transport || !batch.Local!.Equals(entry.Local4500)))
        {
            batch.Send();
        }

        // With offloads, ESP packets of equal size to one peer share a UDP GSO message (the segments
        // of one TCP super-packet seal to equal sizes but the last).
        int espLength = entry.Out.SealedLength(ipPacket.Length);
        Span<byte> room = batch.Datagrams.Reserve(espLength, entry.RemoteAddress, segment: offload);
        if (room.IsEmpty)
        {
            batch.Send();
            room = batch.Datagrams.Reserve(espLength, entry.RemoteAddress, segment: offload);
        }

        int length = Seal(entry, ipPacket, info, room);
        if (length <= 0)
        {
            return false;
        }

        batch.Datagrams.Commit(length, entry.RemoteAddress);
        batch.Transport = transport;
        batch.Local = entry.Local4500;
        return true;
    }

    /// <summary>
    /// Segments a TUN super-packet straight into the thread's batch: the SA is found once, from the
    /// headers every segment shares, and each segment's headers and payload are written where its
    /// ESP packet carries them (after SPI, sequence number and IV) and encrypted there, so the
    /// payload is copied once, from the super-packet into the datagram, and summed for the inner
    /// checksum in the same pass. The segments of one super-packet seal to equal sizes but the last,
    /// so with offloads they leave as UDP GSO messages.
    /// </summary>
    public int QueueSegments(ReadOnlySpan<byte> superPacket, in VirtioNetHeader header, out string? error)
    {
        if (!GsoSegmenter.TryPlan(superPacket, header, out GsoPlan plan, out error))
        {
            return -1;
        }

        if (FindOutbound(superPacket, out IpPacketInfo info, plan.Count) is not { } entry)
        {
            return plan.Count;
        }

        byte nextHeader = info.IsV6 ? EspNextHeader.IPv6 : EspNextHeader.IPv4;
        int payloadOffset = entry.Out.PayloadOffset;
        if (!entry.Sa.UdpEncapsulation)
        {
            byte[] buffer = threadBuffer ??= new byte[BufferSize];
            for (int i = 0; i < plan.Count; i++)
            {
                int inner = plan.WriteSegment(superPacket, i, buffer.AsSpan(payloadOffset));
                int n = SealInPlace(entry, buffer, inner, nextHeader);
                if (n > 0)
                {
                    transport.SendRaw(entry.RemoteAddress, buffer.AsSpan(0, n));
                }
            }

            return plan.Count;
        }

        OutboundBatch batch = threadBatch ??= new OutboundBatch();
        if (batch.Datagrams.Count > 0 && (batch.Transport != transport || !batch.Local!.Equals(entry.Local4500)))
        {
            batch.Send();
        }

        for (int i = 0; i < plan.Count; i++)
        {
            int inner = plan.SegmentLength(i);
            int espLength = entry.Out.SealedLength(inner);
            Span<byte> room = batch.Datagrams.Reserve(espLength, entry.RemoteAddress, segment: offload);
            if (room.IsEmpty)
            {
                batch.Send();
                room = batch.Datagrams.Reserve(espLength, entry.RemoteAddress, segment: offload);
            }

            plan.WriteSegment(superPacket, i, room[payloadOffset..]);
            int length = SealInPlace(entry, room, inner, nextHeader);
            if (length <= 0)
            {
                // The SA went away or ran out of sequence numbers: the rest is dropped (counted).
                return plan.Count;
            }

            batch.Datagrams.Commit(length, entry.RemoteAddress);
            batch.Transport = transport;
            batch.Local = entry.Local4500;
        }

        return plan.Count;
    }

    public void FlushInner()
    {
        if (threadBatch is { Datagrams.Count: > 0 } batch)
        {
            batch.Send();
        }
    }

    /// <summary>ESP packets waiting on one thread for sendmmsg: all from one local port, through one transport.</summary>
    private sealed class OutboundBatch
    {
        public DatagramBatch Datagrams { get; } = new(BatchSize, BufferSize, segmentation: true);

        public IEspTransport? Transport { get; set; }

        public IPEndPoint? Local { get; set; }

        public void Send()
        {
            Transport!.SendUdp(Local!, Datagrams);
            Datagrams.Clear();

            // A thread-static batch outlives hosts: hold no reference to one while empty.
            Transport = null;
            Local = null;
        }
    }

    /// <summary>The outbound entries as an array, newest first, made once after each change.</summary>
    private ChildEntry[] OutboundSnapshot()
    {
        lock (writeLock)
        {
            ChildEntry[] snapshot = outbound ?? [.. outboundList];
            outbound = snapshot;
            return snapshot;
        }
    }

    /// <summary>The newest Child SA whose selectors cover the packet (RFC 4301 §5.1), or null (counted, as <paramref name="packets"/> packets).</summary>
    private ChildEntry? FindOutbound(ReadOnlySpan<byte> ipPacket, out IpPacketInfo info, int packets = 1)
    {
        if (!IpPacketInfo.TryRead(ipPacket, out info))
        {
            return null;
        }

        foreach (ChildEntry entry in Volatile.Read(ref outbound) ?? OutboundSnapshot())
        {
            if (PacketSelector.Any(entry.Local, info, source: true) && PacketSelector.Any(entry.Remote, info, source: false))
            {
                return entry;
            }
        }

        // No SA: a trap policy may want one negotiated (RFC 4301 §5.1.1); the packet is dropped either way.
        Interlocked.Add(ref Traps.Match(info) ? ref trapped : ref noPolicy, packets);
        return null;
    }

    /// <summary>
    /// Seals under the SA's lock: the keyed ciphers are not safe for concurrent use, and with a
    /// multi-queue TUN device several readers may send through one SA. Returns the ESP length, or 0
    /// when the SA was removed meanwhile or has used up its sequence numbers (RFC 4303 §3.3.3).
    /// </summary>
    private int Seal(ChildEntry entry, ReadOnlySpan<byte> ipPacket, in IpPacketInfo info, Span<byte> destination)
    {
        int length;
        try
        {
            lock (entry.Out)
            {
                length = entry.Out.Seal(ipPacket, info.IsV6 ? EspNextHeader.IPv6 : EspNextHeader.IPv4, destination);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            Interlocked.Increment(ref dropped);
            return 0;
        }

        CheckLimits(entry);
        return length;
    }

    /// <summary>As <see cref="Seal"/>, for an inner packet of <paramref name="innerLength"/> octets already at the ESP payload offset of <paramref name="packet"/>.</summary>
    private int SealInPlace(ChildEntry entry, Span<byte> packet, int innerLength, byte nextHeader)
    {
        int length;
        try
        {
            lock (entry.Out)
            {
                length = entry.Out.SealInPlace(packet, innerLength, nextHeader);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            Interlocked.Increment(ref dropped);
            return 0;
        }

        CheckLimits(entry);
        return length;
    }

    public ChildSaCounters Counters(uint spiIn) =>
        bySpiIn.TryGetValue(spiIn, out ChildEntry? e) ? new ChildSaCounters((ulong)e.In.Bytes, (ulong)e.In.Packets, (ulong)e.Out.Bytes, (ulong)e.Out.Packets) : default;

    public void Dispose()
    {
        lock (writeLock)
        {
            foreach (ChildEntry e in bySpiIn.Values)
            {
                e.Dispose();
            }

            bySpiIn.Clear();
            outboundList.Clear();
            outbound = [];
        }
    }
}
