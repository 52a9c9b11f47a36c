using System.CommandLine;
using System.Net;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;
using IkeSharp.Crypto.Auth;
using IkeSharp.Crypto.Proposals;
using IkeSharp.Daemon.Config;
using IkeSharp.Daemon.Load;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Cli.Load;

/// <summary>
/// <c>ikesharp load</c>: an IKEv2 initiator that sets up many IKE SAs against one responder (issue 6
/// §1) and reports setups per second, latency percentiles, failures by category and retransmissions.
/// Exit 0 when every setup succeeded, 1 when any failed, 2 for bad arguments.
/// </summary>
internal static class LoadCommand
{
    public const string DefaultProposal = "aes128gcm16-prfsha256-x25519";
    public const string DefaultEspProposal = "aes128gcm16";

    /// <summary>What the command line said, before it is checked.</summary>
    internal sealed record Arguments
    {
        public string? Remote { get; init; }
        public string? Local { get; init; }
        public int Count { get; init; }
        public int Concurrency { get; init; } = 10;
        public string Proposal { get; init; } = DefaultProposal;
        public string EspProposal { get; init; } = DefaultEspProposal;
        public string? Psk { get; init; }
        public string? Cert { get; init; }
        public string? Key { get; init; }
        public string? CaCert { get; init; }
        public bool Child { get; init; }
        public bool NoChild { get; init; }
        public double? Rate { get; init; }
        public string? Duration { get; init; }

