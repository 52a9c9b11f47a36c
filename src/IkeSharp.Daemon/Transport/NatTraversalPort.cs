namespace IkeSharp.Daemon.Transport;

/// <summary>
/// What arrived on UDP 4500 (RFC 3948 §2): an IKE message behind the four-octet non-ESP marker,
/// a NAT-keepalive (one 0xFF octet, §2.3), or an ESP packet (a non-zero SPI first).
/// </summary>
public enum Port4500Kind
{
    Ike,
    Esp,
    Keepalive,
    Malformed,
}

public static class NatTraversalPort
{
    /// <summary>RFC 3948 §2.2: four zero octets where ESP would have its SPI.</summary>
    public const int NonEspMarkerLength = 4;

    public static Port4500Kind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length == 1 && datagram[0] == 0xFF)
        {
            return Port4500Kind.Keepalive;
        }

        if (datagram.Length < NonEspMarkerLength)
        {
            return Port4500Kind.Malformed;
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(datagram) == 0 ? Port4500Kind.Ike : Port4500Kind.Esp;
    }
}
