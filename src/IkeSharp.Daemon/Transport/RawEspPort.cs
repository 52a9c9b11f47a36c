using System.Net.Sockets;

namespace IkeSharp.Daemon.Transport;

/// <summary>
/// Plain ESP (IP protocol 50, RFC 4303) on a raw socket, for Child SAs without NAT and without
/// encap: the kernel hands us every ESP packet (this kernel has no ESP of its own to claim them)
/// with its IPv4 header, which we strip; for IPv6 the kernel strips it. Sending, the kernel adds
/// the IP header. Needs root (CAP_NET_RAW).
/// </summary>
public sealed class RawEspPort : IDisposable
{
    private const ProtocolType Esp = (ProtocolType)50;

    private readonly Socket socket;
    private readonly Thread thread;
    private readonly Action<ReadOnlyMemory<byte>, IPEndPoint, SocketAddress> onReceive;
    private volatile bool stopping;

    public RawEspPort(AddressFamily family, Action<ReadOnlyMemory<byte>, IPEndPoint, SocketAddress> onReceive)
    {
        this.onReceive = onReceive;
        Family = family;
        // .NET refuses protocol numbers it does not know, so the socket comes from libc and is wrapped.
        int fd = Tun.LibC.Socket(family == AddressFamily.InterNetwork ? 2 : 10, 3 /* SOCK_RAW */, (int)Esp);
        if (fd < 0)
        {
            throw new SocketException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }

        socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        UdpPort.EnlargeReceiveBuffer(socket);
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
        thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"esp raw {family}" };
        thread.Start();
    }

    public AddressFamily Family { get; }

    /// <summary>Sends to <paramref name="remote"/> (port 0), already in socket form.</summary>
    public bool Send(ReadOnlySpan<byte> esp, SocketAddress remote)
    {
        try
        {
            return socket.SendTo(esp, SocketFlags.None, remote) == esp.Length;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void ReceiveLoop()
    {
        byte[] buffer = new byte[65535];
        var from = new SocketAddress(Family, SocketAddress.GetMaximumAddressSize(Family));
        var local = new IPEndPoint(Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
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

                n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException) when (!stopping)
            {
                continue;
            }
            catch (Exception) when (stopping)
            {
                return;
            }

            int offset = 0;
            if (Family == AddressFamily.InterNetwork)
            {
                // Raw IPv4 sockets deliver the IP header too (RFC 791: IHL in 32-bit words).
                if (n < 20)
                {
                    continue;
                }

                offset = (buffer[0] & 0x0F) * 4;
                if (offset < 20 || offset > n)
                {
                    continue;
                }
            }

            onReceive(buffer.AsMemory(offset, n - offset), local, from);
        }
    }

    public void Dispose()
    {
        stopping = true;
        thread.Join(TimeSpan.FromSeconds(2));
        socket.Dispose();
    }
}
