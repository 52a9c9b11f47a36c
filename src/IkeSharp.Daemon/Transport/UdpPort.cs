using System.Net.Sockets;

namespace IkeSharp.Daemon.Transport;

/// <summary>
/// One UDP socket for IKE: port 500, or 4500 where IKE carries the non-ESP marker and ESP rides
/// alongside (RFC 3948). Bound to one address, or to the wildcard with IP_PKTINFO so each datagram
/// says which of our addresses it reached (the engine needs it for NAT detection, RFC 7296 §2.23).
/// A dedicated thread receives; sends may come from any thread (a UDP send is atomic).
/// </summary>
public sealed class UdpPort : IDisposable
{
    /// <summary>The largest datagram we accept: an IKE message may reach 64 KiB (RFC 7296 §2 allows fragments beyond).</summary>
    public const int MaxDatagram = 65535;

    private readonly Socket socket;
    private readonly Thread thread;
    private readonly Action<UdpPort, IPEndPoint, SocketAddress, ReadOnlyMemory<byte>> onReceive;
    private readonly Action<string> onError;
    private volatile bool stopping;

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
        socket.SetSocketOption(bind.AddressFamily == AddressFamily.InterNetwork ? SocketOptionLevel.IP : SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
        EnlargeReceiveBuffer(socket);
        socket.SendBufferSize = 4 << 20;
        socket.Bind(bind);
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

    /// <summary>Sends one datagram; a failure (no route, peer gone) is reported, not thrown.</summary>
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

    /// <summary>
    /// Receives until stopped. A socket bound to one address uses ReceiveFrom into a reused
    /// SocketAddress and a reused local endpoint, so a datagram costs no allocation; a wildcard
    /// socket needs IP_PKTINFO for the local address, which ReceiveMessageFrom gives with an
    /// allocation per datagram.
    /// </summary>
    private void ReceiveLoop()
    {
        byte[] buffer = new byte[MaxDatagram];
        EndPoint any = Bound.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        var remote = new SocketAddress(Bound.AddressFamily, SocketAddress.GetMaximumAddressSize(Bound.AddressFamily));
        IPEndPoint local = Bound;
        while (!stopping)
        {
            int n;
            try
            {
                // Closing a socket does not wake a blocked receive on Linux, so wait in poll (no
                // exception, no allocation when idle) and look at the stop flag four times a second.
                if (!socket.Poll(250_000, SelectMode.SelectRead))
                {
                    continue;
                }

                if (IsWildcard)
                {
                    EndPoint from = any;
                    SocketFlags flags = SocketFlags.None;
                    n = socket.ReceiveMessageFrom(buffer, 0, buffer.Length, ref flags, ref from, out IPPacketInformation info);
                    local = info.Address is { } a && !a.Equals(IPAddress.None) ? new IPEndPoint(a, Bound.Port) : Bound;
                    remote = from.Serialize();
                }
                else
                {
                    n = socket.ReceiveFrom(buffer, SocketFlags.None, remote);
                }
            }
            catch (SocketException e) when (!stopping)
            {
                // ICMP port unreachable from an earlier send shows up here on Linux; keep serving.
                if (e.SocketErrorCode is not (SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize))
                {
                    onError($"receive on {Bound} failed: {e.SocketErrorCode} ({e.Message})");
                }

                continue;
            }
            catch (Exception) when (stopping)
            {
                return;
            }

            try
            {
                onReceive(this, local, remote, buffer.AsMemory(0, n));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Nothing a peer sends may take the daemon down: report and carry on with the next datagram.
                onError($"datagram on {Bound} could not be handled: {e.GetType().Name}: {e.Message}");
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
