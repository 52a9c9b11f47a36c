using System.Runtime.InteropServices;
using System.Text;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// A Linux TUN device (linux/Documentation/networking/tuntap.rst): IFF_TUN | IFF_NO_PI, so each
/// read or write is one bare IP packet. Reads wait in poll with a timeout so a reader thread can
/// be stopped; reads and writes go straight to the caller's buffers.
/// </summary>
public sealed class TunDevice : IDisposable
{
    private int fd;

    private TunDevice(int fd, string name)
    {
        this.fd = fd;
        Name = name;
    }

    /// <summary>The interface name the kernel gave (the requested one unless it had a %d pattern).</summary>
    public string Name { get; }

    public int Index => (int)LibC.IfNameToIndex(Name);

    /// <summary>Creates (or attaches to) the TUN device <paramref name="name"/>; needs CAP_NET_ADMIN.</summary>
    public static TunDevice Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Encoding.ASCII.GetByteCount(name) > 15)
        {
            throw new ArgumentException($"interface name '{name}' is longer than 15 characters (IFNAMSIZ)", nameof(name));
        }

        int fd = LibC.Open("/dev/net/tun", LibC.ORdWr | LibC.OCloexec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open /dev/net/tun: {LibC.Describe(errno)}{(errno == 13 || errno == 1 ? "; the daemon needs root (CAP_NET_ADMIN)" : "")}");
        }

        // struct ifreq: char ifr_name[16]; short ifr_flags; (padding to 40 octets)
        Span<byte> ifreq = stackalloc byte[40];
        ifreq.Clear();
        Encoding.ASCII.GetBytes(name, ifreq);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(ifreq[16..], (short)(LibC.IffTun | LibC.IffNoPi));
        if (LibC.Ioctl(fd, LibC.TunSetIff, ifreq) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new IOException($"cannot create TUN device {name}: {LibC.Describe(errno)}");
        }

        string actual = Encoding.ASCII.GetString(ifreq[..16]).TrimEnd('\0');
        return new TunDevice(fd, actual);
    }

    /// <summary>
    /// Reads one packet into <paramref name="buffer"/>, waiting up to <paramref name="timeoutMs"/>;
    /// returns its length, 0 on timeout, -1 once the device is closed.
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        int f = Volatile.Read(ref fd);
        if (f < 0)
        {
            return -1;
        }

        var poll = new LibC.PollFd { Fd = f, Events = LibC.PollIn };
        int ready = LibC.Poll(ref poll, 1, timeoutMs);
        if (ready <= 0)
        {
            return Volatile.Read(ref fd) < 0 ? -1 : 0;
        }

        nint n = LibC.Read(f, buffer, (nuint)buffer.Length);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is LibC.EAgain or LibC.EIntr && Volatile.Read(ref fd) >= 0 ? 0 : -1;
        }

        return (int)n;
    }

    /// <summary>Writes one IP packet to the host's stack; false when the kernel refused it.</summary>
    public bool Write(ReadOnlySpan<byte> packet)
    {
        int f = Volatile.Read(ref fd);
        return f >= 0 && LibC.Write(f, packet, (nuint)packet.Length) == packet.Length;
    }

    public void Dispose()
    {
        int f = Interlocked.Exchange(ref fd, -1);
        if (f >= 0)
        {
            LibC.Close(f);
        }
    }
}