        public string? Hold { get; init; }
        public bool Delete { get; init; }
        public string? Id { get; init; }
        public string? RemoteId { get; init; }
        public string? IdPattern { get; init; }
        public string? LocalTs { get; init; }
        public string? RemoteTs { get; init; }
        public bool Json { get; init; }
    }

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var remote = new Option<string>("--remote") { Description = "the responder: ADDR or ADDR:PORT (port 500 by default; [v6]:PORT for IPv6)", Required = true };
        var local = new Option<string?>("--local") { Description = "our address and port: ADDR or ADDR:PORT (default: the route's source address, an ephemeral port)" };
        var count = new Option<int>("--count", "-n") { Description = "IKE SAs to set up", Required = true };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "setups in flight at once", DefaultValueFactory = _ => 10 };
        var proposal = new Option<string>("--proposal") { Description = "IKE proposal(s), strongSwan keywords, comma-separated", DefaultValueFactory = _ => DefaultProposal };
        var espProposal = new Option<string>("--esp-proposal") { Description = "ESP proposal(s) for the Child SA", DefaultValueFactory = _ => DefaultEspProposal };
        var psk = new Option<string?>("--psk") { Description = "pre-shared key (RFC 7296 §2.15)" };
        var cert = new Option<string?>("--cert") { Description = "our certificate (PEM or DER); needs --key and --cacert" };
        var key = new Option<string?>("--key") { Description = "the private key of --cert" };
        var caCert = new Option<string?>("--cacert") { Description = "the CA the responder's certificate must chain to" };
        var child = new Option<bool>("--child") { Description = "a Child SA in each IKE_AUTH (the default)" };
        var noChild = new Option<bool>("--no-child") { Description = "IKE SAs only (childless IKE_AUTH, RFC 6023; the responder must announce support)" };
        var rate = new Option<double?>("--rate") { Description = "new initiations per second at most" };
        var duration = new Option<string?>("--duration") { Description = "stop initiating after this long (e.g. 30s, 2m, 500ms); setups then in flight count as unfinished" };
        var hold = new Option<string?>("--hold") { Description = "keep the SAs this long after the setups (e.g. 10m), answering the responder's liveness checks and rekeys; the report says what was lost" };
        var delete = new Option<bool>("--delete") { Description = "delete every IKE SA afterwards (INFORMATIONAL Delete)" };
        var id = new Option<string?>("--id") { Description = "our identity (default: our address)" };
        var remoteId = new Option<string?>("--remote-id") { Description = "the identity the responder must show (default: any)" };
        var idPattern = new Option<string?>("--id-pattern") { Description = "an identity per SA, %d replaced by its index: load-%d@example.org" };
        var localTs = new Option<string?>("--local-ts") { Description = "TSi to propose, comma-separated CIDRs (default 0.0.0.0/0)" };
        var remoteTs = new Option<string?>("--remote-ts") { Description = "TSr to propose (default 0.0.0.0/0)" };
        var json = new Option<bool>("--json") { Description = "print one line of JSON at the end, nothing else" };
        var command = new Command("load", "set up many IKE SAs against a responder and report setups/s, latency and failures")
        {
            remote, local, count, concurrency, proposal, espProposal, psk, cert, key, caCert, child, noChild, rate, duration, hold, delete, id, remoteId, idPattern, localTs, remoteTs, json,
        };
        command.SetAction((result, token) => RunAsync(
            new Arguments
            {
                Remote = result.GetValue(remote),
                Local = result.GetValue(local),
                Count = result.GetValue(count),
                Concurrency = result.GetValue(concurrency),
                Proposal = result.GetValue(proposal)!,
                EspProposal = result.GetValue(espProposal)!,
                Psk = result.GetValue(psk),
                Cert = result.GetValue(cert),
                Key = result.GetValue(key),
                CaCert = result.GetValue(caCert),
                Child = result.GetValue(child),
                NoChild = result.GetValue(noChild),
                Rate = result.GetValue(rate),
                Duration = result.GetValue(duration),
                Hold = result.GetValue(hold),
                Delete = result.GetValue(delete),
                Id = result.GetValue(id),
                RemoteId = result.GetValue(remoteId),
                IdPattern = result.GetValue(idPattern),
                LocalTs = result.GetValue(localTs),
                RemoteTs = result.GetValue(remoteTs),
                Json = result.GetValue(json),
            },
            stdout, stderr, Program.IsTerminal(stdout), token));
        return command;
    }

    public static async Task<int> RunAsync(Arguments args, TextWriter stdout, TextWriter stderr, bool terminal, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        (LoadProfile? profile, string? error) = Profile(args);
        if (profile is null)
        {
            await stderr.WriteLineAsync($"ikesharp load: {error}").ConfigureAwait(false);
            return 2;
        }

        bool showProgress = terminal && !args.Json;
        if (!args.Json)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"ikesharp load: {profile.Count} IKE SA(s) to {profile.Remote}, {profile.Concurrency} at a time{(profile.Rate is { } r ? $", at most {r}/s" : "")}, " +
                $"{TransformKeywords.FormatProposal(profile.IkeProposals[0])}{(profile.Child ? " / " + TransformKeywords.FormatProposal(profile.EspProposals[0]) : ", no Child SA")}")).ConfigureAwait(false);
        }

        var generator = new LoadGenerator(profile, TimeProvider.System, new SystemRandom());
        LoadReport report;
        try
        {
            report = await generator.RunAsync(showProgress ? p => stdout.Write("\r" + p.ToLine() + "   ") : null, token).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await stderr.WriteLineAsync($"ikesharp load: cannot use a UDP socket towards {profile.Remote}{(profile.Local is { } l ? $" from {l}" : "")}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (args.Json)
        {
            await stdout.WriteLineAsync(report.ToJson()).ConfigureAwait(false);
        }
        else
        {
            if (showProgress)
            {
                await stdout.WriteLineAsync().ConfigureAwait(false);
            }

            foreach (string line in report.ToLines())
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }
        }

        return report.Failed == 0 && report.Established > 0 ? 0 : 1;
    }

    /// <summary>Checks the arguments and reads the files they name; the error says what is wrong and what would do.</summary>
    internal static (LoadProfile? Profile, string? Error) Profile(Arguments a)
    {
        if (a.Count <= 0)
        {
            return (null, $"--count must be at least 1 (got {a.Count})");
        }

        if (a.Concurrency <= 0)
        {
            return (null, $"--concurrency must be at least 1 (got {a.Concurrency})");
        }

        if (a.Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            return (null, $"--rate must be a positive number of initiations per second (got {rate.ToString(CultureInfo.InvariantCulture)})");
        }

        if (a.Child && a.NoChild)
        {
            return (null, "--child and --no-child contradict each other; give one");
        }

        if (!TryEndpoint(a.Remote, 500, out IPEndPoint? remote))
        {
            return (null, $"--remote '{a.Remote}' is not an address or ADDR:PORT (e.g. 192.0.2.1 or 192.0.2.1:500)");
        }

        IPEndPoint? local = null;
        if (a.Local is not null && !TryEndpoint(a.Local, 0, out local))
        {
            return (null, $"--local '{a.Local}' is not an address or ADDR:PORT (e.g. 192.0.2.10 or 192.0.2.10:500)");
        }

        if (local is not null && local.AddressFamily != remote!.AddressFamily)
        {
            return (null, $"--local {local.Address} and --remote {remote.Address} are of different address families");
        }

        TimeSpan? duration = null;
        if (a.Duration is not null)
        {
            if (!TryDuration(a.Duration, out TimeSpan d) || d <= TimeSpan.Zero)
            {
                return (null, $"--duration '{a.Duration}' is not a positive duration; write e.g. 30s, 2m, 1h or 500ms");
            }

            duration = d;
        }

        TimeSpan? holdTime = null;
        if (a.Hold is not null)
        {
            if (!TryDuration(a.Hold, out TimeSpan h) || h <= TimeSpan.Zero)
            {
                return (null, $"--hold '{a.Hold}' is not a positive duration; write e.g. 30s, 10m or 1h");
            }

            holdTime = h;
        }

        ProposalListParseResult ike = ProposalParser.ParseList(a.Proposal, SecurityProtocol.Ike);
        if (!ike.IsSuccess)
        {
            return (null, $"--proposal: {ike.Error}");
        }

        ProposalListParseResult esp = ProposalParser.ParseList(a.EspProposal, SecurityProtocol.Esp);
        if (!esp.IsSuccess)
        {
            return (null, $"--esp-proposal: {esp.Error}");
        }

        if (a.IdPattern is not null && !a.IdPattern.Contains("%d", StringComparison.Ordinal))
        {
            return (null, $"--id-pattern '{a.IdPattern}' has no %d for the SA's index; write e.g. load-%d@example.org");
        }

        if (a.IdPattern is not null && a.Id is not null)
        {
            return (null, "--id and --id-pattern both set our identity; give one");
        }

        (IReadOnlyList<TrafficSelector>? tsi, string? tsiError) = Selectors(a.LocalTs, "--local-ts");
        (IReadOnlyList<TrafficSelector>? tsr, string? tsrError) = Selectors(a.RemoteTs, "--remote-ts");
        if (tsi is null || tsr is null)
        {
            return (null, tsiError ?? tsrError);
        }

        (LoadCredentials? credentials, string? credentialError) = Credentials(a);
        if (credentials is null)
        {
            return (null, credentialError);
        }

        var profile = new LoadProfile
        {
            Remote = remote!,
            Local = local,
            Count = a.Count,
            Concurrency = a.Concurrency,
            Rate = a.Rate,
            Duration = duration,
            Hold = holdTime,
            Delete = a.Delete,
            Child = !a.NoChild,
            IkeProposals = [.. ike.Proposals.Select(p => p.Transforms)],
            EspProposals = [.. esp.Proposals.Select(p => p.Transforms)],
            Credentials = credentials,
            LocalId = a.Id,
            IdPattern = a.IdPattern,
            RemoteId = a.RemoteId,
            LocalTs = tsi,
            RemoteTs = tsr,
        };

        // What the engine would refuse (a proposal without a PRF, say) is a usage error here, not a crash later.
        List<string> problems = PolicyValidation.Check(LoadConnections.Build(profile with { Count = 1 }, new IPEndPoint(remote!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0))[0]);
        return problems.Count > 0 ? (null, string.Join("; ", problems)) : (profile, null);
    }

    private static (LoadCredentials? Credentials, string? Error) Credentials(Arguments a)
    {
        if (a.Psk is not null && (a.Cert is not null || a.Key is not null))
        {
            return (null, "give --psk or --cert/--key, not both");
        }

        if (a.Psk is not null)
        {
            return a.Psk.Length == 0 ? (null, "--psk is empty") : (new LoadPsk(System.Text.Encoding.UTF8.GetBytes(a.Psk)), null);
        }

        if (a.Cert is null && a.Key is null)
        {
            return (null, "no credentials: give --psk SECRET, or --cert FILE --key FILE --cacert FILE");
        }

        if (a.Cert is null || a.Key is null || a.CaCert is null)
        {
            return (null, "--cert needs --key (its private key) and --cacert (the CA of the responder's certificate)");
        }

        try
        {
            Outcome<IReadOnlyList<X509Certificate2>> certificate = CertificateLoader.Load(File.ReadAllBytes(a.Cert));
            if (!certificate.Succeeded || certificate.Value!.Count == 0)
            {
                return (null, $"--cert {a.Cert} is not a certificate: {certificate.Error ?? "no certificate in the file"}");
            }

            Outcome<SigningKey> key = PrivateKeyLoader.Load(File.ReadAllBytes(a.Key));
            if (!key.Succeeded)
            {
                return (null, $"--key {a.Key}: {key.Error}");
            }

            if (!certificate.Value[0].PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.Value!.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                return (null, $"--key {a.Key} is not the private key of --cert {a.Cert}");
            }

            Outcome<IReadOnlyList<X509Certificate2>> ca = CertificateLoader.Load(File.ReadAllBytes(a.CaCert));
            if (!ca.Succeeded || ca.Value!.Count == 0)
            {
                return (null, $"--cacert {a.CaCert} is not a certificate: {ca.Error ?? "no certificate in the file"}");
            }

            return (new LoadCertificate(certificate.Value[0], key.Value, ca.Value[0]), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read a credential file: {e.Message}");
        }
    }

    private static (IReadOnlyList<TrafficSelector>? Selectors, string? Error) Selectors(string? text, string option)
    {
        if (text is null)
        {
            return ([TrafficSelector.Subnet("0.0.0.0/0")], null);
        }

        var selectors = new List<TrafficSelector>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            TrafficSelectorParseResult parsed = TrafficSelectorParser.Parse(part);
            if (parsed.IsDynamic)
            {
                return (null, $"{option}: dynamic is not supported here; write the address or subnet");
            }

            if (!parsed.IsSuccess)
            {
                return (null, $"{option}: {parsed.Error}");
            }

            selectors.Add(parsed.Selector!);
        }

        return selectors.Count == 0 ? (null, $"{option} is empty; write e.g. 10.1.0.0/24") : (selectors, null);
    }

    private static bool TryEndpoint(string? text, int defaultPort, out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (IPAddress.TryParse(text, out IPAddress? address))
        {
            endpoint = new IPEndPoint(address, defaultPort);
            return true;
        }

        if (IPEndPoint.TryParse(text, out IPEndPoint? parsed))
        {
            endpoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, defaultPort) : parsed;
            return true;
        }

        return false;
    }

    /// <summary>30s, 2m, 1h, 500ms, or a plain number of seconds.</summary>
    internal static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        string t = text.Trim();
        (string number, double scale) = t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1)
            : t.EndsWith('m') ? (t[..^1], 60)
            : t.EndsWith('h') ? (t[..^1], 3600)
            : (t, 1);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value * scale) || value * scale > TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
