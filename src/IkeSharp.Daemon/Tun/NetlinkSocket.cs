using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// A netlink socket (RFC 3549) of one protocol: messages built in a buffer with BinaryPrimitives
/// (host byte order, as netlink wants), each request acknowledged, and a kernel error (a negative
/// errno in NLMSG_ERROR) turned into an exception naming the operation.
/// </summary>
public abstract class NetlinkSocket : IDisposable
{
    protected const ushort NlmFRequest = 0x1;
    protected const ushort NlmFAck = 0x4;
    protected const ushort NlmFReplace = 0x100;
    protected const ushort NlmFExcl = 0x200;
    protected const ushort NlmFDump = 0x300;
    protected const ushort NlmFCreate = 0x400;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;

    private int socket;
    private uint sequence;

    /// <summary>Opens the socket in the calling thread's network namespace (.NET's Socket has no AF_NETLINK, so it is libc's).</summary>
    protected NetlinkSocket(int protocol, string name)
    {
        Name = name;
        socket = LibC.Socket(AfNetlink, SockRaw | SockCloexec, protocol);
        if (socket < 0)
        {
            throw new IOException($"cannot open a {name} socket: {LibC.Describe(Marshal.GetLastPInvokeError())}");
        }
    }

    protected string Name { get; }

    protected byte[] Buffer { get; } = new byte[8192];

    // struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }, host byte order.
    protected int Header(Span<byte> m, ushort type, ushort flags)
    {
        m[..16].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(m[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(m[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(m[8..], ++sequence);
        return 16;
    }

    // struct rtattr { u16 len; u16 type; } + data, each padded to 4 octets (RTA_ALIGN).
    protected static int Attribute(Span<byte> m, int offset, ushort type, ReadOnlySpan<byte> data)
    {
        int length = 4 + data.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(m[offset..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(m[(offset + 2)..], type);
        data.CopyTo(m[(offset + 4)..]);
        int aligned = (length + 3) & ~3;
        m.Slice(offset + length, aligned - length).Clear();
        return offset + aligned;
    }

    protected void Execute(int length, string what)
    {
        int error = TryExecute(length, what);
        if (error != 0)
        {
            throw new IOException($"{Name}: cannot {what}: {LibC.Describe(error)}");
        }
    }

    /// <summary>As <see cref="Execute"/>, but a kernel refusal comes back as its errno (0: done) instead of an exception.</summary>
    protected int TryExecute(int length, string what)
    {
        int error = 0;
        Exchange(length, what, (type, message) =>
        {
            if (type == NlmsgError)
            {
                error = -BinaryPrimitives.ReadInt32LittleEndian(message[16..]);
                return true;
            }

            return false;
        });
        return error;
    }

    /// <summary>ENOENT: what a delete asked for is not there.</summary>
    protected static bool IsNotFound(int errno) => errno == Enoent;

    /// <summary>EEXIST: what an exclusive create asked for is there already.</summary>
    protected static bool IsExisting(int errno) => errno == Eexist;

    /// <summary>
    /// Sends a dump request (NLM_F_DUMP) and returns every message of the answer, up to NLMSG_DONE;
    /// a kernel error becomes an exception naming <paramref name="what"/>.
    /// </summary>
    protected IReadOnlyList<byte[]> Dump(int length, string what)
    {
        var messages = new List<byte[]>();
        Exchange(length, what, (type, message) =>
        {
            switch (type)
            {
                case NlmsgDone:
                    return true;
                case NlmsgError:
                    int error = -BinaryPrimitives.ReadInt32LittleEndian(message[16..]);
                    if (error != 0)
                    {
                        throw new IOException($"{Name}: cannot {what}: {LibC.Describe(error)}");
                    }

                    return true;
                default:
                    messages.Add(message.ToArray());
                    return false;
            }
        });
        return messages;
    }

    private delegate bool MessageHandler(ushort type, ReadOnlySpan<byte> message);

    /// <summary>Sends the request in <see cref="Buffer"/> and hands each answer of its sequence number to <paramref name="handle"/> until it says the answer is complete.</summary>
    private void Exchange(int length, string what, MessageHandler handle)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Buffer, (uint)length);
        uint seq = sequence;
        if (LibC.Send(socket, Buffer.AsSpan(0, length), (nuint)length, 0) != length)
        {
            throw new IOException($"{Name}: cannot send '{what}': {LibC.Describe(Marshal.GetLastPInvokeError())}");
        }

        // A dump may come in datagrams as large as the kernel's largest dump buffer (32 KiB).
        byte[] reply = new byte[65536];
        while (true)
        {
            var poll = new LibC.PollFd { Fd = socket, Events = LibC.PollIn };
            if (LibC.Poll(ref poll, 1, 5000) <= 0)
            {
                throw new IOException($"{Name}: no answer to '{what}' within 5 s");
            }

            int n = (int)LibC.Recv(socket, reply, (nuint)reply.Length, 0);
            if (n < 0)
            {
                throw new IOException($"{Name}: cannot read the answer to '{what}': {LibC.Describe(Marshal.GetLastPInvokeError())}");
            }

            int offset = 0;
            while (offset + 16 <= n)
            {
                int messageLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(offset));
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(offset + 4));
                uint replySeq = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(offset + 8));
                if (messageLength < 16 || offset + messageLength > n || (type == NlmsgError && messageLength < 20))
                {
                    throw new IOException($"{Name}: malformed reply to '{what}'");
                }

                if (replySeq == seq && handle(type, reply.AsSpan(offset, messageLength)))
                {
                    return;
                }

                offset += (messageLength + 3) & ~3;
            }
        }
    }

    public void Dispose()
    {
        int s = Interlocked.Exchange(ref socket, -1);
        if (s >= 0)
        {
            LibC.Close(s);
        }

        GC.SuppressFinalize(this);
    }
}
