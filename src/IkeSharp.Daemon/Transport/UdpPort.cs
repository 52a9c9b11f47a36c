using System.Net.Sockets;

namespace IkeSharp.Daemon.Transport;

/// <summary>
/// One UDP socket for IKE: port 500, or 4500 where IKE carries the non-ESP marker and ESP rides
/// alongside (RFC 3948). Bound to one address, or to the wildcard with IP_PKTINFO so each datagram
/// says which of our addresses it reached (the engine needs it for NAT detection, RFC 7296 §2.23).
/// A dedicated thread receives in batches with recvmmsg(2) (.NET's Socket has no batched receive);
/// sends may come from any thread (a UDP send is atomic), one at a time or batched with sendmmsg(2).
/// </summary>
public sealed class UdpPort : IDisposable
{
    /// <summary>The largest datagram we accept: an IKE message may reach 64 KiB (RFC 7296 §2 allows fragments beyond).</summary>
    public const int MaxDatagram = 65535;

    private readonly Socket socket;
    private readonly SafeSocketHandle handle;
    private readonly Thread thread;
    private readonly Action<UdpPort, IPEndPoint, SocketAddress, ReadOnlyMemory<byte>> onReceive;
    private readonly Action<string> onError;
    private volatile bool stopping;
    private long receiveCalls;
    private long datagramsReceived;

    public UdpPort(IPEndPoint bind, Action<UdpPort, IPEndPoint, SocketAddress, ReadOnlyMemory<byte>> onReceive, Action<string> onError)
    {
        ArgumentNullException.ThrowIfNull(bind);
        Bound = bind;
        this.onReceive = onReceive;
        this.onError = onError;
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

        EnlargeReceiveBuffer(socket);
        socket.SendBufferSize = 4 << 20;
        socket.Bind(bind);
        handle = socket.SafeHandle;
        Bound = (IPEndPoint)socket.LocalEndPoint!;
        thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"udp {Bound}" };
    }

    public IPEndPoint Bound { get; }

    /// <summary>
    /// A 4 MiB receive buffer, so a burst of ESP does not overflow while the reader thread waits
    /// for a core: SO_RCVBUFFORCE (root may pass net.core.rmem_max), else as much as SO_RCVBUF allows.
    /// </summary>
    internal static void EnlargeReceiveBuffer(Socket socket)
    {
        const int SolSocket = 1;
        const int SoRcvBufForce = 33;
        Span<byte> size = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(size, 4 << 20);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoRcvBufForce, size);
        }
        catch (SocketException)
        {
            socket.ReceiveBufferSize = 4 << 20;
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
    /// kernel takes; a datagram the kernel refuses (no route, ICMP error pending) is reported and
    /// skipped. Returns how many were sent. Nothing is allocated unless an error is reported.
    /// </summary>
    public int Send(DatagramBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int sent = 0;
        int refused = 0;
        int retries = 0;
        bool added = false;
        try
        {
            // Hold a reference on the descriptor, so a Dispose on another thread cannot close it
            // (and the number be reused) while sendmmsg has it.
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            while (sent + refused < batch.Count)
            {
                int n = batch.Send(fd, sent + refused);
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

                // sendmmsg(2) returns the error of the first datagram it could not send: skip that one.
                if (errno is not (Tun.LibC.EAgain or Tun.LibC.ENoBufs or Tun.LibC.EConnRefused))
                {
                    onError($"send from {Bound} failed: {Tun.LibC.Describe(errno)}");
                }

                refused++;
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

                try
                {
                    onReceive(this, local, remote, batch.Datagram(i));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Nothing a peer sends may take the daemon down: report and carry on with the next datagram.
                    onError($"datagram on {Bound} could not be handled: {e.GetType().Name}: {e.Message}");
                }
            }
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
