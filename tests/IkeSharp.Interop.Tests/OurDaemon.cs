using System.Text;
using System.Text.Json;

namespace IkeSharp.Interop.Tests;

/// <summary>
/// Our daemon as a user runs it: <c>ikesharp daemon --config FILE</c> in the lab's first namespace,
/// with the userspace data plane on a TUN device, commanded through its control socket by the
/// same CLI (<c>ikesharp up/down/status</c>). With <c>theirSide</c> it takes the lab's second
/// namespace (where strongSwan runs otherwise), for tests of two of ours against each other.
/// </summary>
internal sealed class OurDaemon : IDisposable
{
    private readonly Lab lab;
    private readonly StringBuilder output = new();
    private Process? process;

    public OurDaemon(Lab lab, bool theirSide = false)
    {
        this.lab = lab;
        TheirSide = theirSide;
        string name = theirSide ? "ikesharp-b" : "ikesharp";
        ConfigPath = Path.Combine(lab.Dir, name + ".toml");
        Socket = Path.Combine(lab.Dir, name + ".sock");
    }

    /// <summary>In the lab's second namespace, with its addresses, LAN and certificate.</summary>
    public bool TheirSide { get; }

    public string Namespace => TheirSide ? lab.Theirs : lab.Ours;

    public string LocalOuter => TheirSide ? lab.TheirsOuter : lab.OursOuter;

    /// <summary>The peer's address as this side sees it (the relay's, with one in between).</summary>
    public string RemoteSeen => TheirSide ? lab.OursSeenByTheirs : lab.TheirsSeenByOurs;

    public string RemoteOuter => TheirSide ? lab.OursOuter : lab.TheirsOuter;

    public string LocalNet => TheirSide ? lab.TheirsNet : lab.OursNet;

    public string RemoteNet => TheirSide ? lab.OursNet : lab.TheirsNet;

    public string ConfigPath { get; }

    public string Socket { get; }

    public string Log
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private static string CliPath => Path.Combine(AppContext.BaseDirectory, "ikesharp.dll");

