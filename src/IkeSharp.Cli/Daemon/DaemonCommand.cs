using System.Runtime.InteropServices;
using IkeSharp.Daemon.Config;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Daemon.Tun;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Cli.Daemon;

/// <summary>
/// <c>ikesharp daemon --config FILE [--control-socket PATH]</c>: runs in the foreground, logs one
/// line per event to stdout (systemd-friendly), reloads on SIGHUP and on <c>ikesharp reload</c>,
/// and on SIGTERM or SIGINT deletes its SAs with INFORMATIONAL Delete before it exits.
/// </summary>
internal static class DaemonCommand
{
    /// <summary>[daemon.log] levels by subsystem; a logger's category is its subsystem (ike, esp, tun, control, ikesharp).</summary>
    private static LogLevel MinimumLevel(DaemonSettings settings, string? category) =>
        (category is not null && settings.LogLevels.TryGetValue(category, out ConfigLogLevel level)) || settings.LogLevels.TryGetValue("default", out level)
            ? level switch
            {
                ConfigLogLevel.Trace => LogLevel.Trace,
                ConfigLogLevel.Debug => LogLevel.Debug,
                ConfigLogLevel.Info => LogLevel.Information,
                ConfigLogLevel.Warn => LogLevel.Warning,
                ConfigLogLevel.Error => LogLevel.Error,
                _ => LogLevel.None,
            }
            : LogLevel.Information;

    public static async Task<int> RunAsync(FileInfo configFile, string? controlSocketOverride, TextWriter stderr, CancellationToken token)
    {
        string path = configFile.FullName;
        RuntimeConfig runtime;
        IkeSharpConfig config;
        IReadOnlyList<ConfigError> warnings;
        // Test-only (issue 7 interop tests): sign our AUTH with another key than our certificate's.
        string? forgedAuthKey = Environment.GetEnvironmentVariable(RuntimeConfigBuilder.TestOnlyForgedAuthKeyVariable);
        try
        {
            (runtime, config, warnings) = RuntimeConfigBuilder.Load(path, forgedAuthKey);
        }
        catch (InvalidDataException e)
        {
            await stderr.WriteLineAsync($"ikesharp daemon: the configuration has errors; nothing started:\n{e.Message}").ConfigureAwait(false);
            return 1;
        }

        using ILoggerFactory logs = LoggerFactory.Create(b => b
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = false;
            })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter((category, level) => level >= MinimumLevel(config.Daemon, category)));
        ILogger log = logs.CreateLogger("default");
        foreach (ConfigError w in warnings)
        {
            log.LogWarning("config: {Warning}", w);
        }

        if (forgedAuthKey is not null)
        {
            log.LogWarning("{Variable} is set: AUTH is signed with {File}, not with the key of our certificate; every peer will refuse us (a test hook, never for use)",
                RuntimeConfigBuilder.TestOnlyForgedAuthKeyVariable, forgedAuthKey);
        }

        string socket = controlSocketOverride ?? config.Daemon.ControlSocket;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var reloads = new SemaphoreSlim(0);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; reloads.Release(); });

        TunInterface? tun = null;
        DaemonRuntime daemon;
        try
        {
            if (config.Daemon.Dataplane == Dataplane.Userspace)
            {
                // The MTU stays as it is on reload; a change of esp_proposals that needs a smaller one takes a restart (or tun_mtu).
                int mtu = config.Daemon.TunMtu ?? TunMtu.For(runtime.Connections, config.Daemon.PathMtu);
                tun = TunInterface.Open(config.Daemon.TunName, logs.CreateLogger("dataplane"), mtu, config.Daemon.TunQueues, config.Daemon.Offload, config.Daemon.RoutingTable, config.Daemon.RoutingTablePrio);
            }

            daemon = DaemonRuntime.Start(
                runtime,
                host => tun is null ? new XfrmDataPlane(logs.CreateLogger("dataplane")) : tun.Attach(new UserspaceDataPlane(tun, host, new Crypto.SystemRandom(), logs.CreateLogger("esp"), (int)config.Daemon.ReplayWindow)),
                logs,
                socket,
                () => Task.FromResult(RuntimeConfigBuilder.Load(path, forgedAuthKey).Runtime));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.Net.Sockets.SocketException or ArgumentException)
        {
            tun?.Dispose();
            await stderr.WriteLineAsync($"ikesharp daemon: cannot start: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (tun is not null)
        {
            daemon.Host.EnablePlainEsp();
        }

        daemon.Host.KeepAliveInterval = config.Daemon.KeepAlive;

        log.LogInformation("ikesharp daemon started: {Count} connection(s) from {Path}, data plane {DataPlane}", runtime.Connections.Count, path, daemon.Host.DataPlane.Name);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await reloads.WaitAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                log.LogInformation("SIGHUP: reloading {Path}", path);
                await daemon.ReloadAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            tun?.Dispose();
            log.LogInformation("ikesharp daemon stopped");
        }

        return 0;
    }
}
