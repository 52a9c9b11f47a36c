using System.Net.Sockets;

namespace IkeSharp.Daemon.Transport;

/// <summary>
/// One UDP socket for IKE: port 500, or 4500 where IKE carries the non-ESP marker and ESP rides
/// alongside (RFC 3948). Bound to one address, or to the wildcard with IP_PKTINFO so each datagram
/// says which of our addresses it reached (the engine needs it for NAT detection, RFC 7296 §2.23).
/// A dedicated thread receives in batches with recvmmsg(2) (.NET's Socket has no batched receive);
/// sends may come from any thread (a UDP send is atomic), one at a time or batched with sendmmsg(2).
/// With offloads asked for, the socket takes UDP GRO (udp(7), UDP_GRO: datagrams of one flow come up
/// joined, and are cut apart again here before anyone sees them) and sends batches with UDP GSO
/// (UDP_SEGMENT) when the kernel has it; on the wire every datagram stays as it was.
/// </summary>
public sealed class UdpPort : IDisposable
{
    /// <summary>The largest datagram we accept: an IKE message may reach 64 KiB (RFC 7296 §2 allows fragments beyond).</summary>
    public const int MaxDatagram = 65535;

    /// <summary>The socket's receive buffer (see <see cref="EnlargeReceiveBuffer"/>).</summary>
    public const int ReceiveBufferBytes = 16 << 20;

    private readonly Socket socket;
    private readonly SafeSocketHandle handle;
    private readonly Thread thread;
    private readonly Action<UdpPort, IPEndPoint, SocketAddress, ReadOnlyMemory<byte>> onReceive;
    private readonly Action<string> onError;
    private readonly Action? onBatchEnd;
    private volatile bool stopping;
    private volatile bool gso;
    private long receiveCalls;
    private long datagramsReceived;

    /// <param name="offload">Ask for UDP GRO on receive and UDP GSO on send (each only if the kernel has it).</param>
    /// <param name="onBatchEnd">Called after the datagrams of each recvmmsg(2) were handed over, so a consumer that gathers can flush.</param>
    public UdpPort(IPEndPoint bind, Action<UdpPort, IPEndPoint, SocketAddress, ReadOnlyMemory<byte>> onReceive, Action<string> onError, bool offload = false, Action? onBatchEnd = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        Bound = bind;
        this.onReceive = onReceive;
        this.onError = onError;
        this.onBatchEnd = onBatchEnd;
        socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }

        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        // IP_PKTINFO (ip(7)) or IPV6_RECVPKTINFO (RFC 3542 §6.1): each datagram says which of our addresses it reached.
        Span<byte> on = [1, 0, 0, 0];
        if (bind.AddressFamily == AddressFamily.InterNetwork)
        {
            socket.SetRawSocketOption(0 /* SOL_IP */, 8 /* IP_PKTINFO */, on);
        }
        else
        {
            socket.SetRawSocketOption(41 /* SOL_IPV6 */, 49 /* IPV6_RECVPKTINFO */, on);
        }

        if (offload)
        {
            EnableOffloads();
        }

