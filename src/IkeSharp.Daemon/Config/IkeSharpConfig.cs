using IkeSharp.Core.Policy;

namespace IkeSharp.Daemon.Config;

/// <summary>Everything one configuration file says: connections, secrets and the daemon's own settings.</summary>
public sealed record IkeSharpConfig
{
    public IReadOnlyList<ConnectionConfig> Connections { get; init; } = [];

    /// <summary>Pre-shared keys ([secrets.ike-NAME]).</summary>
    public IReadOnlyList<IkeSecret> Secrets { get; init; } = [];

    /// <summary>Private keys for pubkey authentication ([secrets.private-NAME], ecdsa-NAME, rsa-NAME).</summary>
    public IReadOnlyList<PrivateKeySecret> PrivateKeys { get; init; } = [];

    public DaemonSettings Daemon { get; init; } = new();
}

/// <summary>
/// A pre-shared key and the identities it is for (swanctl.conf secrets.ike-NAME). With no
/// identities it applies to any pair; otherwise to a pair of which it names one or both.
/// </summary>
public sealed record IkeSecret(string Name, IReadOnlyList<string> Ids, ReadOnlyMemory<byte> Secret)
{
    /// <summary>Never prints the key itself.</summary>
    public override string ToString() => $"IkeSecret {{ Name = {Name}, Ids = [{string.Join(", ", Ids)}], Secret = [{Secret.Length} bytes] }}";
}

/// <summary>Which kind of private key a secrets section declares.</summary>
public enum PrivateKeyKind
{
    /// <summary>secrets.private-NAME: any type, found from the file.</summary>
    Any,
    /// <summary>secrets.ecdsa-NAME.</summary>
    Ecdsa,
    /// <summary>secrets.rsa-NAME.</summary>
    Rsa,
}

/// <summary>A private key file (PEM or DER, unencrypted) to sign IKE_AUTH with; <see cref="File"/> is an absolute path.</summary>
public sealed record PrivateKeySecret(string Name, PrivateKeyKind Kind, string File);

/// <summary>How ESP packets are carried: in this process through a TUN device, or by the Linux kernel (XFRM).</summary>
public enum Dataplane
{
    Userspace,
    Xfrm,
}

/// <summary>Log levels, from most to least verbose.</summary>
public enum ConfigLogLevel
{
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Off,
}

/// <summary>The [daemon] section.</summary>
public sealed record DaemonSettings
{
    public string ControlSocket { get; init; } = "/run/ikesharp/ikesharp.sock";

    public string TunName { get; init; } = "ikesharp0";

    public Dataplane Dataplane { get; init; } = Dataplane.Userspace;

    /// <summary>Default anti-replay window (packets) for Child SAs that set none.</summary>
    public uint ReplayWindow { get; init; } = 1024;

    /// <summary>Half-open IKE SAs above which IKE_SA_INIT requests must carry a COOKIE (RFC 7296 §2.6).</summary>
    public int CookieThreshold { get; init; } = 30;

    /// <summary>Half-open IKE SAs from one address above which that address must send a COOKIE.</summary>
    public int CookieThresholdIp { get; init; } = 3;

    /// <summary>Half-open IKE SAs from one address above which its IKE_SA_INIT requests are dropped.</summary>
    public int BlockThreshold { get; init; } = 5;

    /// <summary>IKE SAs held at most (charon.ikesa_limit); 0 is no limit.</summary>
    public int IkeSaLimit { get; init; }

    /// <summary>IKE SAs one peer identity may hold at once; 0 is no limit.</summary>
    public int IkeSasPerIdentity { get; init; }

    /// <summary>Failed IKE_AUTHs from one address per <see cref="AuthFailureWindow"/> before its IKE_SA_INIT requests are dropped; 0 disables.</summary>
    public int AuthFailureLimit { get; init; } = 5;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>INFORMATIONAL requests per IKE SA per 10 s; 0 disables the limit.</summary>
    public int InformationalLimit { get; init; } = 50;

    /// <summary>How long a half-open IKE SA may wait for IKE_AUTH.</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>ke_reuse_time: how long the responder reuses its key exchange value per method (RFC 7296 §2.12); zero is off.</summary>
    public TimeSpan KeReuseTime { get; init; }

    /// <summary>Log level per subsystem ([daemon.log]); subsystems not named log at <see cref="ConfigLogLevel.Info"/>.</summary>
    public IReadOnlyDictionary<string, ConfigLogLevel> LogLevels { get; init; } = new Dictionary<string, ConfigLogLevel>();

    /// <summary>First retransmission timeout (strongSwan's charon.retransmit_timeout, 4 s).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Back-off base (charon.retransmit_base, 1.8).</summary>
    public double RetransmitBase { get; init; } = 1.8;

    /// <summary>Retransmissions before the peer is declared dead (charon.retransmit_tries, 5).</summary>
    public int RetransmitTries { get; init; } = 5;

    /// <summary>NAT-keepalive interval for IKE SAs behind a NAT (keep_alive, RFC 3948 §2.3; 0s sends none).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>tun_queues: queues of the TUN device (IFF_MULTI_QUEUE), each with its reader thread; default one per processor.</summary>
    public int TunQueues { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, Tun.TunDevice.MaxQueues);

    /// <summary>
    /// offload: the TUN device hands over TCP/UDP super-packets (IFF_VNET_HDR, TSO/USO) that are
    /// segmented here, decrypted TCP segments are merged before they are written, and ESP in UDP
    /// goes with UDP GSO and GRO; default on, and off by itself where the kernel refuses.
    /// </summary>
    public bool Offload { get; init; } = true;

    /// <summary>tun_mtu: the TUN device's MTU; null (the default) computes it from <see cref="PathMtu"/> and the ESP proposals (<see cref="Tun.TunMtu"/>).</summary>
    public int? TunMtu { get; init; }

    /// <summary>path_mtu: the MTU of the path to the peers, which ESP-in-UDP packets must fit (default 1500).</summary>
    public int PathMtu { get; init; } = Tun.TunMtu.DefaultPathMtu;

    /// <summary>
    /// routing_table: the routing table the userspace data plane's routes into the TUN device go to
    /// (strongSwan's charon.routing_table, 220); 0 installs no routes (strongSwan's install_routes = no).
    /// </summary>
    public uint RoutingTable { get; init; } = Tun.RoutingTable.DefaultTable;

    /// <summary>routing_table_prio: the priority of the rule that looks the table up (charon.routing_table_prio, 220).</summary>
    public int RoutingTablePrio { get; init; } = Tun.RoutingTable.DefaultPriority;

    /// <summary>key_log: a path prefix for Wireshark key tables (PATH.ikev2, PATH.esp); null (the default) logs no keys.</summary>
    public string? KeyLog { get; init; }
}
