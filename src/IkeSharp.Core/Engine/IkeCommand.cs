using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Engine;

/// <summary>What the owner asks the engine to do.</summary>
public abstract record IkeCommand;

/// <summary>Start the named connection (and its Child SAs, or only <paramref name="Child"/>).</summary>
public sealed record Initiate(string Connection, string? Child = null) : IkeCommand
{
    /// <summary>The packet that hit a trap policy, if one did: its addresses lead the proposed selectors (RFC 7296 §2.9).</summary>
    public TriggeringPacket? Trigger { get; init; }
}

/// <summary>
/// The packet whose lack of an SA started a negotiation (an acquire from a trap policy): as RFC 7296
/// §2.9 says, its source and destination go first in TSi and TSr, so a responder that narrows
/// keeps at least the flow the packet belongs to.
/// </summary>
public sealed record TriggeringPacket(TrafficSelector Source, TrafficSelector Destination);

/// <summary>Delete an IKE SA (and with it its Child SAs) with an INFORMATIONAL Delete (RFC 7296 §1.4.1).</summary>
public sealed record DeleteIkeSa(ulong LocalSpi) : IkeCommand;

/// <summary>Send an empty INFORMATIONAL request: a liveness check (RFC 7296 §1.4).</summary>
public sealed record CheckLiveness(ulong LocalSpi) : IkeCommand;

/// <summary>Create another Child SA of the connection in the IKE SA, with CREATE_CHILD_SA (RFC 7296 §1.3.1).</summary>
public sealed record CreateChildSa(ulong LocalSpi, string Child) : IkeCommand
{
    /// <summary>As <see cref="Initiate.Trigger"/>.</summary>
    public TriggeringPacket? Trigger { get; init; }
}

/// <summary>Rekey a Child SA, named by its inbound SPI (RFC 7296 §1.3.3, §2.8).</summary>
public sealed record RekeyChildSa(ulong LocalSpi, uint SpiIn) : IkeCommand;

/// <summary>Delete a Child SA, named by its inbound SPI (RFC 7296 §1.4.1).</summary>
public sealed record DeleteChildSa(ulong LocalSpi, uint SpiIn) : IkeCommand;

/// <summary>Rekey the IKE SA (RFC 7296 §1.3.2, §2.18).</summary>
public sealed record RekeyIkeSa(ulong LocalSpi) : IkeCommand;

/// <summary>
/// The data plane counted a Child SA (by inbound SPI) past its byte or packet limit: soft means
/// rekey it (rekey_bytes, rekey_packets), hard means delete it (life_bytes, life_packets), RFC 4301 §4.4.2.1.
/// </summary>
public sealed record ChildSaLimitReached(uint SpiIn, bool Hard) : IkeCommand;
