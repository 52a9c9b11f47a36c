using System.Buffers.Binary;

namespace IkeSharp.Daemon.Offload;

/// <summary>
/// struct virtio_net_hdr (linux/virtio_net.h, virtio 1.2 §5.1.6), the 10 octets an IFF_VNET_HDR TUN
/// device puts before every packet it reads and expects before every packet written to it: whether
/// the transport checksum is still to be completed (NEEDS_CSUM, from <see cref="ChecksumStart"/>
/// on, stored at <see cref="ChecksumOffset"/> past it), and whether the packet is a segmentation
/// super-packet (<see cref="GsoType"/>) to be cut into <see cref="GsoSize"/>-octet segments. The
/// fields are in the host's byte order for a legacy (non-virtio-1) header, little-endian on the
/// machines .NET runs Linux on.
/// </summary>
/// <remarks>
/// <code>
///  u8 flags | u8 gso_type | le16 hdr_len | le16 gso_size | le16 csum_start | le16 csum_offset
/// </code>
/// </remarks>
public readonly record struct VirtioNetHeader(byte Flags, byte GsoType, ushort HeaderLength, ushort GsoSize, ushort ChecksumStart, ushort ChecksumOffset)
{
    public const int Size = 10;

    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset holds only the pseudo-header sum.</summary>
    public const byte NeedsChecksum = 1;

    /// <summary>VIRTIO_NET_HDR_F_DATA_VALID: the checksum was verified.</summary>
    public const byte DataValid = 2;

    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;

    /// <summary>VIRTIO_NET_HDR_GSO_UDP_L4: UDP segmentation offload (USO, Linux 6.2).</summary>
    public const byte GsoUdpL4 = 5;

    /// <summary>VIRTIO_NET_HDR_GSO_ECN: the super-packet has CWR set (only with TUN_F_TSO_ECN, which we do not ask for).</summary>
    public const byte GsoEcn = 0x80;

    /// <summary>A header that asks for nothing: a complete packet.</summary>
    public static VirtioNetHeader None => default;

    /// <summary>The segmentation type without the ECN bit.</summary>
    public byte Gso => (byte)(GsoType & ~GsoEcn);

    public static VirtioNetHeader Read(ReadOnlySpan<byte> source) => new(
        source[0],
        source[1],
        BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        destination[0] = Flags;
        destination[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], ChecksumOffset);
    }
}
