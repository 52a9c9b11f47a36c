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
/// <remarks>
/// With segmentation on, consecutive datagrams to one destination whose sizes are equal (the last
/// may be shorter) share one slot and go out as one message with a UDP_SEGMENT control message
/// (UDP GSO, udp(7)): the kernel cuts it into the same datagrams on the wire, for one pass through
/// the stack instead of one per datagram. A port without GSO sends such a message as its datagrams,
/// one mmsghdr each.
/// </remarks>
public sealed unsafe class DatagramBatch : IDisposable
{
    /// <summary>sizeof(struct sockaddr_storage).</summary>
    private const int NameSize = 128;

    /// <summary>
    /// Control room per datagram: CMSG_SPACE(sizeof(struct in6_pktinfo)) is 16 + 24 = 40 octets
    /// (cmsg(3)); 64 leaves room should the kernel add another message we did not ask for.
    /// </summary>
    private const int ControlSize = 96;

    /// <summary>Datagrams in one UDP GSO message at most (UDP_MAX_SEGMENTS was 64 before Linux 6.9).</summary>
    public const int MaxSegments = 64;

    /// <summary>Octets in one UDP GSO message at most: an IPv4 datagram's 65535 less its headers, with room to spare.</summary>
    public const int MaxSegmentedBytes = 65000;

    private const int SolUdp = 17;
    private const int UdpSegment = 103;
    private const int UdpGro = 104;

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
    private readonly bool segmentation;
    private readonly int[] segmentSize;
    private readonly int[] segments;
    private readonly bool[] closed;
    private MMsgHdr* expanded;
    private IoVec* expandedVectors;
    private MMsgHdr* active;
    private int activeCount;
    private bool appending;

    public DatagramBatch(int capacity, int slotSize, bool segmentation = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 1);
        Capacity = capacity;
        SlotSize = slotSize;
        this.segmentation = segmentation;
        segmentSize = new int[capacity];
        segments = new int[capacity];
        closed = new bool[capacity];

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

