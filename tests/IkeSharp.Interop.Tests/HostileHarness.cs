using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace IkeSharp.Interop.Tests;

/// <summary>
/// What the hostile-peer tests (issue 7 §3, §4) add to a <see cref="Scenario"/>, without changing
/// the shared harness: a second, unrelated tunnel ("side": PSK, its own identities and LANs
/// 10.1.1.0/24 and 10.2.1.0/24) that must keep carrying traffic while the first one is attacked;
/// restarts of either daemon with an edited config; and strongSwan's config edited in place.
/// </summary>
internal static partial class Hostile
{
    public const string SideOursId = "side-ours.interop.test";
    public const string SideTheirsId = "side-theirs.interop.test";
    public const string SideOursInner = "10.1.1.1";
    public const string SideTheirsInner = "10.2.1.1";

    /// <summary>
    /// Our "side" connection, appended after the lab's child section (OurOptions.Child goes last in
    /// that section, and TOML lets further tables follow). Addresses as <see cref="Lab"/> picks them.
    /// </summary>
    public static OurOptions WithSide(Cell cell, bool relay, OurOptions? options = null)
    {
        string ours = relay ? "10.99.1.1" : Lab.V4OursOuter;
        string theirs = relay ? "10.99.1.254" : Lab.V4TheirsOuter;
        string side = $$"""

            [connections.side]
            local_addrs = ["{{ours}}"]
            remote_addrs = ["{{theirs}}"]
            proposals = ["{{cell.IkeProposal}}"]

            [connections.side.local]
            auth = "psk"
            id = "{{SideOursId}}"

            [connections.side.remote]
            auth = "psk"
            id = "{{SideTheirsId}}"

            [connections.side.children.side]
            local_ts = ["10.1.1.0/24"]
            remote_ts = ["10.2.1.0/24"]
            esp_proposals = ["{{cell.EspProposal}}"]

            [secrets.ike-side]
            id = ["{{SideOursId}}", "{{SideTheirsId}}"]
            secret = "{{Scenario.Psk}}"
            """;
        options ??= new OurOptions();
        return options with { Child = (options.Child ?? "") + side };
    }

    /// <summary>strongSwan's "side" connection and the LAN addresses of the side tunnel at both ends.</summary>
    public static void AddSide(Scenario s, Cell cell)
    {
        Shell.Must("ip", "-n", s.Lab.Ours, "addr", "add", SideOursInner + "/24", "dev", "lan");
        Shell.Must("ip", "-n", s.Lab.Theirs, "addr", "add", SideTheirsInner + "/24", "dev", "lan");
        EditSwan(s, conf => conf
            .Replace("connections {\n", $$"""
                connections {
                    side {
                        version = 2
                        local_addrs = {{s.Lab.TheirsOuter}}
                        remote_addrs = {{s.Lab.OursSeenByTheirs}}
                        proposals = {{cell.IkeProposal}}
                        encap = yes
                        mobike = no
                        local {
                            auth = psk
                            id = {{SideTheirsId}}
                        }
                        remote {
                            auth = psk
                            id = {{SideOursId}}
                        }
                        children {
                            side {
                                local_ts = 10.2.1.0/24
                                remote_ts = 10.1.1.0/24
                                esp_proposals = {{cell.EspProposal}}
                                start_action = none
                            }
                        }
                    }

                """, StringComparison.Ordinal)
            .Replace("secrets {\n", $$"""
                secrets {
                    ike-side {
                        id-1 = {{SideOursId}}
                        id-2 = {{SideTheirsId}}
                        secret = "{{Scenario.Psk}}"
                    }

                """, StringComparison.Ordinal));
    }

