using System.Buffers.Binary;

namespace IkeSharp.Cli.Capture;

/// <summary>
/// Link-layer header types as registered for pcap and pcapng
/// (draft-ietf-opsawg-pcaplinktype). Values outside this list are carried through
/// unchanged and reported as unsupported by <see cref="PacketDissector"/>.
/// </summary>
public enum LinkType
{
    /// <summary>BSD loopback: 4-byte address family in the capturing host's byte order.</summary>
    Null = 0,
    /// <summary>Ethernet II, possibly with 802.1Q / 802.1ad tags.</summary>
    Ethernet = 1,
    /// <summary>
    /// Raw IP under the BSD DLT_RAW value, found in files written without libpcap's
    /// DLT→LINKTYPE mapping; Wireshark reads 12 and 14 (OpenBSD's DLT_RAW) as raw IP.
    /// </summary>
    RawBsd = 12,
    /// <summary>OpenBSD's DLT_RAW value; see <see cref="RawBsd"/>.</summary>
    RawOpenBsd = 14,
    /// <summary>Raw IPv4 or IPv6, version taken from the first nibble.</summary>
    Raw = 101,
    /// <summary>Linux "cooked" capture, 16-byte header.</summary>
    LinuxSll = 113,
    /// <summary>Raw IPv4 only.</summary>
    Ipv4 = 228,
    /// <summary>Raw IPv6 only.</summary>
    Ipv6 = 229,
    /// <summary>Linux "cooked" capture v2, 20-byte header.</summary>
    LinuxSll2 = 276,
}

public enum CaptureFormat
{
    Unknown,
    Pcap,
    PcapNg,
}

/// <summary>One captured packet. <see cref="Data"/> is a slice of the file, not a copy.</summary>
/// <param name="Number">1-based, counting every packet in the file, as Wireshark numbers frames.</param>
/// <param name="Timestamp">Null for pcapng Simple Packet Blocks (they carry none) or unrepresentable values.</param>
public sealed record CaptureFrame(int Number, DateTimeOffset? Timestamp, LinkType LinkType, ReadOnlyMemory<byte> Data);

/// <summary>
/// The frames read from a capture. When <see cref="Error"/> is set, reading stopped there
/// and <see cref="Frames"/> holds everything that was read before the problem.
/// </summary>
public sealed record CaptureReadResult(CaptureFormat Format, IReadOnlyList<CaptureFrame> Frames, string? Error);

/// <summary>
/// Reads classic pcap (draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng) files
/// held in memory. Never throws on malformed input and never sizes an allocation from a
/// length field: every length is checked against the bytes actually remaining and frame
/// data is sliced, not copied.
/// </summary>
public static class CaptureReader
{
    // pcap §4: the magic number also encodes the writer's byte order and timestamp unit.
    private const uint PcapMagicMicroseconds = 0xA1B2C3D4;
    private const uint PcapMagicNanoseconds = 0xA1B23C4D;
    private const int PcapFileHeaderLength = 24;
    private const int PcapRecordHeaderLength = 16;

    // pcapng §4.1: Section Header Block type is a palindrome so it reads the same in both
    // byte orders; the byte-order magic inside it tells which one the section uses.
    private const uint PcapNgSectionHeader = 0x0A0D0D0A;
    private const uint PcapNgByteOrderMagic = 0x1A2B3C4D;
    private const uint PcapNgInterfaceDescription = 0x00000001;
    private const uint PcapNgObsoletePacket = 0x00000002;
    private const uint PcapNgSimplePacket = 0x00000003;
    private const uint PcapNgEnhancedPacket = 0x00000006;
    private const int PcapNgMinimumBlockLength = 12;
    private const int PcapNgMinimumSectionHeaderLength = 28;

    // pcapng §4.2 interface options.
    private const ushort OptionEndOfOptions = 0;
    private const ushort OptionIfTsResol = 9;
    private const ushort OptionIfTsOffset = 14;