        EnlargeReceiveBuffer(socket);
        socket.SendBufferSize = 4 << 20;
        socket.Bind(bind);
        handle = socket.SafeHandle;
        Bound = (IPEndPoint)socket.LocalEndPoint!;
        thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"udp {Bound}" };
    }

    public IPEndPoint Bound { get; }

    /// <summary>Datagrams come up joined by UDP GRO (and are cut apart again here).</summary>
    public bool Gro { get; private set; }

    /// <summary>Batches go out with UDP GSO; false when not asked for, the kernel lacks it, or a send showed the route cannot take it (EIO).</summary>
    public bool Gso => gso;

    private const int SolUdp = 17;
    private const int UdpSegment = 103;
    private const int UdpGro = 104;

    /// <summary>UDP_GRO (Linux 5.0) is set if the kernel takes it; UDP_SEGMENT (4.18) is there if the kernel can read it back (wireguard-go asks the same way).</summary>
    private void EnableOffloads()
    {
        Span<byte> on = [1, 0, 0, 0];
        try
        {
            socket.SetRawSocketOption(SolUdp, UdpGro, on);
            Gro = true;
        }
        catch (SocketException)
        {
            Gro = false;
        }

        try
        {
            Span<byte> value = stackalloc byte[4];
            socket.GetRawSocketOption(SolUdp, UdpSegment, value);
            gso = true;
        }
        catch (SocketException)
        {
            gso = false;
        }
    }

    /// <summary>
    /// A 16 MiB receive buffer (or <paramref name="bytes"/>), so a burst of ESP, or the liveness
    /// checks and rekeys of 100,000 SAs (thousands of datagrams a second, each charged ~1-2 KiB of
    /// buffer), do not overflow while the reader thread waits for a core: with 4 MiB a responder
    /// on a loaded machine dropped 70,000 datagrams in 15 minutes (bench/hold.sh, issue 6). The
    /// memory is used only while datagrams wait. SO_RCVBUFFORCE (root may pass net.core.rmem_max),
    /// else as much as SO_RCVBUF allows.
    /// </summary>
    internal static void EnlargeReceiveBuffer(Socket socket, int bytes = ReceiveBufferBytes)
    {
        const int SolSocket = 1;
        const int SoRcvBufForce = 33;
        Span<byte> size = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(size, bytes);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoRcvBufForce, size);
        }
        catch (SocketException)
        {
            socket.ReceiveBufferSize = bytes;
        }
    }

    public int Port => Bound.Port;

    public bool IsWildcard => Bound.Address.Equals(IPAddress.Any) || Bound.Address.Equals(IPAddress.IPv6Any);

    public void Start() => thread.Start();

    /// <summary>Sends to an address already in socket form: the packet path keeps one per peer, so nothing is allocated.</summary>
    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress remote)
    {
        try
        {
            socket.SendTo(datagram, SocketFlags.None, remote);
            return true;
        }
        catch (SocketException e)
        {
            onError($"send from {Bound} failed: {e.SocketErrorCode} ({e.Message})");
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends to an endpoint (IKE: a serialization per message is fine there).</summary>
    public bool Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return Send(datagram, remote.Serialize());
    }

    /// <summary>Datagrams handed over by one recvmmsg(2); a burst of ESP larger than this takes several calls.</summary>
    public const int ReceiveBatchSize = 32;

    /// <summary>recvmmsg(2) calls that returned datagrams, and the datagrams they returned (for tests and status).</summary>
    public long ReceiveCalls => Interlocked.Read(ref receiveCalls);

    public long DatagramsReceived => Interlocked.Read(ref datagramsReceived);

    /// <summary>
    /// Sends the datagrams of <paramref name="batch"/> with sendmmsg(2), as many per call as the
    /// kernel takes, each message of several segments with UDP GSO when the port has it; a datagram
    /// the kernel refuses (no route, ICMP error pending) is reported and skipped. Returns how many
    /// messages were sent. Nothing is allocated unless an error is reported.
    /// </summary>
    public int Send(DatagramBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int sent = 0;
        bool added = false;
        try
        {
            // Hold a reference on the descriptor, so a Dispose on another thread cannot close it
            // (and the number be reused) while sendmmsg has it.
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            int from = 0;
            while (from < batch.Count)
            {
                bool segmented = gso;
                int count = batch.PrepareSend(segmented, from);
                int done = SendPrepared(batch, fd, count, segmented, out int failedErrno);
                if (!segmented || done >= count)
                {
                    sent += done;
                    break;
                }

                // A GSO message the kernel refused (EIO: the route's device cannot checksum it;
                // EINVAL or EMSGSIZE: a segment longer than the route's MTU): send its datagrams one by one.
                sent += done;
                int failed = from + done;
                if (failedErrno == Tun.LibC.EIo)
                {
                    gso = false;
                    onError($"UDP GSO from {Bound} failed ({Tun.LibC.Describe(failedErrno)}); sending datagram by datagram from now on");
                }

                // The refused message comes first in the datagram-by-datagram layout: send just its datagrams.
                batch.PrepareSend(false, failed);
                sent += SendPrepared(batch, fd, batch.Segments(failed), false, out _) > 0 ? 1 : 0;
                from = failed + 1;
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed while stopping: what is left is dropped, as a single send would be.
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return sent;
    }

    /// <summary>
    /// Sends the first <paramref name="count"/> prepared mmsghdrs, as many per call as the kernel
    /// takes. Without GSO a datagram the kernel refuses (no route, ICMP error pending) is reported
    /// and skipped; with GSO the first refused message stops the send (its errno in
    /// <paramref name="failedErrno"/>) so the caller can send it datagram by datagram. Returns how
    /// many were sent before that.
    /// </summary>
    private int SendPrepared(DatagramBatch batch, int fd, int count, bool segmented, out int failedErrno)
    {
        failedErrno = 0;
        int sent = 0;
        int refused = 0;
        int retries = 0;
        while (sent + refused < count)
        {
            int n = batch.Send(fd, sent + refused, count);
            if (n > 0)
            {
                sent += n;
                continue;
            }

            int errno = -n;
            if (errno == Tun.LibC.EIntr)
            {
                continue;
            }

            if (errno is Tun.LibC.EAgain or Tun.LibC.ENoBufs && retries++ < 10)
            {
                // The send buffer is full: wait until it drains a little (poll(2) POLLOUT), briefly.
                var poll = new Tun.LibC.PollFd { Fd = fd, Events = Tun.LibC.PollOut };
                Tun.LibC.Poll(ref poll, 1, 10);
                continue;
            }

            if (segmented && errno is Tun.LibC.EIo or Tun.LibC.EInval or Tun.LibC.EMsgSize && batch.Segments(sent + refused) > 1)
            {
                failedErrno = errno;
                return sent;
            }

            // sendmmsg(2) returns the error of the first datagram it could not send: skip that one.
            if (errno is not (Tun.LibC.EAgain or Tun.LibC.ENoBufs or Tun.LibC.EConnRefused))
            {
                onError($"send from {Bound} failed: {Tun.LibC.Describe(errno)}");
            }

            refused++;
        }

        return sent;
    }

    /// <summary>
    /// Receives until stopped, up to <see cref="ReceiveBatchSize"/> datagrams per recvmmsg(2) into a
    /// reused <see cref="DatagramBatch"/>; each source is copied into one reused SocketAddress. A
    /// socket bound to one address reports that address as local; a wildcard socket reads each
    /// datagram's IP_PKTINFO / IPV6_PKTINFO control message, and reuses the last IPEndPoint while the
    /// local address stays the same, so the common case allocates nothing either.
    /// </summary>
    private void ReceiveLoop()
    {
        using var batch = new DatagramBatch(ReceiveBatchSize, MaxDatagram);
        var remote = new SocketAddress(Bound.AddressFamily, SocketAddress.GetMaximumAddressSize(Bound.AddressFamily));
        Span<byte> address = stackalloc byte[16];
        Span<byte> lastAddress = stackalloc byte[16];
        int lastInterface = 0;
        IPEndPoint local = Bound;
        bool wildcard = IsWildcard;
        // The loop ends before Dispose closes the socket (it joins this thread), so the number stays ours.
        int fd = (int)handle.DangerousGetHandle();
        while (!stopping)
        {
            // Closing a socket does not wake a blocked receive on Linux, so wait in poll(2) (no
            // exception, no allocation when idle) and look at the stop flag four times a second.
            var poll = new Tun.LibC.PollFd { Fd = fd, Events = Tun.LibC.PollIn };
            if (Tun.LibC.Poll(ref poll, 1, 250) <= 0)
            {
                continue;
            }

            int n = batch.Receive(fd);
            if (n <= 0)
            {
                // ECONNREFUSED: an ICMP port unreachable for an earlier send (udp(7), "ERROR HANDLING"); keep serving.
                if (n < 0 && -n is not (Tun.LibC.EAgain or Tun.LibC.EIntr or Tun.LibC.EConnRefused) && !stopping)
                {
                    onError($"receive on {Bound} failed: {Tun.LibC.Describe(-n)}");
                }

                continue;
            }

            Interlocked.Increment(ref receiveCalls);
            Interlocked.Add(ref datagramsReceived, n);
            for (int i = 0; i < n; i++)
            {
                if (batch.IsTruncated(i) || !batch.TryCopySource(i, remote))
                {
                    continue;
                }

                if (wildcard)
                {
                    if (!batch.TryReadLocalAddress(i, address, out int length, out int interfaceIndex))
                    {
                        local = Bound;
                    }
                    else if (!ReferenceEquals(local, Bound) && address[..length].SequenceEqual(lastAddress[..length]) && interfaceIndex == lastInterface
                        && (length == 4) == (local.AddressFamily == AddressFamily.InterNetwork))
                    {
                        // Same local address as the datagram before: the endpoint is reused as it is.
                    }
                    else
                    {
                        address[..length].CopyTo(lastAddress);
                        lastInterface = interfaceIndex;

                        // An IPv6 link-local address means nothing without its interface (RFC 4007 §6).
                        IPAddress ip = length == 16 && address[0] == 0xFE && (address[1] & 0xC0) == 0x80
                            ? new IPAddress(address[..16], interfaceIndex)
                            : new IPAddress(address[..length]);
                        local = new IPEndPoint(ip, Bound.Port);
                    }
                }

                ReadOnlyMemory<byte> datagram = batch.Datagram(i);
                int size = batch.GroSegmentSize(i);
                if (size <= 0 || size >= datagram.Length)
                {
                    Deliver(local, remote, datagram);
                    continue;
                }

                // UDP GRO joined datagrams of one flow, all of gso_size octets but the last (udp(7)).
                for (int offset = 0; offset < datagram.Length; offset += size)
                {
                    Deliver(local, remote, datagram.Slice(offset, Math.Min(size, datagram.Length - offset)));
                }
            }

            onBatchEnd?.Invoke();
        }
    }

    private void Deliver(IPEndPoint local, SocketAddress remote, ReadOnlyMemory<byte> datagram)
    {
        try
        {
            onReceive(this, local, remote, datagram);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing a peer sends may take the daemon down: report and carry on with the next datagram.
            onError($"datagram on {Bound} could not be handled: {e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose()
    {
        stopping = true;
        if (thread.IsAlive && thread != Thread.CurrentThread)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }

        socket.Dispose();
    }
}
