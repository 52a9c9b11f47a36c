using System.Runtime.InteropServices;
using System.Text;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// A Linux TUN device (linux/Documentation/networking/tuntap.rst): IFF_TUN | IFF_NO_PI, so each
/// read or write is one bare IP packet, and IFF_MULTI_QUEUE with one file per queue (§3.3), so
/// several threads can each read their own queue; the kernel spreads flows over the queues by
/// their hash. Reads wait in poll with a timeout so a reader thread can be stopped, then drain
/// what is queued without waiting (the files are O_NONBLOCK); reads and writes go straight to the
/// caller's buffers. With offloads (IFF_VNET_HDR and TUNSETOFFLOAD, as virtio-net and
/// wireguard-go use them), every read and write carries a <see cref="Offload.VirtioNetHeader"/> and the
/// stack may hand over TCP (and, from Linux 6.2, UDP) super-packets of up to 64 KiB with checksums
/// left partial; the reader segments them (<see cref="Offload.GsoSegmenter"/>).
/// </summary>
public sealed class TunDevice : IDisposable
{
    /// <summary>MAX_TAP_QUEUES of drivers/net/tun.c: a device has at most 256 queues.</summary>
    public const int MaxQueues = 256;

    private readonly int[] fds;

    private TunDevice(int[] fds, string name, uint offloads)
    {
        this.fds = fds;
        Name = name;
        Offloads = offloads;
    }

    /// <summary>The TUN_F_* offloads the kernel took; 0 in plain mode (no virtio_net_hdr on reads and writes).</summary>
    public uint Offloads { get; }

    /// <summary>Reads and writes carry a virtio_net_hdr.</summary>
    public bool VnetHeader => Offloads != 0;

    /// <summary>Why offloads were asked for and not used (null when they were not asked for or are in use).</summary>
    public string? OffloadRefusal { get; private init; }

    /// <summary>The interface name the kernel gave (the requested one unless it had a %d pattern).</summary>
    public string Name { get; }

    public int Index => (int)LibC.IfNameToIndex(Name);

    public int Queues => fds.Length;

    /// <summary>
    /// Creates (or attaches to) the TUN device <paramref name="name"/> with <paramref name="queues"/>
    /// queues; needs CAP_NET_ADMIN. With <paramref name="offload"/>, asks for IFF_VNET_HDR and
    /// TUNSETOFFLOAD (checksum, TSO4/6, and USO4/6 where the kernel has them); if the kernel refuses
    /// even checksum and TSO, the device is made again without them (<see cref="OffloadRefusal"/> says why).
    /// </summary>
    public static TunDevice Open(string name, int queues = 1, bool offload = false)
    {
        if (offload)
        {
            string? refusal;
            try
            {
                TunDevice device = OpenWith(name, queues, vnet: true);
                uint[] wanted =
                [
                    LibC.TunFCsum | LibC.TunFTso4 | LibC.TunFTso6 | LibC.TunFUso4 | LibC.TunFUso6,
                    LibC.TunFCsum | LibC.TunFTso4 | LibC.TunFTso6,
                ];
                int errno = 0;
                foreach (uint flags in wanted)
                {
                    if (LibC.IoctlValue(device.fds[0], LibC.TunSetOffload, flags) == 0)
                    {
                        return new TunDevice(device.fds, device.Name, flags);
                    }

                    errno = Marshal.GetLastPInvokeError();
                }

                refusal = $"TUNSETOFFLOAD was refused: {LibC.Describe(errno)}";
                device.Dispose();
            }
            catch (IOException e)
            {
                refusal = $"IFF_VNET_HDR was refused: {e.Message}";
            }

            TunDevice plain = OpenWith(name, queues, vnet: false);
            return new TunDevice(plain.fds, plain.Name, 0) { OffloadRefusal = refusal };
        }

        return OpenWith(name, queues, vnet: false);
    }

