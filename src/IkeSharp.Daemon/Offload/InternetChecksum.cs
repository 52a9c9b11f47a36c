using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace IkeSharp.Daemon.Offload;

/// <summary>
/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
/// words. The sum does not depend on byte order (RFC 1071 §2(B)), so it is taken over 32-bit words
/// in the machine's order into a 64-bit accumulator and folded and byte-swapped once at the end.
/// </summary>
public static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> to a running sum (in network order once folded; odd lengths padded with a zero octet, RFC 1071 §4.1).</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(data);
        ulong s0 = 0;
        ulong s1 = 0;
        int i = 0;
        for (; i + 1 < words.Length; i += 2)
        {
            s0 += words[i];
            s1 += words[i + 1];
        }

        if (i < words.Length)
        {
            s0 += words[i];
        }

        ulong native = s0 + s1;
        int rest = words.Length * 4;
        if (rest + 1 < data.Length)
        {
            native += MemoryMarshal.Read<ushort>(data[rest..]);
            rest += 2;
        }

        if (rest < data.Length)
        {
            // The odd octet is the high half of a big-endian word padded with zero.
            native += BitConverter.IsLittleEndian ? data[rest] : (uint)data[rest] << 8;
        }

        ushort folded = Fold(native);
        return sum + (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded);
    }

    /// <summary>Folds a sum to 16 bits with end-around carry.</summary>
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>The checksum to store: the complement of the folded sum.</summary>
    public static ushort Finish(ulong sum) => (ushort)~Fold(sum);

    /// <summary>
    /// The TCP/UDP pseudo-header sum (RFC 9293 §3.1, RFC 768; RFC 8200 §8.1 for IPv6): source and
    /// destination address, protocol and upper-layer length.
    /// </summary>
    public static ulong PseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, int length) =>
        Add(Add(0, source), destination) + protocol + (uint)length;

    /// <summary>The IPv4 header checksum (RFC 791 §3.1) of <paramref name="header"/>, whose checksum field is taken as zero.</summary>
    public static ushort Ipv4Header(ReadOnlySpan<byte> header)
    {
        ulong sum = Add(0, header[..10]) + Add(0, header[12..]);
        return Finish(sum);
    }
}
