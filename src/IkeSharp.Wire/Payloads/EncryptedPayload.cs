namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Encrypted and Authenticated payload, SK (RFC 7296 §3.14).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// |                     Initialization Vector                     |
/// ~                    Encrypted IKE Payloads                     ~
/// |               |             Padding (0-255 octets)            |
/// |                               |  Pad Length   |
/// ~                    Integrity Checksum Data                    ~
/// </code>
/// The codec keeps the body (IV, ciphertext, ICV) as bytes; IkeSharp.Crypto decrypts it and
/// <see cref="PayloadChain.Decode"/> decodes the inner chain, which starts with
/// <see cref="FirstInnerPayload"/>, the value of this payload's Next Payload field. SK must be
/// the last payload of a message.
/// </summary>
public sealed record EncryptedPayload(PayloadType FirstInnerPayload, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type => PayloadType.Encrypted;

    public override int BodyLength => Body.Length;

    internal override PayloadType TrailingNextPayload => FirstInnerPayload;

    public override void WriteBody(Span<byte> destination) => Body.Span.CopyTo(destination);

    public override string ToString() => $"SK (first inner payload {FirstInnerPayload.ToIanaName()}, {Body.Length} bytes)";
}