    /// <summary>Brings the side tunnel up from our end and waits for its Child SA at both ends.</summary>
    public static void SideUp(Scenario s)
    {
        Shell.Result up = s.Ours.Cli("up", "side", "--timeout", "30");
        s.Check(up.Ok, $"ikesharp up side failed ({up.ExitCode}): {up.Output}");
        s.WaitFor(() => OurChildren(s, "side") == 1 && TheirChildren(s, "side") == 1, "the side tunnel's Child SA at both ends", seconds: 30);
        MustPingSide(s, "after the side tunnel came up");
    }

    public static void MustPingSide(Scenario s, string when)
    {
        Shell.Result ping = Shell.InNs(s.Lab.Ours, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", SideOursInner, SideTheirsInner);
        s.Check(ping.Ok, $"ping through the side tunnel {when} failed:\n{ping.Output}");
    }

    /// <summary>Our installed Child SAs of one child name (status --json).</summary>
    public static int OurChildren(Scenario s, string name) =>
        s.OurChildren().Count(c => c.GetProperty("name").GetString() == name);

    /// <summary>strongSwan's installed Child SAs of one child name (lines "NAME: #N, reqid N, INSTALLED").</summary>
    public static int TheirChildren(Scenario s, string name) =>
        InstalledChild().Matches(s.Swan.ListSas()).Count(m => m.Groups[1].Value == name);

    /// <summary>strongSwan's established IKE SAs of one connection name.</summary>
    public static int TheirIkeSas(Scenario s, string name) =>
        EstablishedIke().Matches(s.Swan.ListSas()).Count(m => m.Groups[1].Value == name);

    private static string SwanDir(Scenario s) => Path.GetDirectoryName(s.Swan.LogPath)!;

    /// <summary>Rewrites strongSwan's swanctl.conf; with a charon running, loads it again (swanctl --load-all).</summary>
    public static void EditSwan(Scenario s, Func<string, string> edit, bool load = true)
    {
        string path = Path.Combine(SwanDir(s), "swanctl", "swanctl.conf");
        string before = File.ReadAllText(path);
        string after = edit(before);
        if (after == before)
        {
            throw new InvalidOperationException("the edit did not change swanctl.conf:\n" + before);
        }

        File.WriteAllText(path, after);
        if (load)
        {
            Shell.Result loaded = s.Swan.Swan("--load-all", "--noprompt", "--file", path);
            s.Check(loaded.Ok, $"swanctl --load-all after an edit failed:\n{loaded.Output}");
        }
    }

    /// <summary>A file for strongSwan's swanctl/DIR (x509crl, ...), loaded by the next --load-all.</summary>
    public static void GiveSwan(Scenario s, string subdirectory, string file)
    {
        string dir = Path.Combine(SwanDir(s), "swanctl", subdirectory);
        Directory.CreateDirectory(dir);
        File.Copy(file, Path.Combine(dir, Path.GetFileName(file)), true);
    }

    /// <summary>
    /// Starts charon again after <see cref="StrongSwan.Kill"/> (kill -9 leaves its vici socket and
    /// pid file behind; both go first, so Start waits for the new charon).
    /// </summary>
    public static void RestartSwan(Scenario s)
    {
        foreach (string stale in new[] { Path.Combine(SwanDir(s), "charon.vici"), Path.Combine(SwanDir(s), "run", "charon.pid") })
        {
            if (File.Exists(stale))
            {
                File.Delete(stale);
            }
        }

        s.Swan.Start();
    }

    /// <summary>Stops our daemon (SIGTERM, before any SA exists), edits its config, starts it again.</summary>
    public static void RestartOurs(Scenario s, Func<string, string> edit)
    {
        s.Ours.Stop();
        string before = File.ReadAllText(s.Ours.ConfigPath);
        string after = edit(before);
        if (after == before)
        {
            throw new InvalidOperationException("the edit did not change our config:\n" + before);
        }

        File.WriteAllText(s.Ours.ConfigPath, after);
        if (File.Exists(s.Ours.Socket))
        {
            File.Delete(s.Ours.Socket);
        }

        s.Ours.Start();
    }

    /// <summary>The time of day of the first line of <paramref name="log"/> holding <paramref name="fragment"/> (our log's "HH:mm:ss.fff" prefix).</summary>
    public static TimeSpan? LoggedAt(string log, string fragment)
    {
        foreach (string line in log.Split('\n'))
        {
            if (line.Contains(fragment, StringComparison.Ordinal) && TimePrefix().Match(line) is { Success: true } m)
            {
                return TimeSpan.ParseExact(m.Groups[1].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>
    /// A CRL of the lab's CA revoking the given certificate files (keyCompromise, since an hour
    /// ago), valid for a week, made with the BCL's CertificateRevocationListBuilder; returns its path.
    /// </summary>
    public static string IssueCrl(this Pki pki, params string[] revokedCertificates)
    {
        using X509Certificate2 caPublic = X509CertificateLoader.LoadCertificateFromFile(pki.CaCert);
        string caKeyPem = File.ReadAllText(pki.CaKey);
        using X509Certificate2 ca = caPublic.GetECDsaPublicKey() is not null ? WithEcKey(caPublic, caKeyPem) : WithRsaKey(caPublic, caKeyPem);
        var builder = new CertificateRevocationListBuilder();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (string file in revokedCertificates)
        {
            using X509Certificate2 revoked = X509CertificateLoader.LoadCertificateFromFile(file);
            builder.AddEntry(revoked, now.AddHours(-1), X509RevocationReason.KeyCompromise);
        }

        byte[] der = ca.GetECDsaPublicKey() is not null
            ? builder.Build(ca, 1, now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: now.AddMinutes(-10))
            : builder.Build(ca, 1, now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-10));
        string path = Path.Combine(pki.Dir, "ca.crl");
        File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", der));
        return path;
    }

    private static X509Certificate2 WithEcKey(X509Certificate2 certificate, string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return certificate.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 WithRsaKey(X509Certificate2 certificate, string pem)
    {
        using var key = RSA.Create();
        key.ImportFromPem(pem);
        return certificate.CopyWithPrivateKey(key);
    }

    [GeneratedRegex(@"(\w+): #\d+, reqid \d+, INSTALLED")]
    private static partial Regex InstalledChild();

    [GeneratedRegex(@"(\w+): #\d+, ESTABLISHED")]
    private static partial Regex EstablishedIke();

    [GeneratedRegex(@"^(\d\d:\d\d:\d\d\.\d\d\d) ")]
    private static partial Regex TimePrefix();
}

/// <summary>
/// relay.py with no loss, duplication or reordering but with hostile rules (corrupt= and capture=,
/// see relay.py), started in the lab's middle namespace in place of the scenario's impairing relay.
/// Its stdout (one line per IKE datagram) is collected as it comes.
/// </summary>
internal sealed class HostileRelay : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    public HostileRelay(Scenario s, params string[] rules)
    {
        s.StopRelay();
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", s.Lab.Middle, "python3", Path.Combine(AppContext.BaseDirectory, "relay.py"),
            s.Lab.TheirsSeenByOurs, s.Lab.OursSeenByTheirs, s.Lab.OursOuter, s.Lab.TheirsOuter, "1", "0", "0", "0" }.Concat(rules))
        {
            start.ArgumentList.Add(a);
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine("stderr: " + e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Thread.Sleep(500);
        if (process.HasExited)
        {
            throw new InvalidOperationException($"relay.py did not start:\n{Output}");
        }
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>IKE datagrams logged so far in one direction, exchange and kind ("to-theirs 35 req").</summary>
    public int Count(string what) => Output.Split('\n').Count(l => l.StartsWith("ike " + what + " ", StringComparison.Ordinal));

    /// <summary>Sends every captured datagram again (SIGUSR1).</summary>
    public void Replay() => Shell.Must("kill", "-USR1", process.Id.ToString(CultureInfo.InvariantCulture));

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Shell.Run("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