        active = headers;
    }

    public int Capacity { get; }

    public int SlotSize { get; }

    /// <summary>Datagrams in the batch: received by the last <see cref="Receive"/>, or added for sending.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>The slot a datagram to send is written into before <see cref="Add"/>: the next free one.</summary>
    public Span<byte> NextSlot => payload.AsSpan(Count * SlotSize, SlotSize);

    /// <summary>Datagrams in message <paramref name="index"/>: more than one when they go out as one UDP GSO message.</summary>
    public int Segments(int index) => segments[index];

    /// <summary>
    /// Room for a datagram of <paramref name="length"/> octets to <paramref name="remote"/>, to be
    /// written and then kept with <see cref="Commit"/>: the end of the last message when the datagram
    /// can go out as one more segment of it, else the next slot; empty when the batch is full.
    /// </summary>
    public Span<byte> Reserve(int length, SocketAddress remote, bool segment = true)
    {
        ArgumentNullException.ThrowIfNull(remote);
        appending = false;
        if (segment && segmentation && Count > 0)
        {
            int last = Count - 1;
            int used = (int)headers[last].Length;
            if (!closed[last] && segments[last] < MaxSegments && length <= segmentSize[last] && used + length <= Math.Min(MaxSegmentedBytes, SlotSize)
                && headers[last].Header.NameLength == (uint)remote.Size && remote.Buffer.Span[..remote.Size].SequenceEqual(new ReadOnlySpan<byte>(names + (last * NameSize), remote.Size)))
            {
                appending = true;
                return payload.AsSpan((last * SlotSize) + used, length);
            }
        }

        return IsFull ? Span<byte>.Empty : NextSlot;
    }

    /// <summary>Keeps the datagram of <paramref name="length"/> octets written where <see cref="Reserve"/> said.</summary>
    public void Commit(int length, SocketAddress remote)
    {
        if (!appending)
        {
            Add(length, remote);
            return;
        }

        appending = false;
        int last = Count - 1;
        headers[last].Length += (uint)length;
        vectors[last].Length = headers[last].Length;
        segments[last]++;

        // Only the last segment may be shorter (udp(7), UDP_SEGMENT): a short one ends the message.
        closed[last] = length < segmentSize[last];
    }

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
        segmentSize[i] = length;
        segments[i] = 1;
        closed[i] = false;
        Count = i + 1;
    }

    public void Clear()
    {
        Count = 0;
        appending = false;
    }

    /// <summary>
    /// Lays out messages <paramref name="from"/> onwards for <see cref="Send"/>: with
    /// <paramref name="gso"/>, each message with several segments gets its UDP_SEGMENT control
    /// message (cmsg(3): struct cmsghdr, then the u16 segment size); without, every datagram gets its
    /// own mmsghdr. Returns the number of mmsghdrs to send.
    /// </summary>
    internal int PrepareSend(bool gso, int from = 0)
    {
        bool anySegmented = false;
        for (int i = from; i < Count; i++)
        {
            anySegmented |= segments[i] > 1;
        }

        if (gso || !anySegmented)
        {
            for (int i = from; i < Count; i++)
            {
                if (segments[i] > 1)
                {
                    byte* c = control + (i * ControlSize);
                    *(ulong*)c = 16 + 2;        // CMSG_LEN(sizeof(uint16_t))
                    *(int*)(c + 8) = SolUdp;
                    *(int*)(c + 12) = UdpSegment;
                    *(ushort*)(c + 16) = (ushort)segmentSize[i];
                    headers[i].Header.Control = c;
                    headers[i].Header.ControlLength = 24;   // CMSG_SPACE(sizeof(uint16_t))
                }
                else
                {
                    headers[i].Header.Control = null;
                    headers[i].Header.ControlLength = 0;
                }
            }

            active = headers + from;
            activeCount = Count - from;
            return activeCount;
        }

        if (expanded is null)
        {
            expanded = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * MaxSegments * sizeof(MMsgHdr)));
            expandedVectors = (IoVec*)NativeMemory.AllocZeroed((nuint)(Capacity * MaxSegments * sizeof(IoVec)));
        }

        int n = 0;
        for (int i = from; i < Count; i++)
        {
            int total = (int)headers[i].Length;
            for (int offset = 0; offset < total; offset += segmentSize[i])
            {
                int length = Math.Min(segmentSize[i], total - offset);
                expandedVectors[n].Base = vectors[i].Base + offset;
                expandedVectors[n].Length = (nuint)length;
                expanded[n].Header = headers[i].Header;
                expanded[n].Header.Iov = expandedVectors + n;
                expanded[n].Header.Control = null;
                expanded[n].Header.ControlLength = 0;
                expanded[n].Length = (uint)length;
                n++;
            }
        }

        active = expanded;
        activeCount = n;
        return n;
    }


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
    /// Sends the mmsghdrs of the last <see cref="PrepareSend"/> from <paramref name="start"/> on with one sendmmsg(2) on <paramref name="fd"/>;
    /// returns how many the kernel took (it stops at the first that fails), or the errno (negated)
    /// when it took none.
    /// </summary>
    internal int Send(int fd, int start, int count)
    {
        int n = Tun.LibC.SendMmsg(fd, active + start, (uint)(Math.Min(count, activeCount) - start), 0);
        return n < 0 ? -Marshal.GetLastPInvokeError() : n;
    }

    /// <summary>
    /// The size of the datagrams that UDP GRO (udp(7), UDP_GRO) joined into received datagram
    /// <paramref name="index"/>, from its UDP_GRO control message; 0 when it is one datagram.
    /// </summary>
    public int GroSegmentSize(int index)
    {
        var messages = new ReadOnlySpan<byte>(control + (index * ControlSize), (int)Math.Min(headers[index].Header.ControlLength, ControlSize));
        int offset = 0;
        while (offset + 16 <= messages.Length)
        {
            int messageLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(messages[offset..]);
            if (messageLength < 16 || offset + messageLength > messages.Length)
            {
                return 0;
            }

            if (BinaryPrimitives.ReadInt32LittleEndian(messages[(offset + 8)..]) == SolUdp && BinaryPrimitives.ReadInt32LittleEndian(messages[(offset + 12)..]) == UdpGro
                && messageLength >= 20)
            {
                return Math.Max(BinaryPrimitives.ReadInt32LittleEndian(messages[(offset + 16)..]), 0);
            }

            offset += (messageLength + 7) & ~7;
        }

        return 0;
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
        NativeMemory.Free(expanded);
        NativeMemory.Free(expandedVectors);
        expanded = null;
        expandedVectors = null;
        active = null;
        activeCount = 0;
        headers = null;
        vectors = null;
        names = null;
        control = null;
        Count = 0;
    }
}
