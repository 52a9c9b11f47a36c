using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto.Proposals;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace IkeSharp.Daemon.Config;

/// <summary>
/// Reads an IkeSharp configuration file: TOML whose sections mirror strongSwan's swanctl.conf
/// (<c>[connections.NAME]</c>, <c>[connections.NAME.local]</c>, <c>[connections.NAME.children.CHILD]</c>,
/// <c>[secrets.ike-NAME]</c>, ...) plus a <c>[daemon]</c> section, into Core's policy records.
/// Every problem found is reported with its file, line, dotted key and what would be valid; the
/// reader goes on after an error so that one run shows them all.
/// </summary>
public sealed class ConfigLoader
{
    /// <summary>The IKE proposal used when a connection names none (or writes "default").</summary>
    public const string DefaultIkeProposal = "aes256gcm16-aes128gcm16-chacha20poly1305-prfsha384-prfsha256-x25519-ecp256-ecp384-modp3072";

    /// <summary>The ESP proposal used when a child names none (or writes "default").</summary>
    public const string DefaultEspProposal = "aes256gcm16-aes128gcm16-chacha20poly1305";

    private static readonly string[] TopKeys = ["connections", "secrets", "daemon"];

    private static readonly string[] ConnectionKeys =
    [
        "local_addrs", "remote_addrs", "local_port", "remote_port", "proposals", "version", "encap", "mobike",
        "send_certreq", "dpd_delay", "rekey_time", "reauth_time", "over_time", "rand_time", "unique",
        "allow_weak_groups", "local", "remote", "children",
    ];

    private static readonly string[] LocalKeys = ["auth", "id", "certs"];
    private static readonly string[] RemoteKeys = ["auth", "id", "certs", "cacerts", "crls"];

    private static readonly string[] ChildKeys =
    [
        "local_ts", "remote_ts", "esp_proposals", "mode", "start_action", "dpd_action", "close_action",
        "rekey_time", "life_time", "rand_time", "rekey_bytes", "life_bytes", "rekey_packets", "life_packets", "replay_window",
    ];

    private static readonly string[] IkeSecretKeys = ["id", "secret"];
    private static readonly string[] KeySecretKeys = ["file"];

    private static readonly string[] DaemonKeys =
    [
        "control_socket", "tun_name", "dataplane", "replay_window", "cookie_threshold", "cookie_threshold_ip",
        "block_threshold", "half_open_timeout", "ke_reuse_time", "log", "retransmit_timeout", "retransmit_base", "retransmit_tries", "key_log", "keep_alive",
        "tun_queues", "offload", "tun_mtu", "path_mtu", "ikesa_limit", "ike_sas_per_identity", "auth_failure_limit", "auth_failure_window", "informational_limit",
        "routing_table", "routing_table_prio",
    ];

    /// <summary>The subsystems [daemon.log] may set a level for.</summary>
    public static IReadOnlyList<string> LogSubsystems { get; } = ["default", "ike", "child", "esp", "net", "config", "control", "dataplane"];

    private static readonly (string, AuthKind)[] AuthValues = [("psk", AuthKind.Psk), ("pubkey", AuthKind.PublicKey)];
    private static readonly (string, UniquePolicy)[] UniqueValues = [("no", UniquePolicy.No), ("never", UniquePolicy.Never), ("replace", UniquePolicy.Replace), ("keep", UniquePolicy.Keep)];
    private static readonly (string, IpsecMode)[] ModeValues = [("tunnel", IpsecMode.Tunnel), ("transport", IpsecMode.Transport)];
    private static readonly (string, StartAction)[] StartValues = [("none", StartAction.None), ("trap", StartAction.Trap), ("start", StartAction.Start)];
    private static readonly (string, DpdAction)[] DpdValues = [("clear", DpdAction.Clear), ("trap", DpdAction.Trap), ("restart", DpdAction.Restart)];
    private static readonly (string, CloseAction)[] CloseValues = [("none", CloseAction.None), ("trap", CloseAction.Trap), ("start", CloseAction.Start)];
    private static readonly (string, Dataplane)[] DataplaneValues = [("userspace", Dataplane.Userspace), ("xfrm", Dataplane.Xfrm)];

    private static readonly (string, ConfigLogLevel)[] LevelValues =
        [("trace", ConfigLogLevel.Trace), ("debug", ConfigLogLevel.Debug), ("info", ConfigLogLevel.Info), ("warn", ConfigLogLevel.Warn), ("error", ConfigLogLevel.Error), ("off", ConfigLogLevel.Off)];

    private readonly string file;
    private readonly string baseDirectory;
    private readonly List<ConfigError> errors = [];
    private readonly List<ConfigError> warnings = [];

    /// <summary>Public keys (SubjectPublicKeyInfo) of the private keys read, to match against local certificates.</summary>
    private readonly List<byte[]> privateKeyInfos = [];

    private ConfigLoader(string file, string baseDirectory)
    {
        this.file = file;
        this.baseDirectory = baseDirectory;
    }

    /// <summary>
    /// Reads and checks the file at <paramref name="path"/>. Relative paths inside it are taken
    /// from the file's directory. Warns when the file holds secrets and group or others may read it.
    /// </summary>
    public static ConfigLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            string why = e switch
            {
                FileNotFoundException => "no such file",
                DirectoryNotFoundException => "no such directory",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            return new ConfigLoadResult(null, [new ConfigError(path, 0, 0, string.Empty, $"cannot read the configuration: {why}")], []) { FileUnreadable = true };
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        var loader = new ConfigLoader(path, directory);
        IkeSharpConfig? config = loader.Run(text);
        if (config is not null && config.Secrets.Count > 0)
        {
            loader.CheckFileMode(path);
        }

        return loader.Result(config);
    }

    /// <summary>
    /// Reads and checks configuration <paramref name="text"/>; <paramref name="fileName"/> names it
    /// in messages, and relative paths are taken from <paramref name="baseDirectory"/> (default:
    /// the directory of <paramref name="fileName"/>).
    /// </summary>
    public static ConfigLoadResult Load(string text, string fileName, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        baseDirectory ??= Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? Directory.GetCurrentDirectory();
        var loader = new ConfigLoader(fileName, baseDirectory);
        return loader.Result(loader.Run(text));
    }

