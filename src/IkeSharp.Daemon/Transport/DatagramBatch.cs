using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IkeSharp.Daemon.Transport;

// The kernel's structures for recvmmsg(2) and sendmmsg(2) on an LP64 Linux (x86_64, arm64):
// struct iovec (16 octets), struct msghdr (56) and struct mmsghdr (64), from sys/socket.h.
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public byte* Base;
    public nuint Length;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public byte* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public byte* Control;
    public nuint ControlLength;
    public int Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MMsgHdr
{
    public MsgHdr Header;

    /// <summary>Octets received or sent for this message (msg_len).</summary>
    public uint Length;
}

/// <summary>
/// Room for up to <see cref="Capacity"/> datagrams and the structures that describe them to
/// recvmmsg(2) and sendmmsg(2): one slot of payload, one sockaddr_storage and one control-message
/// buffer per datagram. All of it is made once (payload in a pinned array, the rest in native
/// memory) and reused for every batch, so a datagram costs no allocation. One thread uses a batch at a time.
/// </summary>
public sealed unsafe class DatagramBatch : IDisposable
{
    /// <summary>sizeof(struct sockaddr_storage).</summary>
    private const int NameSize = 128;

    /// <summary>
    /// Control room per datagram: CMSG_SPACE(sizeof(struct in6_pktinfo)) is 16 + 24 = 40 octets
    /// (cmsg(3)); 64 leaves room should the kernel add another message we did not ask for.
    /// </summary>
    private const int ControlSize = 64;

    private const int SolIp = 0;
    private const int IpPktInfo = 8;
    private const int SolIpv6 = 41;
    private const int Ipv6PktInfo = 50;

    private readonly byte[] payload;
    private readonly byte* payloadBase;
    private MMsgHdr* headers;
    private IoVec* vectors;
    private byte* names;
    private byte* control;

    public DatagramBatch(int capacity, int slotSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 1);
        Capacity = capacity;
        SlotSize = slotSize;

