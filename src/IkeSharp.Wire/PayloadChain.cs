using System.Buffers.Binary;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire;

/// <summary>
/// Decodes and encodes a chain of payloads linked by their Next Payload fields (RFC 7296 §3.2):
/// the payloads of a message, or the inner payloads of an SK payload once decrypted.
/// The encode path indexes its IReadOnlyList collections instead of using foreach, which would box
/// an enumerator per list: encoding allocates nothing.
/// </summary>
public static class PayloadChain
{
    /// <summary>
    /// Decodes the chain that starts with <paramref name="first"/> and must fill <paramref name="bytes"/>
    /// exactly. <paramref name="baseOffset"/> is where <paramref name="bytes"/> starts in the datagram,
    /// so errors point at the right octet. Payloads keep slices of <paramref name="bytes"/>: a caller
    /// that reuses its buffer copies what it keeps.
    /// </summary>
    public static DecodeResult<Payload[]> Decode(PayloadType first, ReadOnlyMemory<byte> bytes, int baseOffset, bool allowEncrypted = true)
    {
        // Pass 1: walk the generic headers, checking every length, to size the array by what is there.
        int count = 0;
        int position = 0;
        PayloadType next = first;
        while (next != PayloadType.NoNextPayload)
        {
            ReadOnlySpan<byte> rest = bytes.Span.Slice(position);
            if (rest.Length < Payload.HeaderLength)
            {
                return new DecodeError(DecodeErrorCode.Truncated,
                    $"a {next.ToIanaName()} payload should start here but only {rest.Length} octets remain", baseOffset + position, next);
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(rest.Slice(2));
            if (length < Payload.HeaderLength || length > rest.Length)
            {
                return new DecodeError(DecodeErrorCode.BadLength,
                    $"Payload Length {length} outside {Payload.HeaderLength}..{rest.Length}", baseOffset + position + 2, next);
            }

            if (++count > WireLimits.MaxPayloadsPerChain)
            {
                return new DecodeError(DecodeErrorCode.LimitExceeded, $"more than {WireLimits.MaxPayloadsPerChain} payloads", baseOffset + position, next);
            }

            if (next is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                if (!allowEncrypted)
                {
                    return new DecodeError(DecodeErrorCode.InvalidValue, "an encrypted payload inside an encrypted payload", baseOffset + position, next);
                }

                // RFC 7296 §3.14 (and RFC 7383 §2.5): the encrypted payload is the last one; its
                // Next Payload field names the first payload inside it, not one after it.
                if (length != rest.Length)
                {
                    return new DecodeError(DecodeErrorCode.TrailingData,
                        $"{rest.Length - length} octets follow the {next.ToIanaName()} payload, which must be last", baseOffset + position + length, next);
                }

                position += length;
                break;
            }

            next = (PayloadType)rest[0];
            position += length;
        }

        if (position != bytes.Length)
        {
            return new DecodeError(DecodeErrorCode.TrailingData,
                $"{bytes.Length - position} octets follow the last payload (Next Payload 0)", baseOffset + position);
        }

        // Pass 2: decode each payload body.
        var payloads = new Payload[count];
        position = 0;
        next = first;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> header = bytes.Span.Slice(position, Payload.HeaderLength);
            var following = (PayloadType)header[0];
            bool critical = (header[1] & 0x80) != 0;
            int length = BinaryPrimitives.ReadUInt16BigEndian(header.Slice(2));
            ReadOnlyMemory<byte> body = bytes.Slice(position + Payload.HeaderLength, length - Payload.HeaderLength);
            DecodeResult<Payload> payload = DecodeOne(next, following, body, baseOffset + position + Payload.HeaderLength);
            if (!payload.IsSuccess)
            {
                return payload.Propagate<Payload[]>();
            }

            payloads[i] = critical ? payload.Value with { Critical = true } : payload.Value;
            position += length;
            next = following;
        }

        return DecodeResult<Payload[]>.Success(payloads);
    }

    private static DecodeResult<Payload> DecodeOne(PayloadType type, PayloadType following, ReadOnlyMemory<byte> body, int offset) => type switch
    {
        PayloadType.SecurityAssociation => Up(SaPayload.Decode(body, offset)),
        PayloadType.KeyExchange => Up(KePayload.Decode(body, offset)),
        PayloadType.IdInitiator => Up(IdPayload.Decode(IkeRole.Initiator, body, offset)),
        PayloadType.IdResponder => Up(IdPayload.Decode(IkeRole.Responder, body, offset)),
        PayloadType.Certificate => Up(CertPayload.Decode(body, offset)),
        PayloadType.CertificateRequest => Up(CertReqPayload.Decode(body, offset)),
        PayloadType.Authentication => Up(AuthPayload.Decode(body, offset)),
        PayloadType.Nonce => Up(NoncePayload.Decode(body, offset)),
        PayloadType.Notify => Up(NotifyPayload.Decode(body, offset)),
        PayloadType.Delete => Up(DeletePayload.Decode(body, offset)),
        PayloadType.VendorId => Up(VendorIdPayload.Decode(body, offset)),
        PayloadType.TsInitiator => Up(TsPayload.Decode(IkeRole.Initiator, body, offset)),
        PayloadType.TsResponder => Up(TsPayload.Decode(IkeRole.Responder, body, offset)),
        PayloadType.Encrypted => DecodeResult<Payload>.Success(new EncryptedPayload(following, body)),
        PayloadType.Configuration => Up(ConfigurationPayload.Decode(body, offset)),
        PayloadType.Eap => Up(EapPayload.Decode(body, offset)),
        PayloadType.EncryptedFragment => Up(EncryptedFragmentPayload.Decode(following, body, offset)),
        _ => DecodeResult<Payload>.Success(new UnknownPayload((byte)type, body)),
    };

    private static DecodeResult<Payload> Up<T>(DecodeResult<T> result)
        where T : Payload =>
        result.TryGetValue(out T value) ? DecodeResult<Payload>.Success(value) : result.Propagate<Payload>();

    /// <summary>Octets the chain takes on the wire.</summary>
    public static int EncodedLength(IReadOnlyList<Payload> payloads)
    {
        int length = 0;
        for (int i = 0; i < payloads.Count; i++)
        {
            Payload p = payloads[i];
            length += p.EncodedLength;
        }

        return length;
    }

    /// <summary>The value of the Next Payload field that precedes the chain.</summary>
    public static PayloadType FirstType(IReadOnlyList<Payload> payloads) =>
        payloads.Count == 0 ? PayloadType.NoNextPayload : payloads[0].Type;

    /// <summary>Writes the chain, linking each payload to the next; returns the octets written.</summary>
    public static int Write(IReadOnlyList<Payload> payloads, Span<byte> destination)
    {
        int position = 0;
        for (int i = 0; i < payloads.Count; i++)
        {
            Payload p = payloads[i];
            PayloadType next = i + 1 < payloads.Count ? payloads[i + 1].Type : p.TrailingNextPayload;
            position += p.Write(destination.Slice(position), next);
        }

        return position;
    }

    /// <summary>The first payload whose type this codec does not know and whose critical bit is set (RFC 7296 §2.5).</summary>
    public static UnknownPayload? FindUnsupportedCritical(IReadOnlyList<Payload> payloads)
    {
        for (int i = 0; i < payloads.Count; i++)
        {
            Payload p = payloads[i];
            if (p is UnknownPayload { Critical: true } unknown)
            {
                return unknown;
            }
        }

        return null;
    }
}
