using System.Buffers;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire;

/// <summary>
/// An IKE message (RFC 7296 §3): the header fields a sender chooses and the payload chain. The
/// header's Next Payload and Length fields are derived from the payloads when encoding.
/// </summary>
public sealed record IkeMessage(
    ulong InitiatorSpi,
    ulong ResponderSpi,
    ExchangeType ExchangeType,
    IkeFlags Flags,
    uint MessageId,
    IReadOnlyList<Payload> Payloads)
{
    /// <summary>MjVer/MnVer octet; 0x20 for IKEv2. Kept so a received message re-encodes exactly.</summary>
    public byte Version { get; init; } = IkeHeader.Version2;

    public bool IsResponse => (Flags & IkeFlags.Response) != 0;

    public bool IsFromOriginalInitiator => (Flags & IkeFlags.Initiator) != 0;

    /// <summary>The Encrypted payload, when the message has one (it is then the last payload).</summary>
    public EncryptedPayload? Encrypted => Payloads.Count > 0 ? Payloads[^1] as EncryptedPayload : null;

    public int EncodedLength => IkeHeader.EncodedLength + PayloadChain.EncodedLength(Payloads);

    public IkeHeader Header => new(InitiatorSpi, ResponderSpi, PayloadChain.FirstType(Payloads), Version, ExchangeType, Flags, MessageId, (uint)EncodedLength);

    /// <summary>
    /// Decodes a whole datagram (without the non-ESP marker of port 4500). Never throws on what a
    /// peer sends. The message keeps slices of <paramref name="datagram"/>.
    /// </summary>
    public static DecodeResult<IkeMessage> Decode(ReadOnlyMemory<byte> datagram)
    {
        if (datagram.Length > WireLimits.MaxMessageLength)
        {
            return new DecodeError(DecodeErrorCode.LimitExceeded, $"{datagram.Length} octets exceeds the largest IKE message, {WireLimits.MaxMessageLength}", 0);
        }

        DecodeResult<IkeHeader> header = IkeHeader.Decode(datagram.Span);
        if (!header.TryGetValue(out IkeHeader h))
        {
            return header.Propagate<IkeMessage>();
        }

        DecodeResult<Payload[]> payloads = PayloadChain.Decode(h.NextPayload, datagram.Slice(IkeHeader.EncodedLength), IkeHeader.EncodedLength);
        if (!payloads.TryGetValue(out Payload[] list))
        {
            return payloads.Propagate<IkeMessage>();
        }

        return DecodeResult<IkeMessage>.Success(new IkeMessage(h.InitiatorSpi, h.ResponderSpi, h.ExchangeType, h.Flags, h.MessageId, list) { Version = h.Version });
    }

    /// <summary>Writes the message into <paramref name="destination"/>; returns the octets written.</summary>
    public int Encode(Span<byte> destination)
    {
        int length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"the message needs {length} octets, the destination has {destination.Length}", nameof(destination));
        }

        Header.Write(destination);
        PayloadChain.Write(Payloads, destination.Slice(IkeHeader.EncodedLength));
        return length;
    }

    public void Encode(IBufferWriter<byte> output)
    {
        int length = EncodedLength;
        Encode(output.GetSpan(length));
        output.Advance(length);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>One line: "IKE_SA_INIT request #0 [ SA KE Nonce N(NAT_DETECTION_SOURCE_IP) ]", as strongSwan logs it.</summary>
    public override string ToString()
    {
        var names = new string[Payloads.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Payloads[i] switch
            {
                NotifyPayload n => $"N({n.NotifyType.ToIanaName()})",
                Payload p => p.Type.ToIanaName(),
            };
        }

        return $"{ExchangeType.ToIanaName()} {(IsResponse ? "response" : "request")} {MessageId} [ {string.Join(" ", names)} ]";
    }
}
