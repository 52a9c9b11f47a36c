namespace IkeSharp.Core.Engine;

/// <summary>
/// What the engine has done over its life, for status output and benchmarks (bench/hold.sh):
/// liveness checks (RFC 7296 §1.4, dead peer detection), rekeys (§1.3.2, §1.3.3, §2.8) and SAs
/// that reached their hard lifetime without a rekey, or lost their peer.
/// </summary>
public sealed class EngineCounters
{
    /// <summary>Empty INFORMATIONAL requests we sent to check the peer is alive (§1.4).</summary>
    public long LivenessChecks { get; internal set; }

    /// <summary>Of those, the ones the peer answered.</summary>
    public long LivenessAnswered { get; internal set; }

    /// <summary>The peer's liveness checks (empty INFORMATIONAL requests) we answered.</summary>
    public long PeerLivenessChecks { get; internal set; }

    /// <summary>IKE SAs rekeyed (§2.18), either side initiating.</summary>
    public long IkeRekeys { get; internal set; }

    /// <summary>Child SAs rekeyed (§2.8), either side initiating.</summary>
    public long ChildRekeys { get; internal set; }

    /// <summary>Established IKE SAs deleted because the peer stopped answering (§2.4).</summary>
    public long DeadPeers { get; internal set; }

    /// <summary>IKE SAs that reached their hard lifetime (over_time after rekey_time) without a rekey.</summary>
    public long IkeExpired { get; internal set; }

    /// <summary>Child SAs that reached their hard lifetime (life_time) without a rekey.</summary>
    public long ChildExpired { get; internal set; }
}