    // DateTimeOffset.MaxValue as Unix seconds; anything beyond becomes a null timestamp.
    private const long MaxUnixSeconds = 253_402_300_799;

    public static CaptureReadResult Read(ReadOnlyMemory<byte> file)
    {
        ReadOnlySpan<byte> span = file.Span;
        if (span.Length < 4)
        {
            return new CaptureReadResult(CaptureFormat.Unknown, [], $"file is {span.Length} bytes, too short to identify");
        }

        uint magicLittle = BinaryPrimitives.ReadUInt32LittleEndian(span);
        uint magicBig = BinaryPrimitives.ReadUInt32BigEndian(span);
        if (magicLittle == PcapNgSectionHeader)
        {
            return ReadPcapNg(file);
        }

        if (magicLittle is PcapMagicMicroseconds or PcapMagicNanoseconds
            || magicBig is PcapMagicMicroseconds or PcapMagicNanoseconds)
        {
            return ReadPcap(file);
        }

        return new CaptureReadResult(CaptureFormat.Unknown, [], $"unrecognised magic 0x{magicBig:x8} at offset 0 (neither pcap nor pcapng)");
    }

    private static CaptureReadResult ReadPcap(ReadOnlyMemory<byte> file)
    {
        ReadOnlySpan<byte> span = file.Span;
        var frames = new List<CaptureFrame>();
        if (span.Length < PcapFileHeaderLength)
        {
            return new CaptureReadResult(CaptureFormat.Pcap, frames, $"pcap file header at offset 0 needs {PcapFileHeaderLength} bytes but only {span.Length} remain");
        }

        bool bigEndian = BinaryPrimitives.ReadUInt32BigEndian(span) is PcapMagicMicroseconds or PcapMagicNanoseconds;
        uint magic = ReadUInt32(span, bigEndian);
        // pcap §4: 1 / 1e6 or 1 / 1e9 of a second in the sub-second field.
        ulong unitsPerSecond = magic == PcapMagicNanoseconds ? 1_000_000_000UL : 1_000_000UL;
        // pcap §4: the LinkType field carries FCS information in its top bits; the link
        // type proper is the low 16 bits (libpcap's LT_LINKTYPE).
        var linkType = (LinkType)(ReadUInt32(span[20..], bigEndian) & 0xFFFF);

        int offset = PcapFileHeaderLength;
        while (offset < span.Length)
        {
            int remaining = span.Length - offset;
            if (remaining < PcapRecordHeaderLength)
            {
                return new CaptureReadResult(CaptureFormat.Pcap, frames, $"pcap record header at offset {offset} needs {PcapRecordHeaderLength} bytes but only {remaining} remain");
            }

            ReadOnlySpan<byte> header = span.Slice(offset, PcapRecordHeaderLength);
            uint seconds = ReadUInt32(header, bigEndian);
            uint fraction = ReadUInt32(header[4..], bigEndian);
            uint capturedLength = ReadUInt32(header[8..], bigEndian);
            int available = remaining - PcapRecordHeaderLength;
            if (capturedLength > (uint)available)
            {
                return new CaptureReadResult(CaptureFormat.Pcap, frames, $"pcap record at offset {offset} claims {capturedLength} captured bytes but only {available} remain");
            }

            DateTimeOffset? timestamp = fraction < unitsPerSecond ? ToTimestamp(seconds, fraction, unitsPerSecond, 0) : null;
            frames.Add(new CaptureFrame(frames.Count + 1, timestamp, linkType, file.Slice(offset + PcapRecordHeaderLength, (int)capturedLength)));
            offset += PcapRecordHeaderLength + (int)capturedLength;
        }

        return new CaptureReadResult(CaptureFormat.Pcap, frames, null);
    }

    /// <summary>What a pcapng Interface Description Block contributes to later packet blocks.</summary>
    private readonly record struct PcapNgInterface(LinkType LinkType, uint SnapLength, ulong UnitsPerSecond, long OffsetSeconds);