    private ConfigLoadResult Result(IkeSharpConfig? config)
    {
        List<ConfigError> sortedErrors = [.. errors.Select((e, i) => (e, i)).OrderBy(x => x.e.Line).ThenBy(x => x.e.Column).ThenBy(x => x.i).Select(x => x.e)];
        List<ConfigError> sortedWarnings = [.. warnings.Select((e, i) => (e, i)).OrderBy(x => x.e.Line).ThenBy(x => x.e.Column).ThenBy(x => x.i).Select(x => x.e)];
        return new ConfigLoadResult(sortedErrors.Count == 0 ? config : null, sortedErrors, sortedWarnings);
    }

    private IkeSharpConfig? Run(string text)
    {
        // Tomlyn's lexer throws ArgumentOutOfRangeException instead of reporting a diagnostic when
        // the text ends inside the escape sequence of a basic string ("\ or "\u12 as its last
        // characters): it formats its end-of-input marker as a character. A final newline, which
        // TOML allows after the last expression (TOML 1.0: a document is expressions separated by
        // newlines; the newline after the last is optional), changes no valid document and lets the
        // lexer report the bad escape or the unterminated string with its line and column. Found by
        // fuzzing (docs/fuzzing.md).
        if (!text.EndsWith('\n'))
        {
            text += "\n";
        }

        DocumentSyntax document = SyntaxParser.Parse(text, file, true);
        foreach (DiagnosticMessage diagnostic in document.Diagnostics)
        {
            (int line, int column) = TomlTreeBuilder.Position(diagnostic.Span);
            var error = new ConfigError(file, line, column, string.Empty, $"TOML: {diagnostic.Message}");
            (diagnostic.Kind == DiagnosticMessageKind.Error ? errors : warnings).Add(error);
        }

        if (document.HasErrors)
        {
            // The tree of a document that does not parse is not worth reading further.
            return null;
        }

        TomlTableNode root = TomlTreeBuilder.Build(document);
        CheckKeys(root, string.Empty, TopKeys);

        TomlTableNode? daemonTable = Table(root, string.Empty, "daemon");
        DaemonSettings daemon = ReadDaemon(daemonTable);
        (List<IkeSecret> secrets, List<PrivateKeySecret> keys) = ReadSecrets(Table(root, string.Empty, "secrets"));

        var connections = new List<ConnectionConfig>();
        var childNames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Table(root, string.Empty, "connections") is { } connectionsTable)
        {
            foreach (TomlEntry entry in connectionsTable.Entries)
            {
                string path = $"connections.{entry.Key}";
                if (entry.Value is not TomlTableNode table)
                {
                    WrongType(entry.Value, path, "a table ([connections.NAME])");
                    continue;
                }

                int before = errors.Count;
                ConnectionConfig? connection = ReadConnection(entry.Key, table, path, secrets);
                if (connection is null)
                {
                    continue;
                }

                foreach (ChildConfig child in connection.Children)
                {
                    if (childNames.TryGetValue(child.Name, out string? other))
                    {
                        Warning(table, path, $"child name \"{child.Name}\" is also used by connection {other}; commands that name a child alone will pick one of them");
                    }
                    else
                    {
                        childNames[child.Name] = connection.Name;
                    }
                }

                if (errors.Count == before)
                {
                    foreach (string problem in PolicyValidation.Check(connection))
                    {
                        Error(table, path, problem);
                    }
                }

                connections.Add(connection);
            }
        }

        if (daemon.TunMtu is { } tunMtu && daemonTable?.Find("tun_mtu") is { } tunMtuEntry
            && Tun.TunMtu.For(connections, daemon.PathMtu) is var fits && tunMtu > fits)
        {
            Warning(tunMtuEntry.Value, "daemon.tun_mtu", $"{tunMtu} is more than the {fits} octets that fit one ESP-in-UDP packet on a {daemon.PathMtu}-octet path with these esp_proposals; larger packets will be fragmented after encryption");
        }

