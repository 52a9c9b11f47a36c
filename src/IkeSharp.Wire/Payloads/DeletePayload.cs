using System.Buffers.Binary;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Delete payload, D (RFC 7296 §3.11).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// | Protocol ID   |   SPI Size    |          Num of SPIs          |
/// ~               Security Parameter Index(es) (SPI)              ~
/// </code>
/// Deleting the IKE SA itself: Protocol ID 1, SPI Size 0, no SPIs (the SPIs are in the header).
/// </summary>
public sealed record DeletePayload(SecurityProtocol Protocol, byte SpiSize, ReadOnlyMemory<byte> Spis) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => PayloadType.Delete;

    public override int BodyLength => FixedLength + Spis.Length;

    public int SpiCount => SpiSize == 0 ? 0 : Spis.Length / SpiSize;

    public ReadOnlyMemory<byte> GetSpi(int index) => Spis.Slice(index * SpiSize, SpiSize);

    /// <summary>A 4-octet ESP or AH SPI as a number.</summary>
    public uint GetChildSpi(int index) => BinaryPrimitives.ReadUInt32BigEndian(Spis.Span.Slice(index * 4, 4));

    public static DecodeResult<DeletePayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        ReadOnlySpan<byte> span = body.Span;
        if (span.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.Delete, offset, FixedLength, span.Length);
        }

        var protocol = (SecurityProtocol)span[0];
        byte spiSize = span[1];
        int count = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2));
        int spiBytes = span.Length - FixedLength;
        if (spiSize * count != spiBytes)
        {
            return Fail.Length(PayloadType.Delete, offset + 1, $"{count} SPIs of {spiSize} octets need {spiSize * count} octets, the payload holds {spiBytes}");
        }

        if (spiSize == 0 && count != 0)
        {
            return Fail.Value(PayloadType.Delete, offset + 2, $"{count} SPIs of size 0");
        }

        return DecodeResult<DeletePayload>.Success(new DeletePayload(protocol, spiSize, body.Slice(FixedLength)));
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Protocol;
        destination[1] = SpiSize;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)SpiCount);
        Spis.Span.CopyTo(destination.Slice(FixedLength));
    }

    /// <summary>Delete of the IKE SA that carries the message (RFC 7296 §1.4.1).</summary>
    public static DeletePayload IkeSa() => new(SecurityProtocol.Ike, 0, ReadOnlyMemory<byte>.Empty);

    /// <summary>Delete of ESP or AH SAs by their inbound SPIs (RFC 7296 §1.4.1).</summary>
    public static DeletePayload ChildSas(SecurityProtocol protocol, params ReadOnlySpan<uint> spis)
    {
        byte[] bytes = new byte[spis.Length * 4];
        for (int i = 0; i < spis.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), spis[i]);
        }

        return new DeletePayload(protocol, 4, bytes);
    }

    public override string ToString()
    {
        if (SpiCount == 0)
        {
            return $"Delete {Protocol.ToIanaName()}";
        }

        var spis = new string[SpiCount];
        for (int i = 0; i < spis.Length; i++)
        {
            spis[i] = Convert.ToHexStringLower(GetSpi(i).Span);
        }

        return $"Delete {Protocol.ToIanaName()} SPIs {string.Join(", ", spis)}";
    }
}