    private static CaptureReadResult ReadPcapNg(ReadOnlyMemory<byte> file)
    {
        ReadOnlySpan<byte> span = file.Span;
        var frames = new List<CaptureFrame>();
        // pcapng §4.2: interfaces are numbered per section, from 0, in IDB order.
        var interfaces = new List<PcapNgInterface>();
        bool bigEndian = false;
        int offset = 0;
        while (offset < span.Length)
        {
            int remaining = span.Length - offset;
            if (remaining < PcapNgMinimumBlockLength)
            {
                return Fail($"pcapng block header at offset {offset} needs {PcapNgMinimumBlockLength} bytes but only {remaining} remain");
            }

            ReadOnlySpan<byte> rest = span[offset..];
            uint blockType = ReadUInt32(rest, bigEndian);
            if (blockType == PcapNgSectionHeader)
            {
                // Magic(4) Major(2) Minor(2) SectionLength(8) after the 8-byte block header.
                if (remaining < PcapNgMinimumSectionHeaderLength)
                {
                    return Fail($"pcapng section header at offset {offset} needs {PcapNgMinimumSectionHeaderLength} bytes but only {remaining} remain");
                }

                // pcapng §4.1: a new section may switch byte order and resets the interface list.
                uint byteOrder = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
                if (byteOrder == PcapNgByteOrderMagic)
                {
                    bigEndian = false;
                }
                else if (byteOrder == BinaryPrimitives.ReverseEndianness(PcapNgByteOrderMagic))
                {
                    bigEndian = true;
                }
                else
                {
                    return Fail($"pcapng section header at offset {offset} has bad byte-order magic 0x{byteOrder:x8}");
                }

                interfaces.Clear();
            }

            // pcapng §3.1: Block Total Length covers type, both length fields and the body,
            // and is a multiple of 4; the same value is repeated at the end of the block.
            uint blockLength = ReadUInt32(rest[4..], bigEndian);
            if (blockLength > (uint)remaining)
            {
                return Fail($"pcapng block at offset {offset} claims length {blockLength} but only {remaining} bytes remain");
            }

            int minimumLength = blockType == PcapNgSectionHeader ? PcapNgMinimumSectionHeaderLength : PcapNgMinimumBlockLength;
            if (blockLength < minimumLength || blockLength % 4 != 0)
            {
                return Fail($"pcapng block at offset {offset} has invalid length {blockLength}");
            }

            ReadOnlySpan<byte> block = rest[..(int)blockLength];
            uint trailingLength = ReadUInt32(block[^4..], bigEndian);
            if (trailingLength != blockLength)
            {
                return Fail($"pcapng block at offset {offset} has length {blockLength} but trailing length {trailingLength}");
            }

            int bodyOffset = offset + 8;
            ReadOnlySpan<byte> body = block[8..^4];
            string? error = blockType switch
            {
                PcapNgInterfaceDescription => ReadInterface(body, bigEndian, offset, interfaces),
                PcapNgEnhancedPacket => ReadEnhancedPacket(file, body, bodyOffset, bigEndian, offset, interfaces, frames),
                PcapNgSimplePacket => ReadSimplePacket(file, body, bodyOffset, bigEndian, offset, interfaces, frames),
                PcapNgObsoletePacket => ReadObsoletePacket(file, body, bodyOffset, bigEndian, offset, interfaces, frames),
                // pcapng §3.1: readers skip block types they do not understand
                // (section header itself, statistics, name resolution, custom, ...).
                _ => null,
            };
            if (error is not null)
            {
                return Fail(error);
            }

            offset += (int)blockLength;
        }

        return new CaptureReadResult(CaptureFormat.PcapNg, frames, null);

        CaptureReadResult Fail(string message) => new(CaptureFormat.PcapNg, frames, message);
    }

