using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IkeSharp.Daemon.Offload;

/// <summary>
/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
/// words. The sum does not depend on byte order (RFC 1071 §2(B)), so it is taken over 32-bit words
/// in the machine's order into 64-bit accumulators (eight words a step where the CPU has 256-bit
/// vectors) and folded and byte-swapped once at the end.
/// </summary>
public static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> to a running sum (in network order once folded; odd lengths padded with a zero octet, RFC 1071 §4.1).</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        ulong native = 0;
        int done = 0;
        if (Vector256.IsHardwareAccelerated && data.Length >= 64)
        {
            // 32 octets a step: eight 32-bit words widened into 64-bit lanes, which cannot overflow
            // within a 64 KiB packet (2048 steps of less than 2^33 each).
            ref byte start = ref MemoryMarshal.GetReference(data);
            Vector256<ulong> low = Vector256<ulong>.Zero;
            Vector256<ulong> high = Vector256<ulong>.Zero;
            for (; done + 32 <= data.Length; done += 32)
            {
                (Vector256<ulong> a, Vector256<ulong> b) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)done).AsUInt32());
                low += a;
                high += b;
            }

            native = Vector256.Sum(low + high);
        }

        ReadOnlySpan<byte> tail = data[done..];
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(tail);
        foreach (uint word in words)
        {
            native += word;
        }

        int rest = words.Length * 4;
        if (rest + 1 < tail.Length)
        {
            native += MemoryMarshal.Read<ushort>(tail[rest..]);
            rest += 2;
        }

        if (rest < tail.Length)
        {
            // The odd octet is the high half of a big-endian word padded with zero.
            native += BitConverter.IsLittleEndian ? tail[rest] : (uint)tail[rest] << 8;
        }

        ushort folded = Fold(native);
        return sum + (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded);
    }

    /// <summary>
    /// Copies <paramref name="source"/> to the start of <paramref name="destination"/> (not
    /// overlapping) and adds it to a running sum as <see cref="Add"/> does, in one pass: segmenting
    /// reads each payload octet once for both.
    /// </summary>
    public static ulong CopyAndAdd(ulong sum, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"{source.Length} octets do not fit in {destination.Length}", nameof(destination));
        }

        if (!Vector256.IsHardwareAccelerated || source.Length < 64)
        {
            source.CopyTo(destination);
            return Add(sum, source);
        }

        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        Vector256<ulong> low = Vector256<ulong>.Zero;
        Vector256<ulong> high = Vector256<ulong>.Zero;
        int done = 0;
        for (; done + 32 <= source.Length; done += 32)
        {
            Vector256<byte> v = Vector256.LoadUnsafe(ref from, (nuint)done);
            v.StoreUnsafe(ref to, (nuint)done);
            (Vector256<ulong> a, Vector256<ulong> b) = Vector256.Widen(v.AsUInt32());
            low += a;
            high += b;
        }

        ulong native = Vector256.Sum(low + high);
        ushort folded = Fold(native);
        sum += BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;

        // The rest starts at a multiple of 32, so on a word boundary: its sum adds on.
        source[done..].CopyTo(destination[done..]);
        return Add(sum, source[done..]);
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
