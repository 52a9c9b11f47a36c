using System.Text.Json;
using System.Text.RegularExpressions;

namespace IkeSharp.Interop.Tests;

/// <summary>
/// One lab with strongSwan and our daemon configured for a cell, and the checks every interop
/// test makes; a failed check throws with both sides' logs, so CI shows what happened.
/// </summary>
internal sealed partial class Scenario : IDisposable
{
    public const string Psk = "interop-psk-0123456789abcdef";

    private Scenario(Lab lab, StrongSwan swan, OurDaemon ours, Pki? pki)
    {
        Lab = lab;
        Swan = swan;
        Ours = ours;
        Pki = pki;
    }

    public Lab Lab { get; }

    public StrongSwan Swan { get; }

    public OurDaemon Ours { get; }

    public Pki? Pki { get; }

    internal static Scenario Start(string tag, Cell cell, bool oursInitiates, string? theirPsk = null, int ourDpd = 0, int theirDpd = 0, Pki? theirPki = null, string? ourRemoteId = null, bool keyLog = false, OurOptions? ourOptions = null, bool ipv6 = false, Action<Pki>? tweakPki = null, int? relaySeed = null, string? theirLocalTs = null)
    {
        var lab = new Lab(tag, ipv6, relay: relaySeed is not null);
        Pki? pki = cell.Auth == "psk" ? null : new Pki(Path.Combine(lab.Dir, "pki"), cell.PkiAlgorithm);
        if (pki is not null)
        {
            tweakPki?.Invoke(pki);
        }

        var swan = new StrongSwan(lab);
        var ours = new OurDaemon(lab);
        var scenario = new Scenario(lab, swan, ours, pki);
        try
        {
            if (relaySeed is { } seed)
            {
                scenario.StartRelay(seed);
            }

            // With a PKI of its own, strongSwan still trusts our CA: only our side should refuse.
            swan.Configure(cell, theirPsk ?? Psk, theirPki ?? pki, dpdDelay: theirDpd, alsoTrustedCa: theirPki is null ? null : pki?.CaCert, localTs: theirLocalTs);
            swan.Start();
            ours.Configure(cell, Psk, pki, oursInitiates, ourDpd, ourRemoteId, keyLog ? Path.Combine(lab.Dir, "keys") : null, ourOptions);
            ours.Start();
            return scenario;
        }
        catch
        {
            scenario.Dispose();
            throw;
        }
    }

    public InvalidOperationException Failure(string what) =>
        new($"{what}\n--- ikesharp log ---\n{Ours.Log}\n--- charon log ---\n{Swan.Log}\n--- swanctl --list-sas ---\n{Swan.ListSas()}");

