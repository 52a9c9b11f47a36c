namespace IkeSharp.Daemon.DataPlane;

/// <summary>
/// The clear side of the tunnel: where decrypted packets go and where packets to encrypt come
/// from. A TUN device in the daemon; a queue in the demo and in tests.
/// </summary>
public interface IInnerInterface
{
    /// <summary>Delivers one decrypted IP packet to the host (or keeps it until <see cref="Flush"/>, to merge it with the next).</summary>
    void Write(ReadOnlySpan<byte> ipPacket);

    /// <summary>
    /// Room to open the next packet of up to <paramref name="length"/> octets into, on the calling
    /// thread: a packet written there and passed to <see cref="Write"/> is taken where it lies (an
    /// offloading TUN device merges it without a copy). Empty when the interface has none; the
    /// caller then opens into its own buffer.
    /// </summary>
    Span<byte> WriteRoom(int length) => Span<byte>.Empty;

    /// <summary>Delivers what <see cref="Write"/> kept; called at the end of each receive batch.</summary>
    void Flush()
    {
    }

    /// <summary>Offloads are in use on the clear side, so the ESP side should batch with UDP GSO and GRO too.</summary>
    bool Offload => false;

    /// <summary>
    /// Routes traffic for a remote selector into the tunnel (a route via the TUN device, with one of
    /// our addresses inside <paramref name="local"/> as the preferred source); false with a reason when it cannot.
    /// </summary>
    bool AddRoute(Wire.Payloads.TrafficSelector remote, IReadOnlyList<Wire.Payloads.TrafficSelector> local, out string? error)
    {
        error = null;
        return true;
    }

    void RemoveRoute(Wire.Payloads.TrafficSelector remote)
    {
    }

    /// <summary>
    /// Keeps traffic to an IKE peer out of the tunnel while a remote selector covers the peer's
    /// address (e.g. 0.0.0.0/0): its IKE and ESP must reach it by the host's own routes, as
    /// strongSwan's kernel-libipsec keeps them with an exclude route. Called before the routes it guards.
    /// </summary>
    bool ExcludePeer(IPAddress peer, out string? error)
    {
        error = null;
        return true;
    }

    /// <summary>Undoes <see cref="ExcludePeer"/> once no remote selector covers the peer any more.</summary>
    void IncludePeer(IPAddress peer)
    {
    }
}

/// <summary>Takes clear packets from the inner side to encrypt (the userspace data plane).</summary>
public interface IOutboundPackets
{
    /// <summary>False when no Child SA covers the packet (it is dropped and counted).</summary>
    bool SendInner(ReadOnlySpan<byte> ipPacket);

    /// <summary>
    /// As <see cref="SendInner"/>, but the ESP packet may wait in the calling thread's batch until
    /// <see cref="FlushInner"/>, so that several go out with one system call (a TUN reader drains
    /// a burst, then flushes). Without batching, the same as <see cref="SendInner"/>.
    /// </summary>
    bool QueueInner(ReadOnlySpan<byte> ipPacket) => SendInner(ipPacket);

    /// <summary>
    /// Cuts the TCP or UDP super-packet of an offloading TUN device into the segments its
    /// <paramref name="header"/> asks for (<see cref="Offload.GsoSegmenter"/>) and queues each as
    /// <see cref="QueueInner"/> does. Returns the number of segments, or -1 with
    /// <paramref name="error"/> saying why the super-packet cannot be cut (it is dropped). The
    /// userspace data plane writes each segment straight into the ESP payload of its datagram; this
    /// default cuts into a pooled buffer first.
    /// </summary>
    int QueueSegments(ReadOnlySpan<byte> superPacket, in Offload.VirtioNetHeader header, out string? error)
    {
        if (!Offload.GsoSegmenter.TryPlan(superPacket, header, out Offload.GsoPlan plan, out error))
        {
            return -1;
        }

        byte[] room = System.Buffers.ArrayPool<byte>.Shared.Rent(plan.HeaderLength + Math.Min(plan.SegmentSize, plan.PayloadLength));
        try
        {
            for (int i = 0; i < plan.Count; i++)
            {
                QueueInner(room.AsSpan(0, plan.WriteSegment(superPacket, i, room)));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(room);
        }

        return plan.Count;
    }

    /// <summary>Sends what <see cref="QueueInner"/> left waiting on the calling thread.</summary>
    void FlushInner()
    {
    }
}
