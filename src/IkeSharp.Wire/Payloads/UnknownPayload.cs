namespace IkeSharp.Wire.Payloads;

/// <summary>
/// A payload whose type this codec does not know, kept as bytes (RFC 7296 §2.5: skipped unless its
/// critical bit is set, in which case the message is rejected with UNSUPPORTED_CRITICAL_PAYLOAD).
/// </summary>
public sealed record UnknownPayload(byte RawType, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type => (PayloadType)RawType;

    public override int BodyLength => Body.Length;

    public override void WriteBody(Span<byte> destination) => Body.Span.CopyTo(destination);

    public override string ToString() => $"Unknown payload type {RawType}{(Critical ? " (critical)" : "")} ({Body.Length} bytes)";
}
