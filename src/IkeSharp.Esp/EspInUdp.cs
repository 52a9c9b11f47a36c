using System.Buffers.Binary;

namespace IkeSharp.Esp;

/// <summary>What a UDP datagram on port 4500 carries (RFC 3948 §2, RFC 7296 §2.23).</summary>
public enum UdpEncapsulatedKind
{
    /// <summary>An ESP packet: the first four octets are a non-zero SPI (RFC 3948 §2.1).</summary>
    Esp,

    /// <summary>An IKE message after the 4-octet non-ESP marker of zeroes (RFC 3948 §2.2).</summary>
    Ike,

    /// <summary>A NAT-keepalive: one octet, 0xFF (RFC 3948 §2.3); the receiver ignores it.</summary>
    NatKeepalive,

    /// <summary>None of these (too short to hold an SPI and sequence number, or an empty IKE message); drop it.</summary>
    Invalid,
}

/// <summary>
/// UDP encapsulation of ESP (RFC 3948): telling ESP from IKE and keepalives on port 4500, and
/// the octets IkeSharp sends there besides ESP.
/// </summary>
public static class EspInUdp
{
    /// <summary>The NAT-T port (RFC 3948 §1, RFC 7296 §2.23).</summary>
    public const int Port = 4500;

    /// <summary>The UDP header, for MTU arithmetic.</summary>
    public const int UdpHeaderLength = 8;

    /// <summary>Four zero octets where an SPI would be: an SPI of 0 is never used by ESP (RFC 4303 §2.1).</summary>
    public const int NonEspMarkerLength = 4;

    /// <summary>The one octet of a NAT-keepalive (RFC 3948 §2.3).</summary>
    public const byte NatKeepaliveOctet = 0xFF;

    /// <summary>Classifies a UDP payload received on port 4500 (RFC 3948 §2.1-§2.3, §3).</summary>
    public static UdpEncapsulatedKind Classify(ReadOnlySpan<byte> udpPayload)
    {
        if (udpPayload.Length == 1 && udpPayload[0] == NatKeepaliveOctet)
        {
            return UdpEncapsulatedKind.NatKeepalive;
        }

        if (udpPayload.Length < NonEspMarkerLength)
        {
            return UdpEncapsulatedKind.Invalid;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(udpPayload) == 0)
        {
            return udpPayload.Length > NonEspMarkerLength ? UdpEncapsulatedKind.Ike : UdpEncapsulatedKind.Invalid;
        }

        // SPI and Sequence Number at least (RFC 4303 §2).
        return udpPayload.Length >= 8 ? UdpEncapsulatedKind.Esp : UdpEncapsulatedKind.Invalid;
    }

    /// <summary>The IKE message after the non-ESP marker; false when the payload is not one.</summary>
    public static bool TryGetIkeMessage(ReadOnlySpan<byte> udpPayload, out ReadOnlySpan<byte> ikeMessage)
    {
        if (Classify(udpPayload) != UdpEncapsulatedKind.Ike)
        {
            ikeMessage = default;
            return false;
        }

        ikeMessage = udpPayload.Slice(NonEspMarkerLength);
        return true;
    }

    /// <summary>Writes the non-ESP marker before an IKE message sent to port 4500; returns 4.</summary>
    public static int WriteNonEspMarker(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        return NonEspMarkerLength;
    }

    /// <summary>Writes a NAT-keepalive (RFC 3948 §2.3): the single octet 0xFF. Returns 1.</summary>
    public static int WriteNatKeepalive(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 1, nameof(destination));
        destination[0] = NatKeepaliveOctet;
        return 1;
    }
}