    public void Configure(Cell cell, string psk, Pki? pki, bool initiator, int dpdDelay = 0, string? remoteId = null, string? keyLog = null, OurOptions? options = null)
    {
        string auth = cell.Auth == "psk" ? "psk" : "pubkey";
        var toml = new StringBuilder();
        toml.AppendLine(CultureInfoInvariant($"""
            [daemon]
            control_socket = "{Socket}"
            tun_name = "ikesharp0"
            retransmit_timeout = "1s"
            retransmit_base = 1.4
            retransmit_tries = {options?.RetransmitTries ?? 3}
            {options?.Daemon ?? ""}
            {(keyLog is null ? "" : $"key_log = \"{keyLog}\"")}

            [connections.lab]
            local_addrs = ["{LocalOuter}"]
            {(options?.AnyPeer == true ? "" : $"remote_addrs = [\"{RemoteSeen}\"]")}
            proposals = ["{cell.IkeProposal}"]
            dpd_delay = "{dpdDelay}s"
            {options?.Connection ?? ""}

            [connections.lab.local]
            auth = "{auth}"
            id = "{LocalOuter}"
            """));
        if (pki is not null && cell.Auth != "psk")
        {
            toml.AppendLine(CultureInfoInvariant($"certs = [\"{(TheirSide ? pki.TheirsCert : pki.OursCert)}\"]"));
        }

        toml.AppendLine(CultureInfoInvariant($"""

            [connections.lab.remote]
            auth = "{auth}"
            id = "{remoteId ?? RemoteOuter}"
            """));
        if (pki is not null && cell.Auth != "psk")
        {
            toml.AppendLine(CultureInfoInvariant($"cacerts = [\"{pki.CaCert}\"]"));
        }

        toml.AppendLine(CultureInfoInvariant($"""

            [connections.lab.children.net]
            local_ts = ["{LocalNet}"]
            remote_ts = ["{options?.RemoteTs ?? RemoteNet}"]
            esp_proposals = ["{cell.EspProposal}"]
            start_action = "{options?.StartAction ?? "none"}"
            dpd_action = "clear"
            {options?.Child ?? ""}

            """));
        if (cell.Auth == "psk")
        {
            toml.AppendLine(CultureInfoInvariant($"""
                [secrets.ike-lab]
                secret = "{psk}"
                """));
        }
        else
        {
            toml.AppendLine(CultureInfoInvariant($"""
                [secrets.private-ours]
                file = "{(TheirSide ? pki!.TheirsKey : pki!.OursKey)}"
                """));
        }

        File.WriteAllText(ConfigPath, toml.ToString());
        File.SetUnixFileMode(ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _ = initiator;
    }

    private static string CultureInfoInvariant(FormattableString s) => FormattableString.Invariant(s);

    public void Start()
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", Namespace, "dotnet", CliPath, "daemon", "--config", ConfigPath })
        {
            start.ArgumentList.Add(a);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the daemon");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(Socket))
        {
            if (DateTime.UtcNow > until || process.HasExited)
            {
                throw new InvalidOperationException($"our daemon did not come up:\n{Log}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>The daemon's resident set in KiB (VmRSS; `ip netns exec` execs, so the process is the daemon).</summary>
    public long RssKib()
    {
        foreach (string line in File.ReadLines($"/proc/{process!.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>Runs <c>ikesharp COMMAND ... --control-socket SOCKET</c>.</summary>
    public Shell.Result Cli(params string[] args) => Shell.Run("dotnet", [CliPath, .. args, "--control-socket", Socket]);

    public bool HasExited => process?.HasExited ?? true;

    /// <summary>One <c>ikesharp status --json</c>: IKE SAs (-1 when the daemon does not answer), their SPI pairs, the Child SAs.</summary>
    public DaemonStatus Status()
    {
        Shell.Result status = Cli("status", "--json");
        if (!status.Ok)
        {
            return new DaemonStatus(-1, "", []);
        }

        using JsonDocument doc = JsonDocument.Parse(status.Output);
        JsonElement sas = doc.RootElement.GetProperty("ike_sas");
        return new DaemonStatus(
            sas.GetArrayLength(),
            string.Join(";", sas.EnumerateArray().Select(s => s.GetProperty("initiator_spi").GetString() + "/" + s.GetProperty("responder_spi").GetString())),
            [.. sas.EnumerateArray().SelectMany(s => s.GetProperty("child_sas").EnumerateArray()).Select(c => c.Clone())]);
    }

    /// <summary>The Child SAs, with their SPIs and counters; none when the daemon does not answer.</summary>
    public IReadOnlyList<JsonElement> Children() => Status().Children;

    /// <summary>The IKE SAs' SPI pairs, to see a rekey replace them.</summary>
    public string IkeSpis() => Status().IkeSpis;

    /// <summary>IKE SAs in status; -1 when the daemon does not answer.</summary>
    public int IkeSaCount() => Status().IkeSaCount;

    /// <summary>SIGTERM, as systemd stops a service: the daemon deletes its SAs and exits.</summary>
    /// <summary>kill -9: no Delete leaves, the peer keeps its SAs (a crash, a power cut).</summary>
    public void Crash()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        // The old TUN device and control socket go with the process; a restart makes new ones.
        if (File.Exists(Socket))
        {
            File.Delete(Socket);
        }
    }

    public int Stop()
    {
        if (process is null || process.HasExited)
        {
            return process?.ExitCode ?? 0;
        }

        Shell.Run("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        Stop();
        process?.Dispose();
    }
}

/// <summary>
/// Extra lines for our daemon's config: in the connection section, in the child section, in
/// [daemon]; its start_action; <c>AnyPeer</c> to leave remote_addrs out (a responder for any address);
/// <c>RemoteTs</c> instead of the other LAN (0.0.0.0/0 for a full tunnel).
/// </summary>
internal sealed record OurOptions(string? Connection = null, string? Child = null, string StartAction = "none", bool AnyPeer = false, string? Daemon = null, int? RetransmitTries = null, string? RemoteTs = null);

/// <summary>What <c>ikesharp status --json</c> said: the IKE SA count (-1: no answer), "SPIi/SPIr" pairs joined by ';', the Child SAs.</summary>
internal sealed record DaemonStatus(int IkeSaCount, string IkeSpis, IReadOnlyList<JsonElement> Children);
