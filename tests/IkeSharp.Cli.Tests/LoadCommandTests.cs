using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto.Auth;
using IkeSharp.Crypto.Proposals;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Cli.Tests;

/// <summary>
/// <c>ikesharp load</c> through the real command line, in process, against our own responder (a
/// daemon runtime on loopback UDP, 127.0.0.2, ports 21700-21750 and 21860-21880 (21760-21781 are the
/// daemon tests'), one pair per test).
/// </summary>
public class LoadCommandTests
{
    private const string Psk = "load-test-psk-0123456789abcdef";

    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    /// <summary>Our daemon as a responder for any peer, with the DoS thresholds out of the way of one busy initiator.</summary>
    private sealed class Responder : IAsyncDisposable
    {
        private Responder(DaemonRuntime runtime) => Runtime = runtime;

        public DaemonRuntime Runtime { get; }

        public static Responder Start(int port, string psk = Psk)
        {
            var connection = new ConnectionConfig
            {
                Name = "loaded",
                LocalAddrs = [IPAddress.Parse("127.0.0.2")],
                LocalPort = port,
                LocalNatTPort = port + 1,
                Proposals = [ProposalParser.Parse("aes128gcm16-prfsha256-x25519", SecurityProtocol.Ike).Transforms],
                Local = new AuthConfig(AuthKind.Psk, "127.0.0.2"),
                Remote = new AuthConfig(AuthKind.Psk),
                Children =
                [
                    new ChildConfig
                    {
                        Name = "any",
                        LocalTs = [TrafficSelector.Subnet("0.0.0.0/0")],
                        RemoteTs = [TrafficSelector.Subnet("0.0.0.0/0")],
                        EspProposals = [ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp).Transforms],
                    },
                ],
            };

            // strongSwan's block_threshold (5 half-open SAs per address) would drop most of a load
            // generator's IKE_SA_INITs; a responder under test raises it, as charon's dos_protection = no does.
            return Start(connection, new SharedKeyStore().Add(System.Text.Encoding.UTF8.GetBytes(psk)));
        }