    // pcapng §4.2 Interface Description Block: LinkType(2) Reserved(2) SnapLen(4) Options.
    private static string? ReadInterface(ReadOnlySpan<byte> body, bool bigEndian, int blockOffset, List<PcapNgInterface> interfaces)
    {
        if (body.Length < 8)
        {
            return $"pcapng interface description block at offset {blockOffset} is too short ({body.Length} body bytes)";
        }

        var linkType = (LinkType)ReadUInt16(body, bigEndian);
        uint snapLength = ReadUInt32(body[4..], bigEndian);
        ulong unitsPerSecond = 1_000_000; // §4.2 if_tsresol default: microseconds.
        long offsetSeconds = 0;

        // pcapng §3.5 options: Code(2) Length(2) Value padded to 32 bits. A malformed option
        // list only loses the options, not the interface, as Wireshark also tolerates.
        ReadOnlySpan<byte> options = body[8..];
        while (options.Length >= 4)
        {
            ushort code = ReadUInt16(options, bigEndian);
            ushort length = ReadUInt16(options[2..], bigEndian);
            if (code == OptionEndOfOptions || length > options.Length - 4)
            {
                break;
            }

            ReadOnlySpan<byte> value = options.Slice(4, length);
            if (code == OptionIfTsResol && length == 1)
            {
                unitsPerSecond = UnitsPerSecond(value[0]);
            }
            else if (code == OptionIfTsOffset && length == 8)
            {
                offsetSeconds = bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
            }

            int padded = 4 + ((length + 3) & ~3);
            options = padded >= options.Length ? [] : options[padded..];
        }

        interfaces.Add(new PcapNgInterface(linkType, snapLength, unitsPerSecond, offsetSeconds));
        return null;
    }

    // pcapng §4.3 Enhanced Packet Block: InterfaceID(4) TsHigh(4) TsLow(4) CapLen(4) OrigLen(4) Data Options.
    private static string? ReadEnhancedPacket(ReadOnlyMemory<byte> file, ReadOnlySpan<byte> body, int bodyOffset, bool bigEndian, int blockOffset, List<PcapNgInterface> interfaces, List<CaptureFrame> frames)
    {
        if (body.Length < 20)
        {
            return $"pcapng enhanced packet block at offset {blockOffset} is too short ({body.Length} body bytes)";
        }

        uint interfaceId = ReadUInt32(body, bigEndian);
        ulong ticks = ((ulong)ReadUInt32(body[4..], bigEndian) << 32) | ReadUInt32(body[8..], bigEndian);
        uint capturedLength = ReadUInt32(body[12..], bigEndian);
        return AddPacket(file, body.Length - 20, bodyOffset + 20, blockOffset, "enhanced packet", interfaceId, ticks, hasTimestamp: true, capturedLength, interfaces, frames);
    }

    // pcapng §4.4 Simple Packet Block: OrigLen(4) Data. Always interface 0, no timestamp, and the
    // captured length is implied: min(OrigLen, SnapLen, what the block holds).
    private static string? ReadSimplePacket(ReadOnlyMemory<byte> file, ReadOnlySpan<byte> body, int bodyOffset, bool bigEndian, int blockOffset, List<PcapNgInterface> interfaces, List<CaptureFrame> frames)
    {
        if (body.Length < 4)
        {
            return $"pcapng simple packet block at offset {blockOffset} is too short ({body.Length} body bytes)";
        }

        if (interfaces.Count == 0)
        {
            return $"pcapng simple packet block at offset {blockOffset} precedes any interface description block";
        }

        uint originalLength = ReadUInt32(body, bigEndian);
        uint snapLength = interfaces[0].SnapLength;
        uint capturedLength = Math.Min(originalLength, (uint)(body.Length - 4));
        if (snapLength != 0)
        {
            capturedLength = Math.Min(capturedLength, snapLength);
        }

        return AddPacket(file, body.Length - 4, bodyOffset + 4, blockOffset, "simple packet", 0, 0, hasTimestamp: false, capturedLength, interfaces, frames);
    }