    public void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw Failure(what);
        }
    }

    /// <summary>Brings the tunnel up from our side (ikesharp up) or theirs (swanctl --initiate).</summary>
    public void Up(bool oursInitiates)
    {
        if (oursInitiates)
        {
            Shell.Result up = Ours.Cli("up", "lab", "--timeout", "20");
            Check(up.Ok, $"ikesharp up lab failed ({up.ExitCode}): {up.Output}");
        }
        else
        {
            Shell.Result up = Swan.Swan("--initiate", "--child", "net", "--timeout", "20");
            Check(up.Ok, $"swanctl --initiate failed ({up.ExitCode}): {up.Output}");
        }

        WaitFor(() => OurChildren().Count == 1 && TheirChildCount() == 1, "one Child SA at each end");
    }

    /// <summary>Our status as JSON: the Child SAs with their SPIs and counters.</summary>
    public IReadOnlyList<JsonElement> OurChildren() => Ours.Children();

    /// <summary>Our IKE SAs' SPI pairs, to see a rekey replace them.</summary>
    public string OurIkeSpis() => Ours.IkeSpis();

    public int OurIkeSaCount() => Ours.IkeSaCount();

    /// <summary>Installed Child SAs in strongSwan's list (lines "net: #N, reqid N, INSTALLED").</summary>
    public int TheirChildCount() => InstalledRegex().Matches(Swan.ListSas()).Count;

    public int TheirIkeSaCount() => EstablishedRegex().Matches(Swan.ListSas()).Count;

    /// <summary>strongSwan's inbound and outbound byte counters of its Child SA(s).</summary>
    public (long In, long Out) TheirBytes()
    {
        string list = Swan.ListSas();
        long bytesIn = BytesInRegex().Matches(list).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        long bytesOut = BytesOutRegex().Matches(list).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        return (bytesIn, bytesOut);
    }

    public (long In, long Out) OurBytes()
    {
        IReadOnlyList<JsonElement> children = OurChildren();
        return (children.Sum(c => c.GetProperty("bytes_in").GetInt64()), children.Sum(c => c.GetProperty("bytes_out").GetInt64()));
    }

    /// <summary>Pings across the tunnel from one LAN to the other; true when every echo came back.</summary>
    public Shell.Result Ping(bool fromOurs, int count = 3) => Lab.Ping(fromOurs, count);

    public void MustPing(bool fromOurs, string when)
    {
        Shell.Result ping = Ping(fromOurs);
        Check(ping.Ok, $"ping {(fromOurs ? "from our LAN to theirs" : "from their LAN to ours")} {when} failed:\n{ping.Output}");
    }

    /// <summary>A UDP stream through the tunnel with iperf3 (server on their LAN); returns the datagrams the server received.</summary>
    public long UdpStream(bool fromOurs, int seconds = 2)
    {
        string serverNs = fromOurs ? Lab.Theirs : Lab.Ours;
        string clientNs = fromOurs ? Lab.Ours : Lab.Theirs;
        string serverAddress = fromOurs ? Lab.TheirsInner : Lab.OursInner;
        string clientAddress = fromOurs ? Lab.OursInner : Lab.TheirsInner;
        var server = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", serverNs, "iperf3", "-s", "-1", "-B", serverAddress, "-p", "5201" })
        {
            server.ArgumentList.Add(a);
        }

        using Process s = Process.Start(server)!;
        Thread.Sleep(300);
        Shell.Result client = Shell.RunWithTimeout(TimeSpan.FromSeconds(seconds + 15), "ip", "netns", "exec", clientNs, "iperf3", "-u", "-c", serverAddress, "-B", clientAddress,
            "-p", "5201", "-b", "4M", "-l", "1200", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        if (!s.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            s.Kill();
        }

        Check(client.Ok, $"iperf3 UDP stream {(fromOurs ? "from our LAN" : "from their LAN")} failed:\n{client.Output}");
        using JsonDocument doc = JsonDocument.Parse(client.Output);
        JsonElement sum = doc.RootElement.GetProperty("end").GetProperty("sum");
        long packets = sum.GetProperty("packets").GetInt64();
        long lost = sum.GetProperty("lost_packets").GetInt64();
        return packets - lost;
    }

    /// <summary>A TCP stream through the tunnel with iperf3 (server on the other LAN); returns the octets the server received.</summary>
    public long TcpStream(bool fromOurs, int seconds = 3)
    {
        string serverNs = fromOurs ? Lab.Theirs : Lab.Ours;
        string clientNs = fromOurs ? Lab.Ours : Lab.Theirs;
        string serverAddress = fromOurs ? Lab.TheirsInner : Lab.OursInner;
        string clientAddress = fromOurs ? Lab.OursInner : Lab.TheirsInner;
        var server = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", serverNs, "iperf3", "-s", "-1", "-B", serverAddress, "-p", "5202" })
        {
            server.ArgumentList.Add(a);
        }

        using Process s = Process.Start(server)!;
        Thread.Sleep(300);
        Shell.Result client = Shell.RunWithTimeout(TimeSpan.FromSeconds(seconds + 20), "ip", "netns", "exec", clientNs, "iperf3", "-c", serverAddress, "-B", clientAddress,
            "-p", "5202", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        if (!s.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            s.Kill();
        }

        Check(client.Ok, $"iperf3 TCP stream {(fromOurs ? "from our LAN" : "from their LAN")} failed:\n{client.Output}");
        using JsonDocument doc = JsonDocument.Parse(client.Output);
        return doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bytes").GetInt64();
    }

    public void WaitFor(Func<bool> condition, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw Failure($"timed out after {seconds} s waiting for {what}");
            }

            Thread.Sleep(200);
        }
    }

    private Relay? relay;

    /// <summary>What relay.py did: datagrams in, dropped, duplicated, reordered (after it stops).</summary>
    public string RelayCounts => relay?.Counts ?? "";

    /// <summary>relay.py in the middle namespace: 20% loss, 20% duplication, 20% reordering, by seed.</summary>
    private void StartRelay(int seed) => relay = new Relay(Lab, seed);

    /// <summary>Stops the relay and keeps its counts in <see cref="RelayCounts"/>.</summary>
    public void StopRelay() => relay?.Stop();

    public void Dispose()
    {
        StopRelay();
        relay?.Dispose();
        Ours.Dispose();
        Swan.Dispose();
        Lab.Dispose();
    }

    [GeneratedRegex(@"INSTALLED, TUNNEL")]
    private static partial Regex InstalledRegex();

    [GeneratedRegex(@": #\d+, ESTABLISHED")]
    private static partial Regex EstablishedRegex();

    [GeneratedRegex(@"in\s+[0-9a-f]{8}(?:_i)?.*?,\s+(\d+) bytes,")]
    private static partial Regex BytesInRegex();

    [GeneratedRegex(@"out\s+[0-9a-f]{8}(?:_o)?.*?,\s+(\d+) bytes,")]
    private static partial Regex BytesOutRegex();
}
