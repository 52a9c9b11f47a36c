using System.Buffers.Binary;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// One payload of an IKE message. Every payload starts with the generic payload header
/// (RFC 7296 §3.2):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +---------------+-+-------------+-------------------------------+
/// </code>
/// The Next Payload field is not stored: it is the type of the following payload in the chain
/// (the Encrypted and Encrypted Fragment payloads store theirs, since it names their inner chain).
/// </summary>
public abstract record Payload
{
    /// <summary>Size of the generic payload header.</summary>
    public const int HeaderLength = 4;

    /// <summary>The payload type, as it appears in the preceding Next Payload field.</summary>
    public abstract PayloadType Type { get; }

    /// <summary>
    /// The critical bit (RFC 7296 §2.5). Senders set it only on payloads the recipient may not
    /// know; kept as received so re-encoding is exact.
    /// </summary>
    public bool Critical { get; init; }

    /// <summary>Length of the payload body, after the generic header.</summary>
    public abstract int BodyLength { get; }

    /// <summary>Length of the whole payload, generic header included (the Payload Length field).</summary>
    public int EncodedLength => HeaderLength + BodyLength;

    /// <summary>Writes the body (everything after the generic header) into exactly <see cref="BodyLength"/> bytes.</summary>
    public abstract void WriteBody(Span<byte> destination);

    /// <summary>
    /// The value this payload's own Next Payload field carries when the payload ends a chain.
    /// Only SK and SKF override this (RFC 7296 §3.14, RFC 7383 §2.5).
    /// </summary>
    internal virtual PayloadType TrailingNextPayload => PayloadType.NoNextPayload;

    /// <summary>Writes the generic header and the body; returns the bytes written.</summary>
    public int Write(Span<byte> destination, PayloadType nextPayload)
    {
        int length = EncodedLength;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"{Type.ToIanaName()} payload of {length} bytes exceeds the 16-bit Payload Length field");
        }

        destination[0] = (byte)nextPayload;
        destination[1] = Critical ? (byte)0x80 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)length);
        WriteBody(destination.Slice(HeaderLength, length - HeaderLength));
        return length;
    }
}