    // pcapng Appendix (obsolete Packet Block, type 2): InterfaceID(2) Drops(2) TsHigh(4) TsLow(4)
    // CapLen(4) OrigLen(4) Data Options. Old writers still produce it; Wireshark numbers it as a frame.
    private static string? ReadObsoletePacket(ReadOnlyMemory<byte> file, ReadOnlySpan<byte> body, int bodyOffset, bool bigEndian, int blockOffset, List<PcapNgInterface> interfaces, List<CaptureFrame> frames)
    {
        if (body.Length < 20)
        {
            return $"pcapng packet block at offset {blockOffset} is too short ({body.Length} body bytes)";
        }

        uint interfaceId = ReadUInt16(body, bigEndian);
        ulong ticks = ((ulong)ReadUInt32(body[4..], bigEndian) << 32) | ReadUInt32(body[8..], bigEndian);
        uint capturedLength = ReadUInt32(body[12..], bigEndian);
        return AddPacket(file, body.Length - 20, bodyOffset + 20, blockOffset, "packet", interfaceId, ticks, hasTimestamp: true, capturedLength, interfaces, frames);
    }

    private static string? AddPacket(ReadOnlyMemory<byte> file, int available, int dataOffset, int blockOffset, string blockName, uint interfaceId, ulong ticks, bool hasTimestamp, uint capturedLength, List<PcapNgInterface> interfaces, List<CaptureFrame> frames)
    {
        if (interfaceId >= (uint)interfaces.Count)
        {
            return $"pcapng {blockName} block at offset {blockOffset} refers to interface {interfaceId} but the section defines {interfaces.Count}";
        }

        if (capturedLength > (uint)available)
        {
            return $"pcapng {blockName} block at offset {blockOffset} claims {capturedLength} captured bytes but the block holds {available}";
        }

        PcapNgInterface iface = interfaces[(int)interfaceId];
        DateTimeOffset? timestamp = null;
        if (hasTimestamp && iface.UnitsPerSecond != 0)
        {
            ulong wholeSeconds = ticks / iface.UnitsPerSecond;
            timestamp = wholeSeconds <= MaxUnixSeconds
                ? ToTimestamp(wholeSeconds, ticks % iface.UnitsPerSecond, iface.UnitsPerSecond, iface.OffsetSeconds)
                : null;
        }

        frames.Add(new CaptureFrame(frames.Count + 1, timestamp, iface.LinkType, file.Slice(dataOffset, (int)capturedLength)));
        return null;
    }

    // pcapng §4.2 if_tsresol: top bit clear → 10^-n seconds, set → 2^-n seconds.
    // Resolutions finer than a ulong can count return 0, meaning "timestamps unusable".
    private static ulong UnitsPerSecond(byte tsresol)
    {
        int exponent = tsresol & 0x7F;
        if ((tsresol & 0x80) != 0)
        {
            return exponent <= 63 ? 1UL << exponent : 0;
        }

        if (exponent > 19)
        {
            return 0;
        }

        ulong units = 1;
        for (int i = 0; i < exponent; i++)
        {
            units *= 10;
        }

        return units;
    }

    private static DateTimeOffset? ToTimestamp(ulong seconds, ulong fraction, ulong unitsPerSecond, long offsetSeconds)
    {
        // if_tsoffset is an arbitrary 64-bit value; bound it before adding so the sum cannot wrap.
        if (offsetSeconds is < -MaxUnixSeconds or > MaxUnixSeconds)
        {
            return null;
        }

        long totalSeconds = (long)seconds + offsetSeconds;
        if (totalSeconds is < 0 or > MaxUnixSeconds)
        {
            return null;
        }

        // DateTimeOffset resolves 100 ns; finer units are truncated. UInt128 keeps the
        // multiplication exact even for 2^-63 resolutions.
        long subTicks = (long)((UInt128)fraction * TimeSpan.TicksPerSecond / unitsPerSecond);
        long ticks = DateTimeOffset.UnixEpoch.Ticks + (totalSeconds * TimeSpan.TicksPerSecond) + subTicks;
        return ticks <= DateTimeOffset.MaxValue.Ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private static ushort ReadUInt16(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
}
