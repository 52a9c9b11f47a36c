using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Policy;

/// <summary>A Child SA of a connection (swanctl.conf connections.NAME.children.CHILD).</summary>
public sealed record ChildConfig
{
    public required string Name { get; init; }

    /// <summary>Our side's selectors; the responder narrows the initiator's proposal to these (RFC 7296 §2.9).</summary>
    public required IReadOnlyList<TrafficSelector> LocalTs { get; init; }

    public required IReadOnlyList<TrafficSelector> RemoteTs { get; init; }

    /// <summary>ESP proposals; a key exchange transform in one means PFS for CREATE_CHILD_SA.</summary>
    public required IReadOnlyList<IReadOnlyList<Transform>> EspProposals { get; init; }

    public IpsecMode Mode { get; init; } = IpsecMode.Tunnel;

    public StartAction StartAction { get; init; } = StartAction.None;

    public DpdAction DpdAction { get; init; } = DpdAction.Clear;

    /// <summary>Child SA rekey time (rekey_time, default 1 h).</summary>
    public TimeSpan RekeyTime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Hard lifetime (life_time, default rekey_time + 10%).</summary>
    public TimeSpan? LifeTime { get; init; }

    public TimeSpan? RandTime { get; init; }

    public ulong RekeyBytes { get; init; }

    public ulong RekeyPackets { get; init; }
}

public enum IpsecMode
{
    Tunnel,
    /// <summary>Asked for with USE_TRANSPORT_MODE (RFC 7296 §1.3.1).</summary>
    Transport,
}

public enum StartAction
{
    None,
    /// <summary>Initiate when the configuration is loaded.</summary>
    Start,
    /// <summary>Install a trap policy; initiate on matching traffic.</summary>
    Trap,
}

public enum DpdAction
{
    Clear,
    Restart,
    Trap,
}
