using System.Buffers.Binary;

namespace IkeSharp.Wire;

/// <summary>
/// The IKE header (RFC 7296 §3.1).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       IKE SA Initiator's SPI                  |
/// |                                                               |
/// |                       IKE SA Responder's SPI                  |
/// |                                                               |
/// |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
/// |                          Message ID                           |
/// |                            Length                             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly record struct IkeHeader(
    ulong InitiatorSpi,
    ulong ResponderSpi,
    PayloadType NextPayload,
    byte Version,
    ExchangeType ExchangeType,
    IkeFlags Flags,
    uint MessageId,
    uint Length)
{
    public const int EncodedLength = 28;

    /// <summary>MjVer 2, MnVer 0: the version this codec speaks.</summary>
    public const byte Version2 = 0x20;

    public int MajorVersion => Version >> 4;

    public int MinorVersion => Version & 0x0f;

    public bool IsResponse => (Flags & IkeFlags.Response) != 0;

    public bool IsFromOriginalInitiator => (Flags & IkeFlags.Initiator) != 0;

    /// <summary>
    /// Reads the 28 header octets without judging them, e.g. to find the IKE SA by SPI, or to
    /// answer INVALID_MAJOR_VERSION to a message this codec cannot decode. False when too short.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out IkeHeader header)
    {
        if (datagram.Length < EncodedLength)
        {
            header = default;
            return false;
        }

        header = new IkeHeader(
            BinaryPrimitives.ReadUInt64BigEndian(datagram),
            BinaryPrimitives.ReadUInt64BigEndian(datagram.Slice(8)),
            (PayloadType)datagram[16],
            datagram[17],
            (ExchangeType)datagram[18],
            (IkeFlags)datagram[19],
            BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(20)),
            BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(24)));
        return true;
    }

    /// <summary>Reads and checks the header against the datagram that carries it.</summary>
    public static DecodeResult<IkeHeader> Decode(ReadOnlySpan<byte> datagram)
    {
        if (!TryRead(datagram, out IkeHeader header))
        {
            return new DecodeError(DecodeErrorCode.Truncated, $"an IKE header is {EncodedLength} octets, the datagram has {datagram.Length}", 0);
        }

        // RFC 7296 §3.1: a message with a higher major version is answered with INVALID_MAJOR_VERSION.
        if (header.MajorVersion != 2)
        {
            return new DecodeError(DecodeErrorCode.UnsupportedMajorVersion, $"major version {header.MajorVersion}, this implementation speaks 2", 17);
        }

        if (header.Length != (uint)datagram.Length)
        {
            return new DecodeError(DecodeErrorCode.BadLength, $"header Length is {header.Length} but the datagram has {datagram.Length} octets", 24);
        }

        return DecodeResult<IkeHeader>.Success(header);
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, InitiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(8), ResponderSpi);
        destination[16] = (byte)NextPayload;
        destination[17] = Version;
        destination[18] = (byte)ExchangeType;
        destination[19] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(20), MessageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(24), Length);
    }
}
