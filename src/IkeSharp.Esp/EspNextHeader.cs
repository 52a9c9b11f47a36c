namespace IkeSharp.Esp;

/// <summary>
/// Values of the ESP trailer's Next Header field (RFC 4303 §2.7): an IP protocol number. Tunnel
/// mode carries a whole IP packet (4 or 41); transport mode carries the upper-layer protocol
/// (6 for TCP, 17 for UDP, ...). 59 marks a dummy packet that the receiver discards (RFC 4303 §2.6).
/// </summary>
public static class EspNextHeader
{
    /// <summary>IPv4 in IP, for tunnel mode.</summary>
    public const byte IPv4 = 4;

    public const byte Tcp = 6;

    public const byte Udp = 17;

    /// <summary>IPv6 in IP, for tunnel mode.</summary>
    public const byte IPv6 = 41;

    public const byte Icmp = 1;

    /// <summary>"No Next Header": a dummy packet for traffic flow confidentiality (RFC 4303 §2.6).</summary>
    public const byte NoNextHeader = 59;
}