        // Not zeroed: a slot is written (by the kernel or by a seal) before it is read, and pages
        // that are never used are never touched.
        payload = GC.AllocateUninitializedArray<byte>(capacity * slotSize, pinned: true);
        payloadBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(payload));
        headers = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        vectors = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        names = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * NameSize));
        control = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * ControlSize));
        for (int i = 0; i < capacity; i++)
        {
            vectors[i].Base = payloadBase + ((long)i * slotSize);
            vectors[i].Length = (nuint)slotSize;
            headers[i].Header.Iov = vectors + i;
            headers[i].Header.IovLength = 1;
            headers[i].Header.Name = names + (i * NameSize);
        }
    }

    public int Capacity { get; }

    public int SlotSize { get; }

    /// <summary>Datagrams in the batch: received by the last <see cref="Receive"/>, or added for sending.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>The slot a datagram to send is written into before <see cref="Add"/>: the next free one.</summary>
    public Span<byte> NextSlot => payload.AsSpan(Count * SlotSize, SlotSize);

    /// <summary>Datagram <paramref name="index"/> as received or added.</summary>
    public ReadOnlyMemory<byte> Datagram(int index) => payload.AsMemory(index * SlotSize, (int)headers[index].Length);

    /// <summary>Adds the datagram of <paramref name="length"/> octets already written to <see cref="NextSlot"/>, for <paramref name="remote"/>.</summary>
    public void Add(int length, SocketAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, SlotSize);
        if (IsFull)
        {
            throw new InvalidOperationException("the batch is full; send it first");
        }

        int i = Count;
        remote.Buffer.Span[..remote.Size].CopyTo(new Span<byte>(names + (i * NameSize), NameSize));
        headers[i].Header.NameLength = (uint)remote.Size;
        headers[i].Header.Control = null;
        headers[i].Header.ControlLength = 0;
        headers[i].Header.Flags = 0;
        vectors[i].Length = (nuint)length;
        headers[i].Length = (uint)length;
        Count = i + 1;
    }

    public void Clear() => Count = 0;

    /// <summary>
    /// One recvmmsg(2) with MSG_DONTWAIT: takes up to <see cref="Capacity"/> datagrams already
    /// queued on <paramref name="fd"/>, with their sources and control messages. Returns the number
    /// taken, or the errno (negated) when none could be.
    /// </summary>
    internal int Receive(int fd)
    {
        Count = 0;
        for (int i = 0; i < Capacity; i++)
        {
            // The kernel writes back the lengths it used (recvmsg(2)); give each the full room again.
            vectors[i].Length = (nuint)SlotSize;
            headers[i].Header.NameLength = NameSize;
            headers[i].Header.Control = control + (i * ControlSize);
            headers[i].Header.ControlLength = ControlSize;
            headers[i].Header.Flags = 0;
        }

        int n = Tun.LibC.RecvMmsg(fd, headers, (uint)Capacity, Tun.LibC.MsgDontWait, null);
        if (n < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        Count = n;
        return n;
    }

    /// <summary>
    /// Sends datagrams <paramref name="start"/> onwards with one sendmmsg(2) on <paramref name="fd"/>;
    /// returns how many the kernel took (it stops at the first that fails), or the errno (negated)
    /// when it took none.
    /// </summary>
    internal int Send(int fd, int start)
    {
        int n = Tun.LibC.SendMmsg(fd, headers + start, (uint)(Count - start), 0);
        return n < 0 ? -Marshal.GetLastPInvokeError() : n;
    }

    /// <summary>True when datagram <paramref name="index"/> did not fit its slot (MSG_TRUNC): it is incomplete.</summary>
    public bool IsTruncated(int index) => (headers[index].Header.Flags & Tun.LibC.MsgTrunc) != 0;

    /// <summary>Copies datagram <paramref name="index"/>'s source into <paramref name="address"/> (a reused SocketAddress of the socket's family).</summary>
    public bool TryCopySource(int index, SocketAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int length = (int)headers[index].Header.NameLength;
        if (length <= 0 || length > address.Buffer.Length)
        {
            return false;
        }

        new ReadOnlySpan<byte>(names + (index * NameSize), length).CopyTo(address.Buffer.Span);
        address.Size = length;
        return true;
    }

    /// <summary>
    /// The destination address of datagram <paramref name="index"/> from its IP_PKTINFO
    /// (struct in_pktinfo, ip(7): ipi_addr is the header's destination) or IPV6_PKTINFO (struct
    /// in6_pktinfo, RFC 3542 §6.1) control message, written to <paramref name="address"/> (4 or 16
    /// octets); false when the datagram carried neither.
    /// </summary>
    public bool TryReadLocalAddress(int index, Span<byte> address, out int length, out int interfaceIndex)
    {
        length = 0;
        interfaceIndex = 0;
        var messages = new ReadOnlySpan<byte>(control + (index * ControlSize), (int)Math.Min(headers[index].Header.ControlLength, ControlSize));

        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then data, each message
        // aligned to sizeof(size_t) (CMSG_ALIGN, cmsg(3)).
        int offset = 0;
        while (offset + 16 <= messages.Length)
        {
            int messageLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(messages[offset..]);
            int level = BinaryPrimitives.ReadInt32LittleEndian(messages[(offset + 8)..]);
            int type = BinaryPrimitives.ReadInt32LittleEndian(messages[(offset + 12)..]);
            if (messageLength < 16 || offset + messageLength > messages.Length)
            {
                return false;
            }

            ReadOnlySpan<byte> data = messages.Slice(offset + 16, messageLength - 16);
            if (level == SolIp && type == IpPktInfo && data.Length >= 12)
            {
                // struct in_pktinfo { int ipi_ifindex; struct in_addr ipi_spec_dst; struct in_addr ipi_addr; }
                interfaceIndex = BinaryPrimitives.ReadInt32LittleEndian(data);
                data.Slice(8, 4).CopyTo(address);
                length = 4;
                return true;
            }

            if (level == SolIpv6 && type == Ipv6PktInfo && data.Length >= 20)
            {
                // struct in6_pktinfo { struct in6_addr ipi6_addr; int ipi6_ifindex; }
                data[..16].CopyTo(address);
                interfaceIndex = BinaryPrimitives.ReadInt32LittleEndian(data[16..]);
                length = 16;
                return true;
            }

            offset += (messageLength + 7) & ~7;
        }

        return false;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>A batch kept by a thread (thread-static) is never disposed: its native part goes when it is collected.</summary>
    ~DatagramBatch() => Free();

    private void Free()
    {
        NativeMemory.Free(headers);
        NativeMemory.Free(vectors);
        NativeMemory.Free(names);
        NativeMemory.Free(control);
        headers = null;
        vectors = null;
        names = null;
        control = null;
        Count = 0;
    }
}
