using System.Text.Json;
using System.Text.RegularExpressions;

namespace IkeSharp.Interop.Tests;

/// <summary>
/// <c>ikesharp load</c> (issue 6 §1) against Debian's strongSwan 5.9 as the responder, in the lab's
/// namespaces: every setup succeeds, and strongSwan's own list of SAs agrees with our count.
/// </summary>
public partial class LoadInteropTests
{
    private const string Psk = "interop-load-psk-0123456789abcdef";

    private static string CliPath => Path.Combine(AppContext.BaseDirectory, "ikesharp.dll");

    [GeneratedRegex(@"lab: #\d+, ESTABLISHED")]
    private static partial Regex EstablishedRegex();

    [GeneratedRegex(@"INSTALLED, TUNNEL")]
    private static partial Regex InstalledRegex();

    private static Shell.Result Load(Lab lab, params string[] args) =>
        Shell.RunWithTimeout(TimeSpan.FromMinutes(3), "ip", ["netns", "exec", lab.Ours, "dotnet", CliPath, "load", "--remote", lab.TheirsOuter, "--psk", Psk, "--json", .. args]);

    private static JsonElement Report(Shell.Result result, StrongSwan swan)
    {
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 1)
        {
            throw new InvalidOperationException($"ikesharp load printed {lines.Length} lines, not one:\n{result.Output}\n--- charon log ---\n{swan.Log}");
        }

        using JsonDocument doc = JsonDocument.Parse(lines[0]);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Load_sets_up_a_hundred_sas_at_strongswan_and_deletes_on_request()
    {
        using var lab = new Lab("ld");
        using var swan = new StrongSwan(lab);
        swan.ConfigureLoad("aes128gcm16-prfsha256-x25519", "aes128gcm16", Psk);
        swan.Start();
        try
        {
            SetUpAndDelete(lab, swan);
        }
        finally
        {
            // The load generator has exited: strongSwan's Delete for a hundred SAs would go unanswered
            // and swanctl --terminate would wait out every retransmission. A crashed peer's end will do.
            swan.Kill();
        }
    }

    [Fact]
    public void Childless_ike_sas_come_up_at_strongswan()
    {
        // RFC 6023: strongSwan 5.9 announces CHILDLESS_IKEV2_SUPPORTED and accepts IKE_AUTH without SA/TS.
        using var lab = new Lab("lc");
        using var swan = new StrongSwan(lab);
        swan.ConfigureLoad("aes128gcm16-prfsha256-x25519", "aes128gcm16", Psk);
        swan.Start();
        try
        {
            Shell.Result run = Load(lab, "--count", "10", "--concurrency", "5", "--no-child");
            JsonElement report = Report(run, swan);
            Assert.True(run.Ok, run.Output + swan.Log);
            Assert.Equal(10, report.GetProperty("established").GetInt32());
            string list = swan.ListSas();
            Assert.True(EstablishedRegex().Matches(list).Count == 10, $"strongSwan lists {EstablishedRegex().Matches(list).Count} IKE SAs:\n{list}");
            Assert.Empty(InstalledRegex().Matches(list));
        }
        finally
        {
            swan.Kill();
        }
    }

    [Fact]
    public void Load_with_ecdsa_certificates_and_ecp256_sets_up_sas_at_strongswan()
    {
        // issue 6's third cell: ECDSA P-256 certificates from one CA at both ends, ecp256. strongSwan
        // checks our certificate against its CA and our AUTH signature (RFC 7427); we check its.
        using var lab = new Lab("le");
        var pki = new Pki(Path.Combine(lab.Dir, "pki"), "ecdsa");
        using var swan = new StrongSwan(lab);
        swan.ConfigureLoad("aes128gcm16-prfsha256-ecp256", "aes128gcm16", Psk, pki);
        swan.Start();
        try
        {
            Shell.Result run = Shell.RunWithTimeout(TimeSpan.FromMinutes(3), "ip", ["netns", "exec", lab.Ours, "dotnet", CliPath, "load", "--remote", lab.TheirsOuter,
                "--count", "6", "--concurrency", "3", "--proposal", "aes128gcm16-prfsha256-ecp256",
                "--cert", pki.OursCert, "--key", pki.OursKey, "--cacert", pki.CaCert, "--remote-id", lab.TheirsOuter, "--json"]);
            JsonElement report = Report(run, swan);
            Assert.True(run.Ok, run.Output + swan.Log);
            Assert.Equal(6, report.GetProperty("established").GetInt32());
            Assert.Equal(0, report.GetProperty("failed").GetInt32());

            // strongSwan's view: six IKE SAs, each with its Child SA, each authenticated by our
            // certificate's subject (our IDi defaults to it) over ECDH P-256.
            string list = swan.ListSas();
            Assert.True(EstablishedRegex().Matches(list).Count == 6, $"strongSwan lists {EstablishedRegex().Matches(list).Count} IKE SAs:\n{list}");
            Assert.Equal(6, InstalledRegex().Matches(list).Count);
            Assert.Equal(6, Regex.Matches(list, "CN=ours.interop.test").Count);
            Assert.Equal(6, Regex.Matches(list, "ECP_256").Count);
        }
        finally
        {
            swan.Kill();
        }
    }

    private static void SetUpAndDelete(Lab lab, StrongSwan swan)
    {
        Shell.Result first = Load(lab, "--count", "100", "--concurrency", "20");
        JsonElement report = Report(first, swan);
        Assert.True(first.Ok, first.Output);
        Assert.Equal(100, report.GetProperty("established").GetInt32());
        Assert.Equal(0, report.GetProperty("failed").GetInt32());
        Assert.Empty(report.GetProperty("failures").EnumerateObject());

        // One identity for all, no INITIAL_CONTACT: strongSwan keeps every IKE SA with its Child SA.
        string list = swan.ListSas();
        Assert.True(EstablishedRegex().Matches(list).Count == 100, $"strongSwan lists {EstablishedRegex().Matches(list).Count} IKE SAs:\n{list}");
        Assert.Equal(100, InstalledRegex().Matches(list).Count);

        // A second run deletes what it set up: strongSwan is back to the first run's hundred.
        Shell.Result second = Load(lab, "--count", "30", "--concurrency", "10", "--delete", "--id-pattern", "load-%d@interop.test");
        Assert.True(second.Ok, second.Output + swan.Log);
        Assert.Equal(30, Report(second, swan).GetProperty("established").GetInt32());
        list = swan.ListSas();
        Assert.True(EstablishedRegex().Matches(list).Count == 100, $"after --delete strongSwan lists {EstablishedRegex().Matches(list).Count} IKE SAs:\n{list}");
        Assert.DoesNotContain("load-0@interop.test", list, StringComparison.Ordinal);
    }
}
