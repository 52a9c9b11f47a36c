using System.Buffers.Binary;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Which datagrams may take the engine's last free mailbox slots. Under a flood of IKE_SA_INIT
/// requests from spoofed addresses (RFC 7296 §2.6), the requests that open nothing yet - a fresh
/// IKE_SA_INIT without a COOKIE - are the only ones an attacker can send without a return path.
/// They may fill only part of the mailbox, so a legitimate initiator's COOKIE-bearing retry, its
/// IKE_AUTH and every message of an established IKE SA still get in behind them.
/// </summary>
public static class HalfOpenAdmission
{
    // RFC 7296 §3.1: IKE SA Responder's SPI at octet 8, Next Payload at 16, Exchange Type at 18,
    // Flags at 19; the first payload at 28. §3.10: a Notify's Protocol ID, SPI Size and Notify
    // Message Type follow the generic payload header, so the type sits at octets 34-35 (SPI size 0).
    private const int ResponderSpiOffset = 8;
    private const int NextPayloadOffset = 16;
    private const int ExchangeTypeOffset = 18;
    private const int FlagsOffset = 19;
    private const int FirstNotifyTypeOffset = 34;

    /// <summary>
    /// True for an IKE_SA_INIT request with a zero Responder's SPI whose first payload is not
    /// N(COOKIE) (§2.6: the COOKIE notify must be the first payload of the retried request).
    /// Only the fixed header is read; anything too short to tell is not fresh here (the engine
    /// drops it as malformed, as before).
    /// </summary>
    public static bool IsFreshIkeSaInit(ReadOnlySpan<byte> ike)
    {
        if (ike.Length < IkeHeader.EncodedLength
            || ike[ExchangeTypeOffset] != (byte)ExchangeType.IkeSaInit
            || (ike[FlagsOffset] & (byte)IkeFlags.Response) != 0
            || BinaryPrimitives.ReadUInt64BigEndian(ike[ResponderSpiOffset..]) != 0)
        {
            return false;
        }

        bool cookieFirst = ike[NextPayloadOffset] == (byte)PayloadType.Notify
            && ike.Length >= FirstNotifyTypeOffset + 2
            && BinaryPrimitives.ReadUInt16BigEndian(ike[FirstNotifyTypeOffset..]) == (ushort)NotifyType.Cookie;
        return !cookieFirst;
    }
}
