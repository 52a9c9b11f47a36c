using System.Text;
using System.Text.Json;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Policy;
using IkeSharp.Daemon.Control;
using IkeSharp.Daemon.DataPlane;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>What the daemon runs with, once the config file has been read and its files loaded.</summary>
public sealed record RuntimeConfig(IReadOnlyList<ConnectionConfig> Connections, ICredentialStore Credentials, EngineOptions EngineOptions)
{
    /// <summary>[daemon] key_log: where to write Wireshark key tables; null (the default) writes none.</summary>
    public string? KeyLogPath { get; init; }
}

/// <summary>
/// The running daemon: one engine host with its UDP ports and data plane, and the control socket
/// that the CLI talks to (up, down, status, reload). Shutting down deletes every IKE SA with an
/// INFORMATIONAL Delete before the sockets close.
/// </summary>
public sealed class DaemonRuntime : IAsyncDisposable
{
    private readonly EngineHost host;
    private readonly ControlServer? control;
    private readonly Func<Task<RuntimeConfig>>? reload;
    private readonly ILogger log;

    private DaemonRuntime(EngineHost host, ControlServer? control, Func<Task<RuntimeConfig>>? reload, ILogger log)
    {
        this.host = host;
        this.control = control;
        this.reload = reload;
        this.log = log;
    }

    public EngineHost Host => host;

    /// <summary>
    /// Starts a daemon: binds the IKE and NAT-T ports every connection needs, opens the control
    /// socket (when <paramref name="controlSocket"/> is given), and brings up connections with
    /// start_action = start.
    /// </summary>
    public static DaemonRuntime Start(RuntimeConfig config, IDataPlane dataPlane, ILoggerFactory logs, string? controlSocket, Func<Task<RuntimeConfig>>? reload = null, IRandomSource? random = null) =>
        Start(config, _ => dataPlane, logs, controlSocket, reload, random);

    /// <summary>As above, with the data plane made for the host (it sends ESP from the host's NAT-T port).</summary>
    public static DaemonRuntime Start(RuntimeConfig config, Func<EngineHost, IDataPlane> dataPlane, ILoggerFactory logs, string? controlSocket, Func<Task<RuntimeConfig>>? reload = null, IRandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logs);
        ILogger log = logs.CreateLogger("default");
        EngineOptions options = config.KeyLogPath is null ? config.EngineOptions : config.EngineOptions with { ExportKeys = true };
        var engine = new IkeEngine(config.Connections, config.Credentials, AlgorithmRegistry.Default, random ?? new SystemRandom(), options);
        var host = new EngineHost(engine, dataPlane, logs.CreateLogger("ike"));
        if (config.KeyLogPath is not null)
        {
            host.KeyLog = new KeyLog(config.KeyLogPath);
            log.LogWarning("KEY LOGGING IS ON: every IKE and ESP key is written to {IkeFile} and {EspFile}; anyone who can read them can decrypt this gateway's traffic. Turn key_log off outside debugging.",
                host.KeyLog.IkePath, host.KeyLog.EspPath);
        }

        foreach ((IPEndPoint endpoint, bool natT) in Endpoints(config.Connections))
        {
            host.Bind(endpoint, natT);
        }

        host.Start();
        DaemonRuntime? runtime = null;
        ControlServer? control = null;
        if (controlSocket is not null)
        {
            control = new ControlServer(controlSocket, (request, token) => runtime!.HandleAsync(request, token), logs.CreateLogger("control"));
            log.LogInformation("control socket {Path} (mode 0600)", controlSocket);
        }

