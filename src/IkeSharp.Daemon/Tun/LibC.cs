using System.Runtime.InteropServices;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The few libc calls the data plane needs: a TUN device's (open, ioctl TUNSETIFF, poll, read,
/// write, close) and the batched datagram calls that .NET's Socket lacks (recvmmsg(2), sendmmsg(2)).
/// </summary>
internal static partial class LibC
{
    public const int ORdWr = 2;
    public const int OCloexec = 0x80000;
    public const int ONonblock = 0x800;
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const int EAgain = 11;
    public const int EIntr = 4;
    public const int ENoBufs = 105;
    public const int EConnRefused = 111;
    public const int EIo = 5;
    public const int EInval = 22;
    public const int EMsgSize = 90;

    /// <summary>MSG_DONTWAIT: recvmmsg takes what is queued and does not wait for the rest (recv(2)).</summary>
    public const int MsgDontWait = 0x40;

    /// <summary>MSG_TRUNC in msg_flags: the datagram was longer than the buffer (recvmsg(2)).</summary>
    public const int MsgTrunc = 0x20;

    /// <summary>TUNSETIFF = _IOW('T', 202, int) (linux/if_tun.h).</summary>
    public const ulong TunSetIff = 0x400454CA;
    public const short IffTun = 0x0001;
    public const short IffNoPi = 0x1000;

    /// <summary>IFF_VNET_HDR: every read and write starts with a struct virtio_net_hdr (Offload.VirtioNetHeader).</summary>
    public const short IffVnetHdr = 0x4000;

    /// <summary>TUNSETOFFLOAD = _IOW('T', 208, unsigned int): the offloads the stack may hand us (its argument is the value).</summary>
    public const ulong TunSetOffload = 0x400454D0;
    public const uint TunFCsum = 0x01;
    public const uint TunFTso4 = 0x02;
    public const uint TunFTso6 = 0x04;
    public const uint TunFUso4 = 0x20;
    public const uint TunFUso6 = 0x40;

    /// <summary>IFF_MULTI_QUEUE: each open file of the device is one queue (linux/Documentation/networking/tuntap.rst §3.3).</summary>
    public const short IffMultiQueue = 0x0100;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, Span<byte> argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlValue(int fd, ulong request, nuint value);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    public static unsafe partial nint Writev(int fd, Transport.IoVec* vectors, int count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fds, ulong count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, Span<byte> buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, ReadOnlySpan<byte> buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, Span<byte> buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static unsafe partial int RecvMmsg(int fd, Transport.MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static unsafe partial int SendMmsg(int fd, Transport.MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static string Describe(int errno) => $"{Marshal.PtrToStringUTF8(StrError(errno))} (errno {errno})";
}
