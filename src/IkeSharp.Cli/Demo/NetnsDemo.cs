using System.Diagnostics;
using System.Globalization;
using IkeSharp.Daemon.Control;

namespace IkeSharp.Cli.Demo;

/// <summary>
/// <c>ikesharp demo --netns</c> (root): two network namespaces joined by a veth pair, each running
/// <c>ikesharp daemon</c> with its TUN device, a tunnel brought up with <c>ikesharp up</c>, and a
/// real ping from one LAN address to the other through ESP. Everything it made is removed after.
/// </summary>
internal static class NetnsDemo
{
    private const string NsA = "ikesharp-demo-a";
    private const string NsB = "ikesharp-demo-b";

    public static async Task<int> RunAsync(TextWriter output, TextWriter error)
    {
        if (Environment.UserName != "root")
        {
            await error.WriteLineAsync("ikesharp demo --netns: needs root (it creates network namespaces and TUN devices); run `ikesharp demo` without it to see the same over loopback").ConfigureAwait(false);
            return 2;
        }

        string dir = Directory.CreateTempSubdirectory("ikesharp-demo-").FullName;
        var daemons = new List<Process>();
        try
        {
            Cleanup();
            Must("ip", "netns", "add", NsA);
            Must("ip", "netns", "add", NsB);
            Must("ip", "link", "add", "ikdemo-a", "netns", NsA, "type", "veth", "peer", "name", "ikdemo-b", "netns", NsB);
            Side(NsA, "ikdemo-a", "10.99.0.1", "10.1.0.1");
            Side(NsB, "ikdemo-b", "10.99.0.2", "10.2.0.1");
            output.WriteLine("namespaces ikesharp-demo-a (10.99.0.1, LAN 10.1.0.1) and ikesharp-demo-b (10.99.0.2, LAN 10.2.0.1), joined by a veth pair");

            string psk = "demo-" + Guid.NewGuid().ToString("N");
            string socketA = Path.Combine(dir, "a.sock");
            string socketB = Path.Combine(dir, "b.sock");
            daemons.Add(StartDaemon(NsA, Config(dir, "a", socketA, "10.99.0.1", "10.99.0.2", "10.1.0.0/24", "10.2.0.0/24", psk)));
            daemons.Add(StartDaemon(NsB, Config(dir, "b", socketB, "10.99.0.2", "10.99.0.1", "10.2.0.0/24", "10.1.0.0/24", psk)));
            await WaitForSocket(socketA).ConfigureAwait(false);
            await WaitForSocket(socketB).ConfigureAwait(false);
            output.WriteLine("ikesharp daemon running in each namespace, each with its TUN device ikesharp0");

            ControlReply up = await ControlClient.SendAsync(socketA, new ControlRequest("up", "peer", 20)).ConfigureAwait(false);
            output.WriteLine($"ikesharp up peer: {up.Message}");
            if (!up.Ok)
            {
                return 1;
            }

            (int exit, string ping) = Run("ip", "netns", "exec", NsA, "ping", "-c", "3", "-i", "0.3", "-W", "2", "-I", "10.1.0.1", "10.2.0.1");
            output.WriteLine("ping -I 10.1.0.1 10.2.0.1 (through ESP):");
            foreach (string line in ping.Split('\n').Where(l => l.Contains("bytes from", StringComparison.Ordinal) || l.Contains("packet loss", StringComparison.Ordinal)))
            {
                output.WriteLine("  " + line.Trim());
            }

            ControlReply status = await ControlClient.SendAsync(socketA, new ControlRequest("status")).ConfigureAwait(false);
            output.WriteLine("status in ikesharp-demo-a:");
            output.Write(string.Concat(status.Message.Split('\n').Where(l => l.Length > 0).Select(l => "  " + l + "\n")));
            ControlReply down = await ControlClient.SendAsync(socketA, new ControlRequest("down", "peer", 10)).ConfigureAwait(false);
            output.WriteLine($"ikesharp down peer: {down.Message}");
            return exit == 0 && down.Ok ? 0 : 1;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ControlException or TimeoutException)
        {
            await error.WriteLineAsync($"ikesharp demo --netns: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            foreach (Process p in daemons)
            {
                Run("kill", "-TERM", p.Id.ToString(CultureInfo.InvariantCulture));
                if (!p.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    p.Kill(entireProcessTree: true);
                }

                p.Dispose();
            }

            Cleanup();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Cleanup()
    {
        Run("ip", "netns", "del", NsA);
        Run("ip", "netns", "del", NsB);
    }

    private static void Side(string ns, string veth, string outer, string inner)
    {
        Must("ip", "-n", ns, "link", "set", "lo", "up");
        Must("ip", "-n", ns, "addr", "add", outer + "/24", "dev", veth);
        Must("ip", "-n", ns, "link", "set", veth, "up");
        Must("ip", "-n", ns, "addr", "add", inner + "/24", "dev", "lo");
    }

    private static string Config(string dir, string name, string socket, string local, string remote, string localNet, string remoteNet, string psk)
    {
        string path = Path.Combine(dir, name + ".toml");
        File.WriteAllText(path, $"""
            [daemon]
            control_socket = "{socket}"

            [connections.peer]
            local_addrs = ["{local}"]
            remote_addrs = ["{remote}"]
            proposals = ["aes128gcm16-prfsha256-x25519"]
            [connections.peer.local]
            auth = "psk"
            id = "{local}"
            [connections.peer.remote]
            auth = "psk"
            id = "{remote}"
            [connections.peer.children.net]
            local_ts = ["{localNet}"]
            remote_ts = ["{remoteNet}"]
            esp_proposals = ["aes128gcm16"]

            [secrets.ike-peer]
            secret = "{psk}"
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>This same program, as `ikesharp daemon`, inside the namespace.</summary>
    private static Process StartDaemon(string ns, string config)
    {
        // The published apphost runs itself; anything else (dotnet, a test host) runs the assembly with dotnet.
        string self = Environment.ProcessPath ?? "dotnet";
        bool apphost = Path.GetFileNameWithoutExtension(self) == "ikesharp";
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", ns, apphost ? self : "dotnet" })
        {
            start.ArgumentList.Add(a);
        }

        if (!apphost)
        {
            start.ArgumentList.Add(typeof(NetnsDemo).Assembly.Location);
        }

        foreach (string a in new[] { "daemon", "--config", config })
        {
            start.ArgumentList.Add(a);
        }

        Process p = Process.Start(start) ?? throw new InvalidOperationException("cannot start ikesharp daemon");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitForSocket(string path)
    {
        var until = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (until.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"the daemon did not open {path} within 20 s");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static void Must(string file, params string[] args)
    {
        (int exit, string text) = Run(file, args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {text.Trim()}");
        }
    }

    private static (int Exit, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }
}