        runtime = new DaemonRuntime(host, control, reload, log);
        _ = host.InstallTrapsAsync(replace: false);
        runtime.StartConnections(config.Connections);
        return runtime;
    }

    /// <summary>
    /// The UDP endpoints to bind: per connection its local addresses (or the wildcard) on its IKE
    /// and NAT-T ports. A wildcard on a port and family covers any specific address there.
    /// </summary>
    public static IReadOnlyList<(IPEndPoint Endpoint, bool NatT)> Endpoints(IEnumerable<ConnectionConfig> connections)
    {
        var wanted = new List<(IPEndPoint, bool)>();
        foreach (ConnectionConfig c in connections)
        {
            IEnumerable<IPAddress> addresses = c.LocalAddrs.Count > 0 ? c.LocalAddrs : [IPAddress.Any, IPAddress.IPv6Any];
            foreach (IPAddress a in addresses)
            {
                wanted.Add((new IPEndPoint(a, c.LocalPort), false));
                wanted.Add((new IPEndPoint(a, c.LocalNatTPort), true));
            }
        }

        bool Covered(IPEndPoint e) => !IsAny(e.Address) && wanted.Any(w => IsAny(w.Item1.Address) && w.Item1.Port == e.Port && w.Item1.AddressFamily == e.AddressFamily);
        return [.. wanted.Where(w => !Covered(w.Item1)).DistinctBy(w => w.Item1)];
    }

    private static bool IsAny(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    private void StartConnections(IEnumerable<ConnectionConfig> connections)
    {
        foreach (Initiate initiate in EngineHost.StartActions(connections))
        {
            _ = host.InvokeAsync((e, now) =>
            {
                e.Execute(initiate, now);
                return 0;
            });
            log.LogInformation("{Name}: start_action = start, initiating", initiate.Connection);
        }
    }

    private async Task<ControlReply> HandleAsync(ControlRequest request, CancellationToken token) => request.Command switch
    {
        "up" => await UpAsync(Required(request), request.TimeoutSeconds, token).ConfigureAwait(false),
        "down" => await DownAsync(Required(request), request.TimeoutSeconds, token).ConfigureAwait(false),
        "status" => await StatusAsync().ConfigureAwait(false),
        "counters" => await CountersAsync().ConfigureAwait(false),
        "rekey" => await RekeyAsync(Required(request), child: false).ConfigureAwait(false),
        "rekey-child" => await RekeyAsync(Required(request), child: true).ConfigureAwait(false),
        "reload" => await ReloadAsync().ConfigureAwait(false),
        _ => new ControlReply(false, $"unknown command '{request.Command}'; the daemon understands up, down, rekey, rekey-child, status, counters and reload"),
    };

    private static string Required(ControlRequest request) =>
        string.IsNullOrEmpty(request.Name) ? throw new ArgumentException($"{request.Command} needs a connection name") : request.Name;

    /// <summary>
    /// Initiates a connection and waits, as <c>swanctl --initiate</c> does, until its Child SA is
    /// installed (or its IKE SA, when it has no children), or the negotiation fails.
    /// </summary>
    public async Task<ControlReply> UpAsync(string name, int timeoutSeconds, CancellationToken token = default)
    {
        var done = new TaskCompletionSource<ControlReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool wantsChild = true;
        void OnEvent(IkeEvent e)
        {
            if (e.Connection != name)
            {
                return;
            }

            switch (e)
            {
                case ChildSaInstalled c:
                    done.TrySetResult(new ControlReply(true, $"{name}: Child SA {c.Child} installed, SPIs {c.SpiIn:x8}_i {c.SpiOut:x8}_o, {c.Proposal}, {string.Join(",", c.LocalTs)} === {string.Join(",", c.RemoteTs)}"));
                    break;
                case IkeSaEstablished est when !wantsChild:
                    done.TrySetResult(new ControlReply(true, $"{name}: IKE SA established with {est.Remote} ({est.RemoteId})"));
                    break;
                case AuthFailed f:
                    done.TrySetResult(new ControlReply(false, $"{name}: authentication failed: {f.Reason}"));
                    break;
                case NegotiationFailed f:
                    done.TrySetResult(new ControlReply(false, $"{name}: negotiation failed: {f.Reason}"));
                    break;
                case IkeSaDeleted d:
                    done.TrySetResult(new ControlReply(false, $"{name}: the IKE SA went down before it was up: {d.Reason}"));
                    break;
                default:
                    break;
            }
        }

        host.EventRaised += OnEvent;
        try
        {
            wantsChild = await host.InvokeAsync((e, now) =>
            {
                ConnectionConfig config = e.Connections.FirstOrDefault(c => c.Name == name)
                    ?? throw new ArgumentException($"no connection named '{name}'; configured: {string.Join(", ", e.Connections.Select(c => c.Name))}");
                e.Execute(new Initiate(name), now);
                return config.Children.Count > 0;
            }).ConfigureAwait(false);
            Task finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(timeoutSeconds), token)).ConfigureAwait(false);
            return finished == done.Task ? await done.Task.ConfigureAwait(false) : new ControlReply(false, $"{name}: not up after {timeoutSeconds} s; the daemon keeps trying (see its log)");
        }
        finally
        {
            host.EventRaised -= OnEvent;
        }
    }

    /// <summary>Starts a rekey of every established IKE SA of a connection (RFC 7296 §2.18), or of each of their Child SAs (§2.8).</summary>
    public Task<ControlReply> RekeyAsync(string name, bool child) => host.InvokeAsync((e, now) =>
    {
        List<IkeSaInfo> sas = [.. e.IkeSas.Where(s => s.Connection == name && s.State == Core.Sa.IkeSaState.Established)];
        if (sas.Count == 0)
        {
            return new ControlReply(false, $"{name}: no established IKE SA to rekey");
        }

        int n = 0;
        foreach (IkeSaInfo sa in sas)
        {
            ulong spi = sa.IsInitiator ? sa.SpiI : sa.SpiR;
            if (child)
            {
                foreach (ChildSaInfo c in sa.Children)
                {
                    e.Execute(new RekeyChildSa(spi, c.SpiIn), now);
                    n++;
                }
            }
            else
            {
                e.Execute(new RekeyIkeSa(spi), now);
                n++;
            }
        }

        return new ControlReply(true, $"{name}: rekeying {n} {(child ? "Child" : "IKE")} SA(s)");
    });

    /// <summary>Deletes every IKE SA of a connection and waits for the peer's answers.</summary>
    public async Task<ControlReply> DownAsync(string name, int timeoutSeconds, CancellationToken token = default)
    {
        int count = await host.InvokeAsync((e, now) =>
        {
            if (!e.Connections.Any(c => c.Name == name) && !e.IkeSas.Any(s => s.Connection == name))
            {
                throw new ArgumentException($"no connection named '{name}'; configured: {string.Join(", ", e.Connections.Select(c => c.Name))}");
            }

            // Only an established SA can be deleted with an INFORMATIONAL exchange (RFC 7296 §1.4.1).
            // One already being deleted (the old SA after an IKE SA rekey, §2.8, or a second `down`)
            // is on its way out: wait for it with the others instead of refusing the whole command.
            int n = 0;
            foreach (IkeSaInfo sa in e.IkeSas.Where(s => s.Connection == name))
            {
                if (sa.State == Core.Sa.IkeSaState.Established)
                {
                    e.Execute(new DeleteIkeSa(sa.IsInitiator ? sa.SpiI : sa.SpiR), now);
                    n++;
                }
                else if (sa.State is Core.Sa.IkeSaState.Deleting or Core.Sa.IkeSaState.Dead)
                {
                    n++;
                }
            }

            return n;
        }).ConfigureAwait(false);
        if (count == 0)
        {
            return new ControlReply(true, $"{name}: no established IKE SA to close");
        }

        var until = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < until && await host.InvokeAsync((e, _) => e.IkeSas.Count(s => s.Connection == name)).ConfigureAwait(false) > 0)
        {
            await Task.Delay(50, token).ConfigureAwait(false);
        }

        return new ControlReply(true, $"{name}: {count} IKE SA(s) deleted");
    }

    public async Task<ControlReply> StatusAsync()
    {
        IReadOnlyList<StatusReport.IkeRow> rows = await StatusRowsAsync().ConfigureAwait(false);
        IReadOnlyList<TrapInfo> traps = (host.DataPlane as UserspaceDataPlane)?.Traps.Installed ?? [];
        StatusReport.Totals totals = await host.InvokeAsync((e, _) => StatusReport.Totals.Of(e, host.MailboxDrops)).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            StatusReport.WriteJson(w, rows, traps, totals);
        }

        return new ControlReply(true, StatusReport.Text(rows, traps), Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The daemon's counters alone (<c>ikesharp status --counters</c>), without a row per SA.</summary>
    public async Task<ControlReply> CountersAsync()
    {
        StatusReport.Totals totals = await host.InvokeAsync((e, _) => StatusReport.Totals.Of(e, host.MailboxDrops)).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            StatusReport.WriteCountersJson(w, totals);
        }

        return new ControlReply(true, StatusReport.CountersText(totals), Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public Task<IReadOnlyList<StatusReport.IkeRow>> StatusRowsAsync() =>
        host.InvokeAsync((e, now) => StatusReport.Rows(e.IkeSas, now, host.ChildDetails, host.DataPlane.Counters));

    /// <summary>Reads the config again; on any error the running config stays, and the reply says why.</summary>
    public async Task<ControlReply> ReloadAsync()
    {
        if (reload is null)
        {
            return new ControlReply(false, "this daemon was started without a config file to reload");
        }

        RuntimeConfig next;
        try
        {
            next = await reload().ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            log.LogWarning("reload failed, keeping the running config: {Reason}", e.Message);
            return new ControlReply(false, $"reload failed, the running config stays:\n{e.Message}");
        }

        await host.InvokeAsync((e, _) =>
        {
            e.Reconfigure(next.Connections, next.Credentials);
            return 0;
        }).ConfigureAwait(false);
        await host.InstallTrapsAsync(replace: true).ConfigureAwait(false);
        log.LogInformation("config reloaded: {Count} connection(s)", next.Connections.Count);
        return new ControlReply(true, $"reloaded: {next.Connections.Count} connection(s)");
    }

    /// <summary>Deletes every IKE SA (waiting up to two seconds for answers), then closes everything.</summary>
    public async ValueTask DisposeAsync()
    {
        log.LogInformation("shutting down: deleting IKE SAs");
        await host.DeleteAllAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        if (control is not null)
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }

        await host.DisposeAsync().ConfigureAwait(false);
    }
}
