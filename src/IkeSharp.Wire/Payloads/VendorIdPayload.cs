namespace IkeSharp.Wire.Payloads;

/// <summary>Vendor ID payload, V (RFC 7296 §3.12): opaque bytes, usually a hash of a vendor string.</summary>
public sealed record VendorIdPayload(ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.VendorId;

    public override int BodyLength => Data.Length;

    public static DecodeResult<VendorIdPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        _ = offset;
        return DecodeResult<VendorIdPayload>.Success(new VendorIdPayload(body));
    }

    public override void WriteBody(Span<byte> destination) => Data.Span.CopyTo(destination);

    /// <summary>The vendor this ID is known to belong to, or null (see <see cref="KnownVendorIds"/>).</summary>
    public string? KnownVendor => KnownVendorIds.Identify(Data.Span);

    public override string ToString() => KnownVendor is { } v ? $"Vendor ID {v}" : $"Vendor ID {Convert.ToHexStringLower(Data.Span)}";
}