        /// <summary>
        /// A responder with an ECDSA P-256 certificate for 127.0.0.2 and an ecp256 proposal, which
        /// takes initiators whose certificates chain to <paramref name="authority"/>.
        /// </summary>
        public static Responder StartWithCertificate(int port, X509Certificate2 certificate, ECDsa key, X509Certificate2 authority)
        {
            var connection = new ConnectionConfig
            {
                Name = "loaded",
                LocalAddrs = [IPAddress.Parse("127.0.0.2")],
                LocalPort = port,
                LocalNatTPort = port + 1,
                Proposals = [ProposalParser.Parse("aes128gcm16-prfsha256-ecp256", SecurityProtocol.Ike).Transforms],
                Local = new AuthConfig(AuthKind.PublicKey, "127.0.0.2") { Certs = ["responder"] },
                Remote = new AuthConfig(AuthKind.PublicKey) { CaCerts = ["ca"] },
                Children =
                [
                    new ChildConfig
                    {
                        Name = "any",
                        LocalTs = [TrafficSelector.Subnet("0.0.0.0/0")],
                        RemoteTs = [TrafficSelector.Subnet("0.0.0.0/0")],
                        EspProposals = [ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp).Transforms],
                    },
                ],
            };
            return Start(connection, new CredentialStore().AddCertificate("responder", certificate, SigningKey.FromEcdsa(key)).AddAuthority("ca", authority));
        }

        private static Responder Start(ConnectionConfig connection, ICredentialStore credentials)
        {
            var options = new EngineOptions { CookieThreshold = 10_000, CookieThresholdPerAddress = 10_000, BlockThreshold = 10_000 };
            var config = new RuntimeConfig([connection], credentials, options);
            return new Responder(DaemonRuntime.Start(config, _ => new NullDataPlane(), NullLoggerFactory.Instance, null));
        }

        public Task<(int IkeSas, int ChildSas)> CountsAsync() => Runtime.Host.InvokeAsync((e, _) => (e.IkeSaCount, e.ChildSaCount));

        public Task<IReadOnlyList<IkeSaInfo>> SasAsync() => Runtime.Host.InvokeAsync((e, _) => e.IkeSas);

        public ValueTask DisposeAsync() => Runtime.DisposeAsync();
    }

    private static JsonElement SingleJsonLine(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        using JsonDocument doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Fifty_setups_ten_at_a_time_all_establish_and_the_responder_holds_fifty_sas()
    {
        await using Responder responder = Responder.Start(21700);
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21700", "--count", "50", "--concurrency", "10", "--psk", Psk, "--json");
        Assert.True(exit == 0, output + err);

        JsonElement report = SingleJsonLine(output);
        Assert.Equal(["established", "failed", "setups_per_second", "latency_ms", "retransmissions", "failures"], report.EnumerateObject().Select(p => p.Name));
        Assert.Equal(50, report.GetProperty("established").GetInt32());
        Assert.Equal(0, report.GetProperty("failed").GetInt32());
        Assert.True(report.GetProperty("setups_per_second").GetDouble() > 0);
        JsonElement latency = report.GetProperty("latency_ms");
        Assert.Equal(["p50", "p90", "p99"], latency.EnumerateObject().Select(p => p.Name));
        double p50 = latency.GetProperty("p50").GetDouble();
        double p90 = latency.GetProperty("p90").GetDouble();
        double p99 = latency.GetProperty("p99").GetDouble();
        Assert.True(p50 <= p90 && p90 <= p99, $"{p50} {p90} {p99}");
        Assert.True(report.GetProperty("retransmissions").GetInt64() >= 0);
        Assert.Empty(report.GetProperty("failures").EnumerateObject());

        // All fifty share one identity and none sent INITIAL_CONTACT (RFC 7296 §2.4), so the responder keeps every one.
        (int ikeSas, int childSas) = await responder.CountsAsync();
        Assert.Equal(50, ikeSas);
        Assert.Equal(50, childSas);
        IReadOnlyList<IkeSaInfo> sas = await responder.SasAsync();
        Assert.All(sas, sa => Assert.Equal("127.0.0.1", sa.RemoteId));
        Assert.All(sas, sa => Assert.Equal("0.0.0.0/0", Assert.Single(sa.Children).RemoteTs.Single().ToString()));
        Assert.Equal(50, sas.Select(sa => sa.SpiI).Distinct().Count());
    }

    [Fact]
    public async Task A_wrong_psk_fails_every_setup_as_an_authentication_failure()
    {
        await using Responder responder = Responder.Start(21710, psk: "a-different-psk-for-the-responder");
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21710", "--count", "12", "--concurrency", "4", "--psk", Psk, "--json");
        Assert.True(exit == 1, output + err);

        JsonElement report = SingleJsonLine(output);
        Assert.Equal(0, report.GetProperty("established").GetInt32());
        Assert.Equal(12, report.GetProperty("failed").GetInt32());
        JsonProperty failure = Assert.Single(report.GetProperty("failures").EnumerateObject());
        Assert.Equal("authentication_failed", failure.Name);
        Assert.Equal(12, failure.Value.GetInt32());
        Assert.Equal(0, (await responder.CountsAsync()).IkeSas);
    }

    [Fact]
    public async Task Delete_leaves_the_responder_without_any_sa()
    {
        await using Responder responder = Responder.Start(21720);
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21720", "--count", "50", "--concurrency", "10", "--psk", Psk, "--delete", "--json");
        Assert.True(exit == 0, output + err);
        Assert.Equal(50, SingleJsonLine(output).GetProperty("established").GetInt32());
        Assert.Equal((0, 0), await responder.CountsAsync());
    }

    [Fact]
    public async Task An_id_pattern_gives_each_sa_its_own_identity_and_the_text_report_says_what_happened()
    {
        await using Responder responder = Responder.Start(21730);
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21730", "--count", "6", "--concurrency", "3", "--rate", "1000", "--psk", Psk,
            "--id-pattern", "load-%d@example.org", "--local-ts", "10.1.0.0/16", "--remote-ts", "10.2.0.0/16");
        Assert.True(exit == 0, output + err);
        Assert.Contains("ikesharp load: 6 IKE SA(s) to 127.0.0.2:21730, 3 at a time, at most 1000/s, aes128gcm16-prfsha256-x25519 / aes128gcm16", output, StringComparison.Ordinal);
        Assert.Contains("established   6 of 6 started, 0 failed, 0 deleted", output, StringComparison.Ordinal);
        Assert.Contains("latency       p50 ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", output, StringComparison.Ordinal);

        IReadOnlyList<IkeSaInfo> sas = await responder.SasAsync();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"load-{i}@example.org"), sas.Select(sa => sa.RemoteId).Order(StringComparer.Ordinal));
        Assert.All(sas, sa => Assert.Equal("10.1.0.0/16", Assert.Single(sa.Children).RemoteTs.Single().ToString()));
    }

    [Fact]
    public async Task No_child_sets_up_childless_ike_sas()
    {
        await using Responder responder = Responder.Start(21740);
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21740", "--count", "5", "--concurrency", "5", "--psk", Psk, "--no-child", "--json");
        Assert.True(exit == 0, output + err);
        Assert.Equal(5, SingleJsonLine(output).GetProperty("established").GetInt32());
        Assert.Equal((5, 0), await responder.CountsAsync());
    }

    /// <summary>
    /// A P-256 CA, a certificate for the responder (SAN IP 127.0.0.2) and one for the load generator,
    /// made with the BCL; the generator's certificate, key and CA are written as PEM files for the
    /// command line, in a directory removed on dispose.
    /// </summary>
    private sealed class LoadPki : IDisposable
    {
        public LoadPki()
        {
            Dir = Directory.CreateTempSubdirectory("ikesharp-load-pki-").FullName;
            AuthorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=Load test CA, O=IkeSharp tests", AuthorityKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            (ResponderCertificate, ResponderKey) = Leaf("CN=responder.load.test", IPAddress.Parse("127.0.0.2"));
            (X509Certificate2 initiator, ECDsa initiatorKey) = Leaf("CN=initiator.load.test", IPAddress.Parse("127.0.0.1"));
            File.WriteAllText(CaFile, Authority.ExportCertificatePem());
            File.WriteAllText(CertFile, initiator.ExportCertificatePem());
            File.WriteAllText(KeyFile, initiatorKey.ExportPkcs8PrivateKeyPem());
            initiator.Dispose();
            initiatorKey.Dispose();
        }

        public string Dir { get; }

        public ECDsa AuthorityKey { get; }

        public X509Certificate2 Authority { get; }

        public X509Certificate2 ResponderCertificate { get; }

        public ECDsa ResponderKey { get; }

        public string CaFile => Path.Combine(Dir, "ca.pem");

        public string CertFile => Path.Combine(Dir, "initiator.pem");

        public string KeyFile => Path.Combine(Dir, "initiator-key.pem");

        public (X509Certificate2 Certificate, ECDsa Key) Leaf(string subject, IPAddress address)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            var sans = new SubjectAlternativeNameBuilder();
            sans.AddIpAddress(address);
            request.CertificateExtensions.Add(sans.Build());
            X509Certificate2 certificate = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
            return (certificate, key);
        }

        public void Dispose()
        {
            Authority.Dispose();
            AuthorityKey.Dispose();
            ResponderCertificate.Dispose();
            ResponderKey.Dispose();
            Directory.Delete(Dir, recursive: true);
        }
    }

    [Fact]
    public async Task Cert_sets_up_sas_with_ecdsa_p256_certificates_and_ecp256()
    {
        using var pki = new LoadPki();
        await using Responder responder = Responder.StartWithCertificate(21860, pki.ResponderCertificate, pki.ResponderKey, pki.Authority);
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21860", "--count", "8", "--concurrency", "4",
            "--proposal", "aes128gcm16-prfsha256-ecp256", "--cert", pki.CertFile, "--key", pki.KeyFile, "--cacert", pki.CaFile, "--json");
        Assert.True(exit == 0, output + err);

        JsonElement report = SingleJsonLine(output);
        Assert.Equal(8, report.GetProperty("established").GetInt32());
        Assert.Equal(0, report.GetProperty("failed").GetInt32());

        // The responder took our certificate: each SA is known by the certificate's subject (our IDi
        // defaults to it, RFC 7296 §3.5), and each has its Child SA.
        (int ikeSas, int childSas) = await responder.CountsAsync();
        Assert.Equal((8, 8), (ikeSas, childSas));
        IReadOnlyList<IkeSaInfo> sas = await responder.SasAsync();
        Assert.All(sas, sa => Assert.Contains("CN=initiator.load.test", sa.RemoteId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cert_refuses_a_responder_whose_certificate_is_not_from_the_cacert()
    {
        using var pki = new LoadPki();
        using var other = new LoadPki();
        await using Responder responder = Responder.StartWithCertificate(21870, other.ResponderCertificate, other.ResponderKey, pki.Authority);
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21870", "--count", "3", "--concurrency", "3",
            "--proposal", "aes128gcm16-prfsha256-ecp256", "--cert", pki.CertFile, "--key", pki.KeyFile, "--cacert", pki.CaFile, "--json");
        Assert.True(exit == 1, output + err);

        JsonElement report = SingleJsonLine(output);
        Assert.Equal(0, report.GetProperty("established").GetInt32());
        JsonProperty failure = Assert.Single(report.GetProperty("failures").EnumerateObject());
        Assert.Equal("authentication_failed", failure.Name);
        Assert.Equal(3, failure.Value.GetInt32());
    }

    [Fact]
    public void Cert_with_a_key_of_another_certificate_is_refused()
    {
        using var pki = new LoadPki();
        (X509Certificate2 stranger, ECDsa strangerKey) = pki.Leaf("CN=stranger.load.test", IPAddress.Loopback);
        string strangerKeyFile = Path.Combine(pki.Dir, "stranger-key.pem");
        File.WriteAllText(strangerKeyFile, strangerKey.ExportPkcs8PrivateKeyPem());
        stranger.Dispose();
        strangerKey.Dispose();
        (int exit, string output, string err) = Run("load", "--remote", "127.0.0.2:21880", "--count", "1", "--cert", pki.CertFile, "--key", strangerKeyFile, "--cacert", pki.CaFile);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains($"--key {strangerKeyFile} is not the private key of --cert {pki.CertFile}", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--count must be at least 1 (got 0)", "--count", "0", "--psk", "x")]
    [InlineData("--concurrency must be at least 1 (got -2)", "--count", "5", "--concurrency", "-2", "--psk", "x")]
    [InlineData("--proposal: ", "--count", "5", "--proposal", "aes128gcm16-prfsha256-x99999", "--psk", "x")]
    [InlineData("--esp-proposal: ", "--count", "5", "--esp-proposal", "aes128-sha256-bogus", "--psk", "x")]
    [InlineData("no credentials: give --psk SECRET, or --cert FILE --key FILE --cacert FILE", "--count", "5")]
    [InlineData("give --psk or --cert/--key, not both", "--count", "5", "--psk", "x", "--cert", "a.pem", "--key", "k.pem")]
    [InlineData("--cert needs --key (its private key) and --cacert", "--count", "5", "--cert", "a.pem")]
    [InlineData("--child and --no-child contradict each other", "--count", "5", "--psk", "x", "--child", "--no-child")]
    [InlineData("--id-pattern 'load@example.org' has no %d", "--count", "5", "--psk", "x", "--id-pattern", "load@example.org")]
    [InlineData("--rate must be a positive number", "--count", "5", "--psk", "x", "--rate", "0")]
    [InlineData("--duration 'soon' is not a positive duration", "--count", "5", "--psk", "x", "--duration", "soon")]
    [InlineData("--local-ts: ", "--count", "5", "--psk", "x", "--local-ts", "10.1.0.0/33")]
    public void Bad_arguments_are_refused_with_a_reason_and_exit_2(string expected, params string[] args)
    {
        (int exit, string output, string err) = Run(["load", "--remote", "127.0.0.2:21750", .. args]);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("ikesharp load: ", err, StringComparison.Ordinal);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_remote_that_is_no_address_is_refused()
    {
        (int exit, _, string err) = Run("load", "--remote", "gateway.example", "--count", "5", "--psk", "x");
        Assert.Equal(2, exit);
        Assert.Contains("--remote 'gateway.example' is not an address or ADDR:PORT", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_remote_or_count_is_a_usage_error()
    {
        (int exit, _, string err) = Run("load", "--psk", "x");
        Assert.NotEqual(0, exit);
        Assert.Contains("--remote", err, StringComparison.Ordinal);
        Assert.Contains("--count", err, StringComparison.Ordinal);
    }
}
