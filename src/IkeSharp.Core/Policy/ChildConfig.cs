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

    /// <summary>Hard byte limit (life_bytes); zero means none.</summary>
    public ulong LifeBytes { get; init; }

    /// <summary>Hard packet limit (life_packets); zero means none.</summary>
    public ulong LifePackets { get; init; }

    /// <summary>What to do when the peer closes the Child SA (close_action, default none).</summary>
    public CloseAction CloseAction { get; init; } = CloseAction.None;

    /// <summary>Anti-replay window in packets (replay_window); null takes the daemon's default, zero disables.</summary>
    public uint? ReplayWindow { get; init; }

    /// <summary>
    /// local_ts held "dynamic" (strongSwan's default) and our address was not known when the
    /// configuration was read: the engine puts our address in place of it. When the address is
    /// known (one local_addrs entry), the selector is in <see cref="LocalTs"/> instead.
    /// </summary>
    public bool LocalTsDynamic { get; init; }

    /// <summary>As <see cref="LocalTsDynamic"/>, for remote_ts and the peer's address.</summary>
    public bool RemoteTsDynamic { get; init; }

    /// <summary>local_ts with "dynamic" standing for <paramref name="addresses"/> (our IKE address, or the connection's local_addrs for a trap).</summary>
    public IReadOnlyList<TrafficSelector> LocalTsWith(params IEnumerable<System.Net.IPAddress> addresses) => WithHosts(LocalTs, LocalTsDynamic, addresses);

    /// <summary>remote_ts with "dynamic" standing for the peer's <paramref name="addresses"/>.</summary>
    public IReadOnlyList<TrafficSelector> RemoteTsWith(params IEnumerable<System.Net.IPAddress> addresses) => WithHosts(RemoteTs, RemoteTsDynamic, addresses);

    /// <summary>Each real address as a host selector after the configured ones; wildcards (an address not yet known) add nothing.</summary>
    private static IReadOnlyList<TrafficSelector> WithHosts(IReadOnlyList<TrafficSelector> configured, bool dynamic, IEnumerable<System.Net.IPAddress> addresses)
    {
        if (!dynamic)
        {
            return configured;
        }

        TrafficSelector[] hosts = [.. addresses
            .Where(a => !a.Equals(System.Net.IPAddress.Any) && !a.Equals(System.Net.IPAddress.IPv6Any))
            .Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)
            .Select(a => TrafficSelector.Range(a, a))];
        return hosts.Length == 0 ? configured : [.. configured, .. hosts];
    }
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

/// <summary>swanctl.conf close_action: what to do when the peer deletes the Child SA.</summary>
public enum CloseAction
{
    None,
    /// <summary>Install a trap policy; initiate again on matching traffic.</summary>
    Trap,
    /// <summary>Initiate again at once.</summary>
    Start,
}

public enum DpdAction
{
    Clear,
    Restart,
    Trap,
}
