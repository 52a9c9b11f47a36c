using IkeSharp.Core.Policy;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Load;

/// <summary>
/// What a load run does (issue 6 §1): how many IKE SAs to set up against which responder, how many
/// at once and how fast, with which proposals, credentials, identities and traffic selectors, and
/// whether to delete them afterwards. Plain data; <see cref="LoadConnections"/> turns it into
/// the engine's connections.
/// </summary>
public sealed record LoadProfile
{
    /// <summary>The responder's IKE endpoint.</summary>
    public required IPEndPoint Remote { get; init; }

    /// <summary>Where our one UDP socket is bound; port 0 is ephemeral. Null: the address the route to the responder uses.</summary>
    public IPEndPoint? Local { get; init; }

    /// <summary>IKE SAs to set up, at most.</summary>
    public required int Count { get; init; }

    /// <summary>Setups in flight at once (IKE_SA_INIT sent, Child SA not yet installed).</summary>
    public required int Concurrency { get; init; }

    /// <summary>New initiations per second at most; null is as fast as <see cref="Concurrency"/> allows.</summary>
    public double? Rate { get; init; }

    /// <summary>No new initiation after this long; setups still in flight then count as unfinished. Null: no bound.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Delete every IKE SA set up (INFORMATIONAL Delete, RFC 7296 §1.4.1) once the setups are done.</summary>
    public bool Delete { get; init; }

    /// <summary>
    /// Keep the SAs this long after the setups are done (before any delete), answering the
    /// responder's liveness checks and rekeys (RFC 7296 §1.4, §2.8) as any peer does; the report
    /// says how many were lost meanwhile. Null: end at once.
    /// </summary>
    public TimeSpan? Hold { get; init; }

    /// <summary>A Child SA in each IKE_AUTH (RFC 7296 §1.2); false sets up childless IKE SAs (RFC 6023).</summary>
    public bool Child { get; init; } = true;

    public required IReadOnlyList<IReadOnlyList<Transform>> IkeProposals { get; init; }

    public required IReadOnlyList<IReadOnlyList<Transform>> EspProposals { get; init; }

    public required LoadCredentials Credentials { get; init; }

    /// <summary>Our identity for every SA (IDi); null is our address, as strongSwan's default.</summary>
    public string? LocalId { get; init; }

    /// <summary>
    /// Our identity per SA, with <c>%d</c> replaced by the SA's index (0, 1, ...): <c>load-%d@example.org</c>.
    /// Takes precedence over <see cref="LocalId"/>.
    /// </summary>
    public string? IdPattern { get; init; }

    /// <summary>The identity the responder must show (IDr); null accepts any.</summary>
    public string? RemoteId { get; init; }

    /// <summary>TSi we propose (RFC 7296 §2.9); the responder narrows it.</summary>
    public IReadOnlyList<TrafficSelector> LocalTs { get; init; } = [TrafficSelector.Subnet("0.0.0.0/0")];

    /// <summary>TSr we propose.</summary>
    public IReadOnlyList<TrafficSelector> RemoteTs { get; init; } = [TrafficSelector.Subnet("0.0.0.0/0")];

    /// <summary>The responder's NAT-T port, where IKE floats should a NAT be detected (RFC 3948).</summary>
    public int RemoteNatTPort { get; init; } = 4500;

    /// <summary>The identity of SA number <paramref name="index"/>.</summary>
    public string? IdFor(int index) => IdPattern is { } pattern
        ? pattern.Replace("%d", index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        : LocalId;
}

/// <summary>How the load generator authenticates: a pre-shared key, or a certificate with its key.</summary>
public abstract record LoadCredentials;

/// <summary>PSK both ways (RFC 7296 §2.15).</summary>
public sealed record LoadPsk(byte[] Secret) : LoadCredentials;

/// <summary>
/// Our certificate and key (RFC 7296 §3.8 AUTH by signature); the responder's certificate must
/// chain to <paramref name="Authority"/>.
/// </summary>
public sealed record LoadCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate, Crypto.Auth.SigningKey Key,
    System.Security.Cryptography.X509Certificates.X509Certificate2 Authority) : LoadCredentials;