    private static TunDevice OpenWith(string name, int queues, bool vnet)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queues, MaxQueues);
        if (Encoding.ASCII.GetByteCount(name) > 15)
        {
            throw new ArgumentException($"interface name '{name}' is longer than 15 characters (IFNAMSIZ)", nameof(name));
        }

        int[] fds = new int[queues];
        Array.Fill(fds, -1);
        string actual = name;
        try
        {
            for (int q = 0; q < queues; q++)
            {
                // Every queue attaches by the name the first one got, so a %d pattern names one device.
                fds[q] = OpenQueue(q == 0 ? name : actual, vnet, out actual);
            }
        }
        catch
        {
            foreach (int fd in fds)
            {
                if (fd >= 0)
                {
                    LibC.Close(fd);
                }
            }

            throw;
        }

        return new TunDevice(fds, actual, 0);
    }

    private static int OpenQueue(string name, bool vnet, out string actual)
    {
        int fd = LibC.Open("/dev/net/tun", LibC.ORdWr | LibC.OCloexec | LibC.ONonblock);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open /dev/net/tun: {LibC.Describe(errno)}{(errno == 13 || errno == 1 ? "; the daemon needs root (CAP_NET_ADMIN)" : "")}");
        }

        // struct ifreq: char ifr_name[16]; short ifr_flags; (padding to 40 octets)
        Span<byte> ifreq = stackalloc byte[40];
        ifreq.Clear();
        Encoding.ASCII.GetBytes(name, ifreq);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(ifreq[16..], (short)(LibC.IffTun | LibC.IffNoPi | LibC.IffMultiQueue | (vnet ? LibC.IffVnetHdr : 0)));
        if (LibC.Ioctl(fd, LibC.TunSetIff, ifreq) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new IOException($"cannot create TUN device {name}: {LibC.Describe(errno)}{(errno == 22 ? " (a device of that name without IFF_MULTI_QUEUE exists, or it has 256 queues already)" : "")}");
        }

        actual = Encoding.ASCII.GetString(ifreq[..16]).TrimEnd('\0');
        return fd;
    }

    /// <summary>
    /// Reads one packet from queue 0 into <paramref name="buffer"/>, waiting up to
    /// <paramref name="timeoutMs"/>; returns its length, 0 on timeout, -1 once the device is closed.
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        int f = Volatile.Read(ref fds[0]);
        if (f < 0)
        {
            return -1;
        }

        var poll = new LibC.PollFd { Fd = f, Events = LibC.PollIn };
        if (LibC.Poll(ref poll, 1, timeoutMs) <= 0)
        {
            return Volatile.Read(ref fds[0]) < 0 ? -1 : 0;
        }

        return ReadNow(f, buffer);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for queue <paramref name="queue"/>, then reads the
    /// packets already there without waiting again, up to one per slot of <paramref name="slots"/>
    /// (<paramref name="slotSize"/> octets each); their lengths go to <paramref name="lengths"/>.
    /// Returns the number read, 0 on timeout, -1 once the device is closed.
    /// </summary>
    public int ReadBatch(int queue, Span<byte> slots, int slotSize, Span<int> lengths, int timeoutMs)
    {
        int f = Volatile.Read(ref fds[queue]);
        if (f < 0)
        {
            return -1;
        }

        var poll = new LibC.PollFd { Fd = f, Events = LibC.PollIn };
        if (LibC.Poll(ref poll, 1, timeoutMs) <= 0)
        {
            return Volatile.Read(ref fds[queue]) < 0 ? -1 : 0;
        }

        int count = 0;
        int capacity = Math.Min(lengths.Length, slots.Length / slotSize);
        while (count < capacity)
        {
            int n = ReadNow(f, slots.Slice(count * slotSize, slotSize));
            if (n <= 0)
            {
                // Drained (EAGAIN) or closed: hand on what was read.
                return count > 0 || n == 0 ? count : -1;
            }

            lengths[count++] = n;
        }

        return count;
    }

    /// <summary>One read(2) on a non-blocking queue: the length, 0 when nothing is queued, -1 when closed.</summary>
    private int ReadNow(int f, Span<byte> buffer)
    {
        nint n = LibC.Read(f, buffer, (nuint)buffer.Length);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is LibC.EAgain or LibC.EIntr && Volatile.Read(ref fds[0]) >= 0 ? 0 : -1;
        }

        return (int)n;
    }

    /// <summary>Writes one IP packet to the host's stack (through queue 0; any queue would do); false when the kernel refused it.</summary>
    public bool Write(ReadOnlySpan<byte> packet)
    {
        if (VnetHeader)
        {
            return Write(Offload.VirtioNetHeader.None, packet);
        }

        int f = Volatile.Read(ref fds[0]);
        return f >= 0 && LibC.Write(f, packet, (nuint)packet.Length) == packet.Length;
    }

    /// <summary>Writes a virtio_net_hdr and a packet (a super-packet when the header says so) with one writev(2); only with offloads.</summary>
    public unsafe bool Write(in Offload.VirtioNetHeader header, ReadOnlySpan<byte> packet)
    {
        int f = Volatile.Read(ref fds[0]);
        if (f < 0 || !VnetHeader)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[Offload.VirtioNetHeader.Size];
        header.Write(head);
        fixed (byte* h = head)
        fixed (byte* p = packet)
        {
            Transport.IoVec* vectors = stackalloc Transport.IoVec[2];
            vectors[0] = new Transport.IoVec { Base = h, Length = (nuint)head.Length };
            vectors[1] = new Transport.IoVec { Base = p, Length = (nuint)packet.Length };
            return LibC.Writev(f, vectors, 2) == head.Length + packet.Length;
        }
    }

    /// <summary>
    /// Writes a virtio_net_hdr and a packet made of <paramref name="pieces"/> of
    /// <paramref name="source"/> with one writev(2) (the kernel gathers them into the skb); only with offloads.
    /// </summary>
    public unsafe bool Write(in Offload.VirtioNetHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<Offload.PacketPiece> pieces)
    {
        int f = Volatile.Read(ref fds[0]);
        if (f < 0 || !VnetHeader || pieces.Length > Offload.TcpCoalescer.MaxSegments)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[Offload.VirtioNetHeader.Size];
        header.Write(head);
        long total = head.Length;
        fixed (byte* h = head)
        fixed (byte* s = source)
        {
            Transport.IoVec* vectors = stackalloc Transport.IoVec[Offload.TcpCoalescer.MaxSegments + 1];
            vectors[0] = new Transport.IoVec { Base = h, Length = (nuint)head.Length };
            for (int i = 0; i < pieces.Length; i++)
            {
                Offload.PacketPiece piece = pieces[i];
                _ = source.Slice(piece.Offset, piece.Length);   // bounds, before the pointer is used
                vectors[i + 1] = new Transport.IoVec { Base = s + piece.Offset, Length = (nuint)piece.Length };
                total += piece.Length;
            }

            return LibC.Writev(f, vectors, pieces.Length + 1) == total;
        }
    }

    public void Dispose()
    {
        for (int q = 0; q < fds.Length; q++)
        {
            int f = Interlocked.Exchange(ref fds[q], -1);
            if (f >= 0)
            {
                LibC.Close(f);
            }
        }
    }
}
