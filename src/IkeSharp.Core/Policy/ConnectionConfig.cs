using System.Net;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Policy;

/// <summary>
/// One IKE connection as a strongSwan user writes it in swanctl.conf (connections.NAME): where,
/// with which proposals, who we are and whom we expect, and the Child SAs it carries. Plain data;
/// the file format lives in the daemon (DESIGN.md, "Configuration").
/// </summary>
public sealed record ConnectionConfig
{
    public required string Name { get; init; }

    /// <summary>Our addresses; empty means any.</summary>
    public IReadOnlyList<IPAddress> LocalAddrs { get; init; } = [];

    /// <summary>The peer's addresses; empty means any (a responder for road warriors).</summary>
    public IReadOnlyList<IPAddress> RemoteAddrs { get; init; } = [];

    public int LocalPort { get; init; } = 500;

    public int RemotePort { get; init; } = 500;

    /// <summary>Our NAT-traversal port, where IKE floats when a NAT is seen (RFC 3948; strongSwan's charon.port_nat_t).</summary>
    public int LocalNatTPort { get; init; } = 4500;

    /// <summary>The peer's NAT-traversal port.</summary>
    public int RemoteNatTPort { get; init; } = 4500;

    /// <summary>IKE proposals, most preferred first; each a list of transforms (several of a type are alternatives).</summary>
    public required IReadOnlyList<IReadOnlyList<Transform>> Proposals { get; init; }

    public required AuthConfig Local { get; init; }

    public required AuthConfig Remote { get; init; }

    public IReadOnlyList<ChildConfig> Children { get; init; } = [];

    /// <summary>Always encapsulate in UDP 4500, faking a NAT if need be (strongSwan's encap = yes).</summary>
    public bool Encap { get; init; }

    /// <summary>Liveness check after this much inbound silence; null disables it (dpd_delay).</summary>
    public TimeSpan? DpdDelay { get; init; }

    /// <summary>IKE SA rekey time (rekey_time, strongSwan default 4 h); zero disables.</summary>
    public TimeSpan RekeyTime { get; init; } = TimeSpan.FromHours(4);

    /// <summary>IKE SA reauthentication time (reauth_time, default off).</summary>
    public TimeSpan ReauthTime { get; init; } = TimeSpan.Zero;

    /// <summary>Hard limit past the rekey time (over_time, default 10% of the larger of rekey/reauth).</summary>
    public TimeSpan? OverTime { get; init; }

    /// <summary>Random jitter subtracted from rekey times (rand_time, default over_time).</summary>
    public TimeSpan? RandTime { get; init; }

    public UniquePolicy Unique { get; init; } = UniquePolicy.No;

    /// <summary>Allow MODP 768/1024/1536 (groups 1, 2, 5, 22), refused by default as too weak.</summary>
    public bool AllowWeakGroups { get; init; }

    /// <summary>Send INITIAL_CONTACT in IKE_AUTH (RFC 7296 §2.4); strongSwan does unless unique = never.</summary>
    public bool SendInitialContact { get; init; } = true;

    /// <summary>Offer and accept MOBIKE (RFC 4555, mobike, default yes).</summary>
    public bool Mobike { get; init; } = true;

    /// <summary>Send CERTREQ payloads (send_certreq, default yes).</summary>
    public bool SendCertreq { get; init; } = true;
}

/// <summary>One authentication round (swanctl.conf local/remote sections).</summary>
public sealed record AuthConfig(AuthKind Auth, string? Id = null)
{
    /// <summary>Certificates to send (local) or trust for this peer (remote), by name as the credential store knows them.</summary>
    public IReadOnlyList<string> Certs { get; init; } = [];

    /// <summary>For the remote side: the CAs, by name, a peer certificate must chain to; empty means any configured CA (remote.cacerts).</summary>
    public IReadOnlyList<string> CaCerts { get; init; } = [];

    /// <summary>
    /// For the remote side: CRL files (remote.crls) loaded into the credential store. Like strongSwan's
    /// x509crl directory they apply to every certificate their issuer signed (RFC 5280 §6.3).
    /// </summary>
    public IReadOnlyList<string> Crls { get; init; } = [];
}

public enum AuthKind
{
    /// <summary>Pre-shared key (RFC 7296 §2.15, auth = psk).</summary>
    Psk,
    /// <summary>Public key signature with a certificate (auth = pubkey).</summary>
    PublicKey,
}

/// <summary>strongSwan's unique policy: what to do with an older IKE SA of the same peer identity.</summary>
public enum UniquePolicy
{
    /// <summary>Keep both, but replace on INITIAL_CONTACT (strongSwan's default).</summary>
    No,
    /// <summary>Keep both, even on INITIAL_CONTACT.</summary>
    Never,
    /// <summary>Delete the old one.</summary>
    Replace,
    /// <summary>Refuse the new one.</summary>
    Keep,
}