        return new IkeSharpConfig { Connections = connections, Secrets = secrets, PrivateKeys = keys, Daemon = daemon };
    }

    // ---------------------------------------------------------------- connections

    private ConnectionConfig? ReadConnection(string name, TomlTableNode table, string path, List<IkeSecret> secrets)
    {
        CheckKeys(table, path, ConnectionKeys);
        if (Integer(table, path, "version", 0, 2) is { } version && version != 2)
        {
            Error(table.Find("version")!.Value, $"{path}.version", version == 1
                ? "IKEv1 is not supported; only version = 2 is accepted"
                : "version 0 (any) is not supported; only version = 2 (IKEv2) is accepted");
        }

        bool allowWeak = Bool(table, path, "allow_weak_groups") ?? false;
        List<IPAddress> localAddrs = Addresses(table, path, "local_addrs");
        List<IPAddress> remoteAddrs = Addresses(table, path, "remote_addrs");
        int localPort = (int)(Integer(table, path, "local_port", 1, 65535) ?? 500);
        int remotePort = (int)(Integer(table, path, "remote_port", 1, 65535) ?? 500);
        List<IReadOnlyList<Transform>> proposals = Proposals(table, path, "proposals", SecurityProtocol.Ike, allowWeak, DefaultIkeProposal);

        AuthConfig? local = ReadAuth(table, path, "local", localAddrs);
        AuthConfig? remote = ReadAuth(table, path, "remote", remoteAddrs);

        var children = new List<ChildConfig>();
        if (Table(table, path, "children") is { } childrenTable)
        {
            foreach (TomlEntry entry in childrenTable.Entries)
            {
                string childPath = $"{path}.children.{entry.Key}";
                if (entry.Value is not TomlTableNode childTable)
                {
                    WrongType(entry.Value, childPath, $"a table ([{childPath}])");
                    continue;
                }

                if (ReadChild(entry.Key, childTable, childPath, allowWeak, localAddrs, remoteAddrs) is { } child)
                {
                    if (child.StartAction != StartAction.None && remoteAddrs.Count == 0)
                    {
                        Error(childTable.Find("start_action")!.Value, $"{childPath}.start_action",
                            $"start_action = {Name(StartValues, child.StartAction)} initiates, which needs the peer's address; set {path}.remote_addrs or use start_action = \"none\"");
                    }

                    children.Add(child);
                }
            }
        }

        TimeSpan rekeyTime = Duration(table, path, "rekey_time") ?? TimeSpan.FromHours(4);
        TimeSpan reauthTime = Duration(table, path, "reauth_time") ?? TimeSpan.Zero;
        TimeSpan? overTime = Duration(table, path, "over_time");
        TimeSpan? randTime = Duration(table, path, "rand_time");
        TimeSpan larger = rekeyTime > reauthTime ? rekeyTime : reauthTime;
        if (randTime is { } rand && larger > TimeSpan.Zero && rand >= larger)
        {
            Error(table.Find("rand_time")!.Value, $"{path}.rand_time", $"rand_time {Show(rand)} must be shorter than the rekey/reauth time {Show(larger)}");
        }

        TimeSpan? dpdDelay = Duration(table, path, "dpd_delay");
        UniquePolicy unique = Enum(table, path, "unique", UniqueValues) ?? UniquePolicy.No;
        bool encap = Bool(table, path, "encap") ?? false;
        bool mobike = Bool(table, path, "mobike") ?? true;
        bool sendCertreq = Bool(table, path, "send_certreq") ?? true;

        if (local is null || remote is null)
        {
            return null;
        }

        if (local.Auth == AuthKind.Psk || remote.Auth == AuthKind.Psk)
        {
            CheckSharedKey(table, path, local, remote, localAddrs, remoteAddrs, secrets);
        }

        return new ConnectionConfig
        {
            Name = name,
            LocalAddrs = localAddrs,
            RemoteAddrs = remoteAddrs,
            LocalPort = localPort,
            RemotePort = remotePort,
            Proposals = proposals,
            Local = local,
            Remote = remote,
            Children = children,
            Encap = encap,
            DpdDelay = dpdDelay is { } d && d > TimeSpan.Zero ? d : null,
            RekeyTime = rekeyTime,
            ReauthTime = reauthTime,
            OverTime = overTime,
            RandTime = randTime,
            Unique = unique,
            AllowWeakGroups = allowWeak,
            SendInitialContact = unique != UniquePolicy.Never,
            Mobike = mobike,
            SendCertreq = sendCertreq,
        };
    }

    private AuthConfig? ReadAuth(TomlTableNode connection, string connectionPath, string key, List<IPAddress> addrs)
    {
        string path = $"{connectionPath}.{key}";
        TomlTableNode? table = Table(connection, connectionPath, key);
        if (table is null)
        {
            if (connection.Find(key) is null)
            {
                Error(connection, connectionPath, $"no [{path}] section; add one with auth = \"psk\" or auth = \"pubkey\"");
            }

            return null;
        }

        bool remote = key == "remote";
        CheckKeys(table, path, remote ? RemoteKeys : LocalKeys);
        AuthKind? auth = Enum(table, path, "auth", AuthValues);
        if (auth is null && table.Find("auth") is null)
        {
            Error(table, path, "no auth; write auth = \"psk\" or auth = \"pubkey\"");
            return null;
        }

        string? id = String(table, path, "id");
        if (id is not null && id.Length == 0)
        {
            Error(table.Find("id")!.Value, $"{path}.id", "empty identity; leave id out to use the IP address, or write \"%any\" to accept any");
        }

        List<string> certs = Files(table, path, "certs", Certificate, out bool certsBad);
        bool caBad = false;
        List<string> caCerts = remote ? Files(table, path, "cacerts", Certificate, out caBad) : [];
        List<string> crls = remote ? Files(table, path, "crls", RevocationList, out _) : [];
        if (auth is null)
        {
            return null;
        }

        if (auth == AuthKind.PublicKey && !certsBad && !caBad)
        {
            if (!remote && certs.Count == 0)
            {
                Error(table.Find("auth")!.Value, $"{path}.auth", "auth = \"pubkey\" needs our certificate: add certs = [\"FILE.pem\"]");
            }
            else if (remote && certs.Count == 0 && caCerts.Count == 0)
            {
                Error(table.Find("auth")!.Value, $"{path}.auth", "auth = \"pubkey\" needs something to trust: add cacerts = [\"CA.pem\"] (or certs = [\"PEER.pem\"])");
            }
            else if (!remote)
            {
                CheckPrivateKeyFor(table, path, certs[0]);
            }
        }

        return new AuthConfig(auth.Value, id) { Certs = certs, CaCerts = caCerts, Crls = crls };
    }

    private ChildConfig? ReadChild(string name, TomlTableNode table, string path, bool allowWeak, List<IPAddress> localAddrs, List<IPAddress> remoteAddrs)
    {
        CheckKeys(table, path, ChildKeys);
        (List<TrafficSelector> localTs, bool localDynamic) = Selectors(table, path, "local_ts", localAddrs);
        (List<TrafficSelector> remoteTs, bool remoteDynamic) = Selectors(table, path, "remote_ts", remoteAddrs);
        List<IReadOnlyList<Transform>> esp = Proposals(table, path, "esp_proposals", SecurityProtocol.Esp, allowWeak, DefaultEspProposal);
        TimeSpan rekeyTime = Duration(table, path, "rekey_time") ?? TimeSpan.FromHours(1);
        TimeSpan? lifeTime = Duration(table, path, "life_time");
        TimeSpan? randTime = Duration(table, path, "rand_time");
        if (lifeTime is { } life && rekeyTime > TimeSpan.Zero && life <= rekeyTime)
        {
            Error(table.Find("life_time")!.Value, $"{path}.life_time", $"life_time {Show(life)} must be longer than rekey_time {Show(rekeyTime)}, or the SA expires before it is rekeyed");
        }

        if (randTime is { } rand && rekeyTime > TimeSpan.Zero && rand >= rekeyTime)
        {
            Error(table.Find("rand_time")!.Value, $"{path}.rand_time", $"rand_time {Show(rand)} must be shorter than rekey_time {Show(rekeyTime)}");
        }

        ulong rekeyBytes = Size(table, path, "rekey_bytes") ?? 0;
        ulong lifeBytes = Size(table, path, "life_bytes") ?? 0;
        ulong rekeyPackets = Size(table, path, "rekey_packets") ?? 0;
        ulong lifePackets = Size(table, path, "life_packets") ?? 0;
        if (lifeBytes > 0 && rekeyBytes >= lifeBytes)
        {
            Error(table.Find("life_bytes")!.Value, $"{path}.life_bytes", $"life_bytes {lifeBytes} must be larger than rekey_bytes {rekeyBytes}");
        }

        if (lifePackets > 0 && rekeyPackets >= lifePackets)
        {
            Error(table.Find("life_packets")!.Value, $"{path}.life_packets", $"life_packets {lifePackets} must be larger than rekey_packets {rekeyPackets}");
        }

        long? replay = Integer(table, path, "replay_window", 0, uint.MaxValue);
        IpsecMode mode = Enum(table, path, "mode", ModeValues) ?? IpsecMode.Tunnel;
        StartAction start = Enum(table, path, "start_action", StartValues) ?? StartAction.None;
        DpdAction dpd = Enum(table, path, "dpd_action", DpdValues) ?? DpdAction.Clear;
        CloseAction close = Enum(table, path, "close_action", CloseValues) ?? CloseAction.None;

        return new ChildConfig
        {
            Name = name,
            LocalTs = localTs,
            RemoteTs = remoteTs,
            LocalTsDynamic = localDynamic,
            RemoteTsDynamic = remoteDynamic,
            EspProposals = esp,
            Mode = mode,
            StartAction = start,
            DpdAction = dpd,
            CloseAction = close,
            RekeyTime = rekeyTime,
            LifeTime = lifeTime,
            RandTime = randTime,
            RekeyBytes = rekeyBytes,
            LifeBytes = lifeBytes,
            RekeyPackets = rekeyPackets,
            LifePackets = lifePackets,
            ReplayWindow = replay is { } r ? (uint)r : null,
        };
    }

    private List<IPAddress> Addresses(TomlTableNode table, string path, string key)
    {
        var result = new List<IPAddress>();
        foreach ((string text, TomlNode node, string itemPath) in StringList(table, path, key))
        {
            string s = text.Trim();
            if (s is "%any" or "%any4" or "%any6")
            {
                continue;
            }

            if (IPAddress.TryParse(s, out IPAddress? address) && (s.Contains(':', StringComparison.Ordinal) || s.Count(c => c == '.') == 3))
            {
                if (result.Contains(address))
                {
                    Warning(node, itemPath, $"{address} is listed twice");
                }
                else
                {
                    result.Add(address);
                }
            }
            else
            {
                string hint = s.Contains('/', StringComparison.Ordinal) || s.Contains('-', StringComparison.Ordinal)
                    ? "prefixes and ranges are not supported here"
                    : "host names are not supported";
                Error(node, itemPath, $"\"{text}\" is not an IP address ({hint}); write an address such as 192.0.2.1 or 2001:db8::1, or \"%any\" (or leave {key} out) for any");
            }
        }

        return result;
    }

    private (List<TrafficSelector> Selectors, bool Dynamic) Selectors(TomlTableNode table, string path, string key, List<IPAddress> addrs)
    {
        var result = new List<TrafficSelector>();
        bool dynamic = false;
        List<(string Text, TomlNode Node, string Path)> items = StringList(table, path, key);
        if (table.Find(key) is null)
        {
            items = [("dynamic", table, $"{path}.{key}")];
        }

        foreach ((string text, TomlNode node, string itemPath) in items)
        {
            TrafficSelectorParseResult parsed = TrafficSelectorParser.Parse(text);
            if (parsed.Error is { } error)
            {
                Error(node, itemPath, error);
            }
            else if (parsed.IsDynamic)
            {
                if (addrs.Count == 1)
                {
                    result.Add(TrafficSelectorParser.Host(addrs[0]));
                }
                else
                {
                    dynamic = true;
                }
            }
            else
            {
                result.Add(parsed.Selector!);
            }
        }

        if (table.Find(key) is { } entry && items.Count == 0 && entry.Value is TomlArrayNode)
        {
            Error(entry.Value, $"{path}.{key}", $"empty list; name at least one selector such as \"10.1.0.0/24\", or leave {key} out for dynamic");
        }

        return (result, dynamic);
    }

    private List<IReadOnlyList<Transform>> Proposals(TomlTableNode table, string path, string key, SecurityProtocol protocol, bool allowWeak, string defaults)
    {
        var result = new List<IReadOnlyList<Transform>>();
        List<(string Text, TomlNode Node, string Path)> items = StringList(table, path, key);
        if (table.Find(key) is null)
        {
            items = [("default", table, $"{path}.{key}")];
        }
        else if (items.Count == 0 && table.Find(key)!.Value is TomlArrayNode empty)
        {
            Error(empty, $"{path}.{key}", $"empty list; write at least one proposal such as \"{defaults.Split('-')[0]}{(protocol == SecurityProtocol.Ike ? "-prfsha256-x25519" : string.Empty)}\", or leave {key} out for the defaults");
        }

        foreach ((string text, TomlNode node, string itemPath) in items)
        {
            string written = text.Trim().Equals("default", StringComparison.OrdinalIgnoreCase) ? defaults : text;
            ProposalParseResult parsed = ProposalParser.Parse(written, protocol, allowWeak);
            foreach (string warning in parsed.Warnings)
            {
                Warning(node, itemPath, warning);
            }

            if (parsed.Error is { } error)
            {
                string hint = error.Message.Contains("weak", StringComparison.Ordinal) && !allowWeak
                    ? $" (set allow_weak_groups = true in [{path.Split(".children.")[0]}] to allow it)"
                    : string.Empty;
                Error(node, itemPath, error.Message + hint);
            }
            else
            {
                result.Add(parsed.Transforms);
            }
        }

        return result;
    }

    /// <summary>A pre-shared key must exist for the pair of identities the connection will use.</summary>
    private void CheckSharedKey(TomlTableNode table, string path, AuthConfig local, AuthConfig remote, List<IPAddress> localAddrs, List<IPAddress> remoteAddrs, List<IkeSecret> secrets)
    {
        string? localId = local.Id ?? (localAddrs.Count > 0 ? localAddrs[0].ToString() : null);
        string? remoteId = remote.Id ?? (remoteAddrs.Count > 0 ? remoteAddrs[0].ToString() : null);
        bool Matches(IkeSecret secret) =>
            secret.Ids.Count == 0 ||
            localId is null || remoteId is null ||
            secret.Ids.Any(i => i.Equals(localId, StringComparison.OrdinalIgnoreCase) || i.Equals(remoteId, StringComparison.OrdinalIgnoreCase) || Wildcard(remoteId, i));
        if (secrets.Any(Matches))
        {
            return;
        }

        string which = local.Auth == AuthKind.Psk ? "local" : "remote";
        TomlNode where = (table.Find(which)?.Value as TomlTableNode)?.Find("auth")?.Value ?? table;
        string ids = string.Join(", ", new[] { localId, remoteId }.Where(i => i is not null).Select(i => $"\"{i}\""));
        string name = path["connections.".Length..];
        Error(where, $"{path}.{which}.auth",
            $"auth = \"psk\" but no [secrets.ike-*] section has an id matching {ids} (or no id at all); add [secrets.ike-{name}] with id = [{ids}] and secret = \"...\"");
    }

    /// <summary>strongSwan-style identity wildcards: "%any" matches all, "*" any run of characters ("*@example.com").</summary>
    private static bool Wildcard(string pattern, string id)
    {
        if (pattern is "%any" or "%any6")
        {
            return true;
        }

        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return false;
        }

        string regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(id, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    // ---------------------------------------------------------------- secrets

    private (List<IkeSecret>, List<PrivateKeySecret>) ReadSecrets(TomlTableNode? table)
    {
        var secrets = new List<IkeSecret>();
        var keys = new List<PrivateKeySecret>();
        var nodes = new Dictionary<IkeSecret, TomlNode>();
        if (table is null)
        {
            return (secrets, keys);
        }

        foreach (TomlEntry entry in table.Entries)
        {
            string path = $"secrets.{entry.Key}";
            if (entry.Value is not TomlTableNode section)
            {
                WrongType(entry.Value, path, $"a table ([{path}])");
                continue;
            }

            int dash = entry.Key.IndexOf('-', StringComparison.Ordinal);
            string type = dash > 0 ? entry.Key[..dash].ToLowerInvariant() : entry.Key.ToLowerInvariant();
            switch (type)
            {
                case "ike":
                    if (ReadIkeSecret(entry.Key, section, path) is { } secret)
                    {
                        foreach ((IkeSecret other, TomlNode otherNode) in nodes)
                        {
                            if (other.Ids.Count == secret.Ids.Count && other.Ids.All(i => secret.Ids.Contains(i, StringComparer.OrdinalIgnoreCase)))
                            {
                                Error(section, path, $"the same identities as secrets.{other.Name} (line {otherNode.Line}); only one of the two would ever be used");
                            }
                        }

                        secrets.Add(secret);
                        nodes[secret] = section;
                    }

                    break;
                case "private" or "ecdsa" or "rsa":
                    if (ReadKeySecret(entry.Key, section, path, type) is { } key)
                    {
                        keys.Add(key);
                    }

                    break;
                default:
                    string? close = type is "psk" or "shared" or "pre" ? "ike" : ConfigValues.Closest(type, ["ike", "private", "ecdsa", "rsa"]);
                    string unsupported = type is "eap" or "xauth" or "ntlm" or "ppk" or "token" or "pkcs8" or "pkcs12"
                        ? $"{type} secrets are not supported; "
                        : close is not null ? $"did you mean {close}-{(dash > 0 ? entry.Key[(dash + 1)..] : "NAME")}? " : string.Empty;
                    Error(section, path, $"unknown kind of secret \"{entry.Key}\"; {unsupported}a secret's name starts with ike- (a pre-shared key), or private-, ecdsa- or rsa- (a private key file), as in swanctl.conf");
                    break;
            }
        }

        return (secrets, keys);
    }

    private IkeSecret? ReadIkeSecret(string name, TomlTableNode table, string path)
    {
        CheckKeys(table, path, IkeSecretKeys);
        List<string> ids = [.. StringList(table, path, "id").Select(i => i.Text.Trim())];
        string? text = String(table, path, "secret");
        if (text is null)
        {
            if (table.Find("secret") is null)
            {
                Error(table, path, "no secret; write secret = \"...\" (text, \"0x\" then hex, or \"0s\" then base64)");
            }

            return null;
        }

        TomlNode node = table.Find("secret")!.Value;
        byte[]? bytes = DecodeSecret(text, out string? error);
        if (bytes is null)
        {
            Error(node, $"{path}.secret", error!);
            return null;
        }

        if (bytes.Length == 0)
        {
            Error(node, $"{path}.secret", "empty secret; a pre-shared key needs at least one byte (and should have many more)");
            return null;
        }

        if (bytes.Length < 16)
        {
            Warning(node, $"{path}.secret", $"a {bytes.Length}-byte pre-shared key is easy to guess offline from one captured IKE_AUTH; use 32 random bytes (e.g. \"0s\" + `openssl rand -base64 32`)");
        }

        return new IkeSecret(name, ids, bytes);
    }

    /// <summary>swanctl's secret notation: "0x" hex, "0s" base64, else the UTF-8 text itself.</summary>
    private static byte[]? DecodeSecret(string text, out string? error)
    {
        error = null;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            string hex = text[2..].Replace(":", string.Empty, StringComparison.Ordinal);
            try
            {
                return Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                error = $"\"0x...\" secret is not valid hex (an even number of 0-9, a-f); write the key as text without 0x, or fix the hex";
                return null;
            }
        }

        if (text.StartsWith("0s", StringComparison.Ordinal))
        {
            try
            {
                return Convert.FromBase64String(text[2..]);
            }
            catch (FormatException)
            {
                error = "\"0s...\" secret is not valid base64";
                return null;
            }
        }

        return System.Text.Encoding.UTF8.GetBytes(text);
    }

    private PrivateKeySecret? ReadKeySecret(string name, TomlTableNode table, string path, string type)
    {
        CheckKeys(table, path, KeySecretKeys);
        PrivateKeyKind kind = type switch
        {
            "ecdsa" => PrivateKeyKind.Ecdsa,
            "rsa" => PrivateKeyKind.Rsa,
            _ => PrivateKeyKind.Any,
        };
        if (table.Find("file") is null)
        {
            Error(table, path, "no file; write file = \"PATH\" to the private key (PEM or DER)");
            return null;
        }

        string? written = String(table, path, "file");
        if (written is null)
        {
            return null;
        }

        TomlNode node = table.Find("file")!.Value;
        string full = Resolve(written);
        if (ReadFile(node, $"{path}.file", written, full, "private key") is not { } bytes)
        {
            return null;
        }

        if (LoadPrivateKey(bytes, kind) is { } info)
        {
            privateKeyInfos.Add(info);
        }
        else
        {
            string what = kind switch
            {
                PrivateKeyKind.Ecdsa => "an unencrypted ECDSA private key",
                PrivateKeyKind.Rsa => "an unencrypted RSA private key",
                _ => "an unencrypted ECDSA or RSA private key",
            };
            Error(node, $"{path}.file", $"\"{written}\" is not {what} (PEM or DER, PKCS#8 or traditional)");
            return null;
        }

        return new PrivateKeySecret(name, kind, full);
    }

    /// <summary>The SubjectPublicKeyInfo of the private key in <paramref name="bytes"/>, or null when it is none of the kind.</summary>
    private static byte[]? LoadPrivateKey(byte[] bytes, PrivateKeyKind kind)
    {
        string? pem = null;
        try
        {
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                pem = text;
            }
        }
        catch (ArgumentException)
        {
        }

        if (kind is PrivateKeyKind.Any or PrivateKeyKind.Ecdsa)
        {
            using var ec = ECDsa.Create();
            if (TryImport(() =>
            {
                if (pem is not null)
                {
                    ec.ImportFromPem(pem);
                }
                else
                {
                    try
                    {
                        ec.ImportPkcs8PrivateKey(bytes, out _);
                    }
                    catch (CryptographicException)
                    {
                        ec.ImportECPrivateKey(bytes, out _);
                    }
                }
            }))
            {
                return ec.ExportSubjectPublicKeyInfo();
            }
        }

        if (kind is PrivateKeyKind.Any or PrivateKeyKind.Rsa)
        {
            using var rsa = RSA.Create();
            if (TryImport(() =>
            {
                if (pem is not null)
                {
                    rsa.ImportFromPem(pem);
                }
                else
                {
                    try
                    {
                        rsa.ImportPkcs8PrivateKey(bytes, out _);
                    }
                    catch (CryptographicException)
                    {
                        rsa.ImportRSAPrivateKey(bytes, out _);
                    }
                }
            }))
            {
                return rsa.ExportSubjectPublicKeyInfo();
            }
        }

        return null;

        static bool TryImport(Action import)
        {
            try
            {
                import();
                return true;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                return false;
            }
        }
    }

    private void CheckPrivateKeyFor(TomlTableNode table, string path, string certificateFile)
    {
        byte[] spki;
        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificateFromFile(certificateFile);
            spki = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return;   // already reported when the certificate was read
        }

        if (!privateKeyInfos.Any(k => k.AsSpan().SequenceEqual(spki)))
        {
            Error(table.Find("certs")!.Value, $"{path}.certs[0]",
                privateKeyInfos.Count == 0
                    ? $"no private key for certificate \"{Path.GetFileName(certificateFile)}\"; add [secrets.private-NAME] with file = \"KEY.pem\""
                    : $"none of the private keys in [secrets] belongs to certificate \"{Path.GetFileName(certificateFile)}\" (their public keys differ)");
        }
    }

    // ---------------------------------------------------------------- daemon

    private DaemonSettings ReadDaemon(TomlTableNode? table)
    {
        var defaults = new DaemonSettings();
        if (table is null)
        {
            return defaults;
        }

        const string path = "daemon";
        CheckKeys(table, path, DaemonKeys);
        string? socket = String(table, path, "control_socket");
        if (socket is { Length: 0 })
        {
            Error(table.Find("control_socket")!.Value, "daemon.control_socket", "empty path; leave the key out for /run/ikesharp/ikesharp.sock");
            socket = null;
        }

        string? tun = String(table, path, "tun_name");
        if (tun is not null && (tun.Length is 0 or > 15 || tun.Any(c => char.IsWhiteSpace(c) || c == '/')))
        {
            Error(table.Find("tun_name")!.Value, "daemon.tun_name", $"\"{tun}\" is not a valid interface name: 1 to 15 characters without spaces or '/'");
            tun = null;
        }

        var levels = new Dictionary<string, ConfigLogLevel>(StringComparer.Ordinal);
        if (Table(table, path, "log") is { } log)
        {
            CheckKeys(log, "daemon.log", LogSubsystems);
            foreach (string subsystem in LogSubsystems)
            {
                if (Enum(log, "daemon.log", subsystem, LevelValues) is { } level)
                {
                    levels[subsystem] = level;
                }
            }
        }

        TimeSpan? halfOpen = Duration(table, path, "half_open_timeout");
        if (halfOpen == TimeSpan.Zero)
        {
            Error(table.Find("half_open_timeout")!.Value, "daemon.half_open_timeout", "must be longer than 0s");
            halfOpen = null;
        }

        // RFC 7296 §2.12 allows reusing an exponential "for a short time": at most five minutes here.
        TimeSpan? keReuse = Duration(table, path, "ke_reuse_time");
        if (keReuse > IkeSharp.Core.Engine.EngineOptions.MaxKeyExchangeReuseTime)
        {
            Error(table.Find("ke_reuse_time")!.Value, "daemon.ke_reuse_time",
                $"must be at most {IkeSharp.Core.Engine.EngineOptions.MaxKeyExchangeReuseTime.TotalMinutes:0}m (RFC 7296 §2.12 allows reuse only for a short time); 0s, the default, turns reuse off");
            keReuse = null;
        }

        return new DaemonSettings
        {
            ControlSocket = socket is null ? defaults.ControlSocket : Resolve(socket),
            TunName = tun ?? defaults.TunName,
            Dataplane = Enum(table, path, "dataplane", DataplaneValues) ?? defaults.Dataplane,
            ReplayWindow = (uint)(Integer(table, path, "replay_window", 0, uint.MaxValue) ?? defaults.ReplayWindow),
            CookieThreshold = (int)(Integer(table, path, "cookie_threshold", 0, int.MaxValue) ?? defaults.CookieThreshold),
            CookieThresholdIp = (int)(Integer(table, path, "cookie_threshold_ip", 0, int.MaxValue) ?? defaults.CookieThresholdIp),
            BlockThreshold = (int)(Integer(table, path, "block_threshold", 0, int.MaxValue) ?? defaults.BlockThreshold),
            HalfOpenTimeout = halfOpen ?? defaults.HalfOpenTimeout,
            KeReuseTime = keReuse ?? defaults.KeReuseTime,
            IkeSaLimit = (int)(Integer(table, path, "ikesa_limit", 0, int.MaxValue) ?? defaults.IkeSaLimit),
            IkeSasPerIdentity = (int)(Integer(table, path, "ike_sas_per_identity", 0, int.MaxValue) ?? defaults.IkeSasPerIdentity),
            AuthFailureLimit = (int)(Integer(table, path, "auth_failure_limit", 0, int.MaxValue) ?? defaults.AuthFailureLimit),
            AuthFailureWindow = AuthFailureWindow(table, path) ?? defaults.AuthFailureWindow,
            InformationalLimit = (int)(Integer(table, path, "informational_limit", 0, int.MaxValue) ?? defaults.InformationalLimit),
            LogLevels = levels,
            RetransmitTimeout = RetransmitTimeout(table, path) ?? defaults.RetransmitTimeout,
            RetransmitBase = Number(table, path, "retransmit_base", 1.0, 10.0) ?? defaults.RetransmitBase,
            RetransmitTries = (int)(Integer(table, path, "retransmit_tries", 0, 100) ?? defaults.RetransmitTries),
            KeyLog = String(table, path, "key_log") is { Length: > 0 } keyLog ? Resolve(keyLog) : null,
            KeepAlive = Duration(table, path, "keep_alive") ?? defaults.KeepAlive,

            // One reader thread per queue; Linux allows 256 queues per TUN device (MAX_TAP_QUEUES).
            TunQueues = (int)(Integer(table, path, "tun_queues", 1, Tun.TunDevice.MaxQueues) ?? defaults.TunQueues),
            Offload = Bool(table, path, "offload") ?? defaults.Offload,

            // An MTU below 68 is refused by Linux (ETH_MIN_MTU, RFC 791 §3.2); a path below 576 cannot carry every IPv4 datagram a host must accept.
            TunMtu = (int?)Integer(table, path, "tun_mtu", Tun.TunMtu.MinimumMtu, 65535),
            PathMtu = (int)(Integer(table, path, "path_mtu", 576, 65535) ?? defaults.PathMtu),
            RoutingTable = RoutingTableId(table, path) ?? defaults.RoutingTable,

            // 0 is the local table's rule; 32766 and 32767 are main's and default's, which ours must precede.
            RoutingTablePrio = (int)(Integer(table, path, "routing_table_prio", 1, Tun.RoutingTable.MaxPriority) ?? defaults.RoutingTablePrio),
        };
    }

    /// <summary>routing_table: a table id of the daemon's own (0: no routes); the host's reserved tables are refused.</summary>
    private uint? RoutingTableId(TomlTableNode table, string path)
    {
        long? id = Integer(table, path, "routing_table", 0, uint.MaxValue);
        string? reserved = id switch
        {
            253 => "253 is the kernel's 'default' table",
            254 => "254 is the main table, where the host's own routes live (a 0.0.0.0/0 selector would replace its default route)",
            255 => "255 is the local table, which the kernel keeps",
            _ => null,
        };
        if (reserved is not null)
        {
            Error(table.Find("routing_table")!.Value, "daemon.routing_table", $"{reserved}; pick a table of the daemon's own, such as 220 (strongSwan's default), or 0 to install no routes");
            return null;
        }

        return (uint?)id;
    }

    private TimeSpan? AuthFailureWindow(TomlTableNode table, string path)
    {
        TimeSpan? window = Duration(table, path, "auth_failure_window");
        if (window == TimeSpan.Zero)
        {
            Error(table.Find("auth_failure_window")!.Value, "daemon.auth_failure_window", "must be longer than 0s; to turn the limit off, set auth_failure_limit = 0");
            return null;
        }

        return window;
    }

    private TimeSpan? RetransmitTimeout(TomlTableNode table, string path)
    {
        TimeSpan? timeout = Duration(table, path, "retransmit_timeout");
        if (timeout is { } t && t < TimeSpan.FromMilliseconds(100))
        {
            Error(table.Find("retransmit_timeout")!.Value, "daemon.retransmit_timeout", "must be at least 100ms; strongSwan's default is 4s");
            return null;
        }

        return timeout;
    }

    /// <summary>An integer or a float from <paramref name="min"/> to <paramref name="max"/>.</summary>
    private double? Number(TomlTableNode table, string path, string key, double min, double max)
    {
        TomlEntry? entry = table.Find(key);
        if (entry is null)
        {
            return null;
        }

        double? value = entry.Value is TomlValueNode { Value: long l } ? l : entry.Value is TomlValueNode { Value: double d } ? d : null;
        if (value is null || value < min || value > max)
        {
            WrongType(entry.Value, Join(path, key), $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    // ---------------------------------------------------------------- values

    private void CheckKeys(TomlTableNode table, string path, IReadOnlyCollection<string> known)
    {
        foreach (TomlEntry entry in table.Entries)
        {
            if (known.Contains(entry.Key))
            {
                continue;
            }

            string keyPath = path.Length == 0 ? entry.Key : $"{path}.{entry.Key}";
            string? close = ConfigValues.Closest(entry.Key, known);
            string hint = close is not null ? $"did you mean {close}? " : string.Empty;
            Error(entry.Line, entry.Column, keyPath, $"unknown key \"{entry.Key}\"; {hint}valid keys here are {string.Join(", ", known)}");
        }
    }

    private TomlTableNode? Table(TomlTableNode parent, string path, string key)
    {
        TomlEntry? entry = parent.Find(key);
        if (entry is null)
        {
            return null;
        }

        if (entry.Value is TomlTableNode table)
        {
            return table;
        }

        WrongType(entry.Value, Join(path, key), $"a table ([{Join(path, key)}])");
        return null;
    }

    private string? String(TomlTableNode table, string path, string key)
    {
        TomlEntry? entry = table.Find(key);
        if (entry is null)
        {
            return null;
        }

        if (entry.Value is TomlValueNode { Value: string s })
        {
            return s;
        }

        WrongType(entry.Value, Join(path, key), "a string");
        return null;
    }

    private bool? Bool(TomlTableNode table, string path, string key)
    {
        TomlEntry? entry = table.Find(key);
        if (entry is null)
        {
            return null;
        }

        if (entry.Value is TomlValueNode { Value: bool b })
        {
            return b;
        }

        string hint = entry.Value is TomlValueNode { Value: string s } && s.ToLowerInvariant() is "yes" or "no" or "true" or "false"
            ? $"; write {key} = {(s.ToLowerInvariant() is "yes" or "true" ? "true" : "false")} without quotes"
            : string.Empty;
        WrongType(entry.Value, Join(path, key), "a boolean (true or false)", hint);
        return null;
    }

    private long? Integer(TomlTableNode table, string path, string key, long min, long max)
    {
        TomlEntry? entry = table.Find(key);
        if (entry is null)
        {
            return null;
        }

        long value;
        if (entry.Value is TomlValueNode { Value: long l })
        {
            value = l;
        }
        else if (entry.Value is TomlValueNode { Value: string s } && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
        {
            value = parsed;
        }
        else
        {
            WrongType(entry.Value, Join(path, key), $"an integer from {min} to {max}");
            return null;
        }

        if (value < min || value > max)
        {
            Error(entry.Value, Join(path, key), $"{value} is out of range; write an integer from {min} to {max}");
            return null;
        }

        return value;
    }

    private TimeSpan? Duration(TomlTableNode table, string path, string key)
    {
        TomlEntry? entry = table.Find(key);
        if (entry is null)
        {
            return null;
        }

        switch (entry.Value)
        {
            case TomlValueNode { Value: long seconds } when seconds >= 0 && seconds < int.MaxValue:
                return TimeSpan.FromSeconds(seconds);
            case TomlValueNode { Value: long seconds }:
                Error(entry.Value, Join(path, key), $"{seconds} seconds is out of range; write a duration such as \"30m\" or \"4h\"");
                return null;
            case TomlValueNode { Value: string s }:
                TimeSpan? duration = ConfigValues.ParseDuration(s, out string? error);
                if (error is not null)
                {
                    Error(entry.Value, Join(path, key), error);
                }

                return duration;
            default:
                WrongType(entry.Value, Join(path, key), "a duration (a string such as \"30m\" or \"4h\", or a number of seconds)");
                return null;
        }
    }

    private ulong? Size(TomlTableNode table, string path, string key)
    {
        TomlEntry? entry = table.Find(key);
        if (entry is null)
        {
            return null;
        }

        switch (entry.Value)
        {
            case TomlValueNode { Value: long n } when n >= 0:
                return (ulong)n;
            case TomlValueNode { Value: string s }:
                ulong? size = ConfigValues.ParseSize(s, out string? error);
                if (error is not null)
                {
                    Error(entry.Value, Join(path, key), error);
                }

                return size;
            default:
                WrongType(entry.Value, Join(path, key), "a size (a string such as \"1G\" or \"500M\", or a non-negative integer)");
                return null;
        }
    }

    private T? Enum<T>(TomlTableNode table, string path, string key, (string Name, T Value)[] values)
        where T : struct
    {
        string? text = String(table, path, key);
        if (text is null)
        {
            return null;
        }

        foreach ((string name, T value) in values)
        {
            if (name.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        string? close = ConfigValues.Closest(text, values.Select(v => v.Name));
        string hint = close is not null ? $"did you mean \"{close}\"? " : string.Empty;
        Error(table.Find(key)!.Value, Join(path, key), $"\"{text}\" is not valid; {hint}valid values are {string.Join(", ", values.Select(v => v.Name))}");
        return null;
    }

    private static string Name<T>((string Name, T Value)[] values, T value) where T : struct =>
        values.First(v => EqualityComparer<T>.Default.Equals(v.Value, value)).Name;

    /// <summary>A list of strings: an array of strings, or one string (split at commas, as swanctl.conf writes lists).</summary>
    private List<(string Text, TomlNode Node, string Path)> StringList(TomlTableNode table, string path, string key)
    {
        var result = new List<(string, TomlNode, string)>();
        TomlEntry? entry = table.Find(key);
        string keyPath = Join(path, key);
        switch (entry?.Value)
        {
            case null:
                break;
            case TomlValueNode { Value: string s }:
                foreach (string part in s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    result.Add((part, entry.Value, keyPath));
                }

                break;
            case TomlArrayNode array:
                for (int i = 0; i < array.Items.Count; i++)
                {
                    if (array.Items[i] is TomlValueNode { Value: string item })
                    {
                        result.Add((item, array.Items[i], $"{keyPath}[{i}]"));
                    }
                    else
                    {
                        WrongType(array.Items[i], $"{keyPath}[{i}]", "a string");
                    }
                }

                break;
            default:
                WrongType(entry.Value, keyPath, "a string or an array of strings");
                break;
        }

        return result;
    }

    /// <summary>File paths (resolved), each checked with <paramref name="check"/>; <paramref name="bad"/> when one failed.</summary>
    private List<string> Files(TomlTableNode table, string path, string key, Func<TomlNode, string, string, string, bool> check, out bool bad)
    {
        var result = new List<string>();
        bad = false;
        foreach ((string text, TomlNode node, string itemPath) in StringList(table, path, key))
        {
            string full = Resolve(text);
            if (check(node, itemPath, text, full))
            {
                result.Add(full);
            }
            else
            {
                bad = true;
            }
        }

        return result;
    }

    private bool Certificate(TomlNode node, string key, string written, string full)
    {
        if (ReadFile(node, key, written, full, "certificate") is not { } bytes)
        {
            return false;
        }

        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(bytes);
            return true;
        }
        catch (CryptographicException)
        {
            Error(node, key, $"\"{written}\" is not an X.509 certificate (PEM or DER)");
            return false;
        }
    }

    // A CRL file (RFC 5280 §5) in PEM ("X509 CRL", RFC 7468 §6) or DER; its signature is checked
    // against the issuing CA only when a peer's certificate is validated.
    private bool RevocationList(TomlNode node, string key, string written, string full)
    {
        if (ReadFile(node, key, written, full, "CRL") is not { } bytes)
        {
            return false;
        }

        Crypto.Auth.Outcome<IReadOnlyList<Crypto.Auth.CertificateRevocationList>> loaded = Crypto.Auth.CertificateRevocationList.Load(bytes);
        if (!loaded.Succeeded)
        {
            Error(node, key, $"\"{written}\" is not an X.509 CRL (PEM with -----BEGIN X509 CRL----- or DER): {loaded.Error}");
            return false;
        }

        return true;
    }

    private byte[]? ReadFile(TomlNode node, string key, string written, string full, string what)
    {
        string shown = written == full ? $"\"{written}\"" : $"\"{written}\" ({full})";
        try
        {
            return File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Error(node, key, $"{what} file {shown} does not exist (relative paths are taken from the directory of {Path.GetFileName(file)})");
        }
        catch (UnauthorizedAccessException)
        {
            Error(node, key, $"{what} file {shown} cannot be read: permission denied");
        }
        catch (IOException e)
        {
            Error(node, key, $"{what} file {shown} cannot be read: {e.Message}");
        }

        return null;
    }

    private string Resolve(string written) => Path.GetFullPath(written, baseDirectory);

    private void CheckFileMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & Others) != 0)
        {
            string octal = System.Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
            warnings.Add(new ConfigError(file, 0, 0, string.Empty,
                $"the file holds secrets but its mode {octal} lets group or others read it; run chmod 600 {path}"));
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Show(TimeSpan t) => t.TotalSeconds % 86400 == 0 ? $"{t.TotalDays:0}d"
        : t.TotalSeconds % 3600 == 0 ? $"{t.TotalHours:0}h"
        : t.TotalSeconds % 60 == 0 ? $"{t.TotalMinutes:0}m"
        : $"{t.TotalSeconds:0}s";

    private void WrongType(TomlNode node, string key, string expected, string hint = "") =>
        Error(node, key, $"expected {expected}, found {node.Shown}{hint}");

    private void Error(TomlNode node, string key, string message) => Error(node.Line, node.Column, key, message);

    private void Error(int line, int column, string key, string message) => errors.Add(new ConfigError(file, line, column, key, message));

    private void Warning(TomlNode node, string key, string message) => warnings.Add(new ConfigError(file, node.Line, node.Column, key, message));
}
