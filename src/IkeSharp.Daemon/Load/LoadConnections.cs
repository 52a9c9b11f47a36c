using IkeSharp.Core.Credentials;
using IkeSharp.Core.Policy;

namespace IkeSharp.Daemon.Load;

/// <summary>
/// The engine's connections for a load run: one per SA, named <c>load-INDEX</c>, so that every
/// event (which names its connection) belongs to exactly one SA and each may carry its own
/// identity. They differ only in the identity; the engine holds them as plain records.
/// </summary>
public static class LoadConnections
{
    public const string Prefix = "load-";

    public const string ChildName = "load";

    public static string Name(int index) => Prefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The index in a connection name made by <see cref="Name"/>, or -1.</summary>
    public static int Index(string connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(connection.AsSpan(Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) ? i : -1;
    }

    /// <summary>
    /// Connections for SAs 0..count-1 from our socket at <paramref name="local"/>. Our NAT-T port is
    /// the same socket: should a NAT be detected, only the responder's port changes to its NAT-T
    /// port (RFC 7296 §2.23), and the generator adds the non-ESP marker there (RFC 3948 §2.2).
    /// </summary>
    public static IReadOnlyList<ConnectionConfig> Build(LoadProfile profile, IPEndPoint local)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(local);
        ChildConfig[] children = profile.Child
            ?
            [
                new ChildConfig
                {
                    Name = ChildName,
                    LocalTs = profile.LocalTs,
                    RemoteTs = profile.RemoteTs,
                    EspProposals = profile.EspProposals,
                },
            ]
            : [];
        (AuthConfig localAuth, AuthConfig remoteAuth) = Auth(profile);
        var template = new ConnectionConfig
        {
            Name = Name(0),
            LocalAddrs = [local.Address],
            RemoteAddrs = [profile.Remote.Address],
            LocalPort = local.Port,
            RemotePort = profile.Remote.Port,
            LocalNatTPort = local.Port,
            RemoteNatTPort = profile.RemoteNatTPort,
            Proposals = profile.IkeProposals,
            Local = localAuth,
            Remote = remoteAuth,
            Children = children,

            // RFC 7296 §2.4: INITIAL_CONTACT would tell the responder to drop every other IKE SA with
            // our identity, and the SAs of a load run share one unless --id-pattern is given.
            SendInitialContact = false,

            // A load generator measures setups: no DPD, and MOBIKE would only add a notify.
            DpdDelay = null,
            Mobike = false,
        };
        var connections = new ConnectionConfig[profile.Count];
        for (int i = 0; i < connections.Length; i++)
        {
            string? id = profile.IdFor(i);
            connections[i] = template with
            {
                Name = Name(i),
                Local = id == localAuth.Id ? localAuth : localAuth with { Id = id },
            };
        }

        return connections;
    }

    /// <summary>The secrets the engine looks up: the PSK for any identities, or our certificate and the CA.</summary>
    public static ICredentialStore Credentials(LoadProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var store = new CredentialStore();
        switch (profile.Credentials)
        {
            case LoadPsk psk:
                store.Add(psk.Secret);
                break;
            case LoadCertificate cert:
                store.AddCertificate(CertificateName, cert.Certificate, cert.Key);
                store.AddAuthority(AuthorityName, cert.Authority);
                break;
        }

        return store;
    }

    private const string CertificateName = "load-certificate";

    private const string AuthorityName = "load-ca";

    private static (AuthConfig Local, AuthConfig Remote) Auth(LoadProfile profile) => profile.Credentials switch
    {
        LoadCertificate => (new AuthConfig(AuthKind.PublicKey, profile.LocalId) { Certs = [CertificateName] }, new AuthConfig(AuthKind.PublicKey, profile.RemoteId) { CaCerts = [AuthorityName] }),
        _ => (new AuthConfig(AuthKind.Psk, profile.LocalId), new AuthConfig(AuthKind.Psk, profile.RemoteId)),
    };
}
