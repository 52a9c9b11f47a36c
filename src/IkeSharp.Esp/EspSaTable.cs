using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace IkeSharp.Esp;

/// <summary>
/// The inbound part of the Security Association Database (RFC 4301 §4.4.2): inbound SAs by the
/// SPI this end chose (RFC 4303 §3.4.2; IkeSharp picks unique SPIs, so the SPI alone is the key).
/// Lookups are lock-free and O(1) from any thread; adds and removes may come from another.
/// </summary>
public sealed class EspSaTable
{
    private readonly ConcurrentDictionary<uint, EspInboundSa> bySpi = new();

    public int Count => bySpi.Count;

    /// <summary>False when the SPI is already taken.</summary>
    public bool TryAdd(EspInboundSa sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        return bySpi.TryAdd(sa.Spi, sa);
    }

    /// <summary>Removes the SA (the caller disposes it once no thread is opening packets with it).</summary>
    public bool TryRemove(uint spi, [MaybeNullWhen(false)] out EspInboundSa sa) => bySpi.TryRemove(spi, out sa);

    public bool TryGet(uint spi, [MaybeNullWhen(false)] out EspInboundSa sa) => bySpi.TryGetValue(spi, out sa);

    /// <summary>The SPI of an ESP packet (RFC 4303 §2.1); false when it has fewer than 4 octets.</summary>
    public static bool TryReadSpi(ReadOnlySpan<byte> espPacket, out uint spi) =>
        BinaryPrimitives.TryReadUInt32BigEndian(espPacket, out spi);

    /// <summary>Finds the SA by the packet's SPI and opens the packet with it (<see cref="EspInboundSa.Open"/>).</summary>
    public EspOpenResult Open(ReadOnlySpan<byte> espPacket, Span<byte> innerDestination)
    {
        if (!TryReadSpi(espPacket, out uint spi))
        {
            return EspOpenResult.Fail(EspOpenStatus.TooShort);
        }

        return bySpi.TryGetValue(spi, out EspInboundSa? sa)
            ? sa.Open(espPacket, innerDestination)
            : EspOpenResult.Fail(EspOpenStatus.UnknownSpi, spi);
    }
}
