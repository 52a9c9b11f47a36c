namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Nonce payload, Ni and Nr (RFC 7296 §3.9). The body is the nonce data; its size (16 to 256
/// octets, and at least half the PRF key size, §2.10) is checked by the engine, which knows the PRF.
/// </summary>
public sealed record NoncePayload(ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Nonce;

    public override int BodyLength => Data.Length;

    public static DecodeResult<NoncePayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        _ = offset;
        return DecodeResult<NoncePayload>.Success(new NoncePayload(body));
    }

    public override void WriteBody(Span<byte> destination) => Data.Span.CopyTo(destination);

    public override string ToString() => $"Nonce ({Data.Length} bytes)";
}
