namespace IkeSharp.Interop.Tests;

/// <summary>
/// Certificates revoked by a CRL (issue 7 §4), against strongSwan, in both roles: strongSwan's
/// certificate revoked by a CRL in our remote.crls, and ours revoked by a CRL in strongSwan's
/// x509crl directory with revocation = strict. Each fails IKE_AUTH, installs nothing for the lab
/// connection at either end, says why, and the unrelated "side" tunnel keeps carrying traffic.
/// </summary>
public class RevocationInteropTests
{
    private static readonly Cell Cell = InteropTests.EcdsaCerts;

    private static Shell.Result Initiate(Scenario s, bool oursInitiates) => oursInitiates
        ? s.Ours.Cli("up", "lab", "--timeout", "15")
        : s.Swan.Swan("--initiate", "--child", "net", "--timeout", "15");

    /// <summary>Nothing of the lab connection at either end, the side tunnel intact and carrying traffic, the daemon serving.</summary>
    private static void NothingInstalledAndSideIntact(Scenario s, string sideSpis)
    {
        s.WaitFor(() => Hostile.OurChildren(s, "net") == 0 && Hostile.TheirChildren(s, "net") == 0 && Hostile.TheirIkeSas(s, "lab") == 0 && s.OurIkeSaCount() == 1,
            "no lab SA at either end, only the side IKE SA at ours");
        s.Check(s.OurIkeSpis() == sideSpis, "the side IKE SA is the one from before");
        s.Check(Hostile.OurChildren(s, "side") == 1 && Hostile.TheirChildren(s, "side") == 1, "the side Child SA still installed at both ends");
        Hostile.MustPingSide(s, "after the refused lab connection");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Strongswans_certificate_revoked_by_our_crl_is_refused(bool oursInitiates)
    {
        using Scenario s = Scenario.Start(oursInitiates ? "crlti" : "crltr", Cell, oursInitiates, ourOptions: Hostile.WithSide(Cell, relay: false));
        Pki pki = s.Pki!;
        string crl = pki.IssueCrl(pki.TheirsCert);
        Hostile.RestartOurs(s, conf => conf.Replace($"cacerts = [\"{pki.CaCert}\"]", $"cacerts = [\"{pki.CaCert}\"]\ncrls = [\"{crl}\"]", StringComparison.Ordinal));
        Hostile.AddSide(s, Cell);
        Hostile.SideUp(s);
        string sideSpis = s.OurIkeSpis();

        Shell.Result up = Initiate(s, oursInitiates);
        s.Check(!up.Ok, $"the lab tunnel must not come up with strongSwan's certificate revoked: {up.Output}");
        s.WaitFor(() => s.Ours.Log.Contains("is revoked by the CRL of", StringComparison.Ordinal), "our log to say the certificate is revoked");
        string reason = s.Ours.Log.Split('\n').First(l => l.Contains("is revoked by the CRL of", StringComparison.Ordinal));
        s.Check(reason.Contains("authentication failed", StringComparison.Ordinal) && reason.Contains("theirs.interop.test", StringComparison.Ordinal) && reason.Contains("(keyCompromise)", StringComparison.Ordinal),
            $"the reason names the certificate and the CRL reason: {reason}");
        if (!oursInitiates)
        {
            // As responder we answer AUTHENTICATION_FAILED (RFC 7296 §2.21.2); strongSwan says it got it.
            s.WaitFor(() => s.Swan.Log.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal), "strongSwan to receive AUTHENTICATION_FAILED");
        }

        NothingInstalledAndSideIntact(s, sideSpis);
        Console.WriteLine("refused: " + reason.Trim());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Our_certificate_revoked_by_strongswans_crl_is_refused(bool oursInitiates)
    {
        using Scenario s = Scenario.Start(oursInitiates ? "crloi" : "crlor", Cell, oursInitiates, ourOptions: Hostile.WithSide(Cell, relay: false));
        Pki pki = s.Pki!;
        string crl = pki.IssueCrl(pki.OursCert);
        Hostile.GiveSwan(s, "x509crl", crl);
        Hostile.EditSwan(s, conf => conf.Replace("remote {\n            auth = pubkey\n", "remote {\n            auth = pubkey\n            revocation = strict\n", StringComparison.Ordinal));
        string crls = s.Swan.Swan("--list-certs", "--type", "x509_crl").Output;
        s.Check(crls.Contains("Interop CA", StringComparison.Ordinal), $"strongSwan holds the CRL: {crls}");
        Hostile.AddSide(s, Cell);
        Hostile.SideUp(s);
        string sideSpis = s.OurIkeSpis();

        Shell.Result up = Initiate(s, oursInitiates);
        s.Check(!up.Ok, $"the lab tunnel must not come up with our certificate revoked: {up.Output}");
        s.WaitFor(() => s.Swan.Log.Contains("certificate was revoked", StringComparison.Ordinal), "strongSwan to find our certificate revoked");
        s.WaitFor(() => s.Ours.Log.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal), "our log to report strongSwan's AUTHENTICATION_FAILED");
        NothingInstalledAndSideIntact(s, sideSpis);
        Console.WriteLine("strongSwan: " + string.Join(" | ", s.Swan.Log.Split('\n').Where(l => l.Contains("revoked", StringComparison.Ordinal)).Select(l => l.Trim())));
        Console.WriteLine("ours: " + string.Join(" | ", s.Ours.Log.Split('\n').Where(l => l.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal)).Select(l => l.Trim())));
    }
}

/// <summary>
/// AUTH signed by another key than the certificate's (issue 7 §4), strongSwan receiving: our
/// daemon sends its valid certificate but signs AUTH with an unrelated key (the test-only hook
/// IKESHARP_TEST_ONLY_SIGN_AUTH_WITH_ANOTHER_KEY). strongSwan must refuse with
/// AUTHENTICATION_FAILED; we log it and install nothing. The other direction cannot be made with
/// charon, which signs only with the private key matching its certificate; our receiving side is
/// covered ours against ours in CertificateAuthTests.Auth_signed_by_another_key_than_the_certificates_is_refused.
/// </summary>
public class ForgedAuthInteropTests
{
    private static readonly Cell Cell = InteropTests.EcdsaCerts;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Auth_signed_by_another_key_than_our_certificates_is_refused_by_strongswan(bool oursInitiates)
    {
        using Scenario s = Scenario.Start(oursInitiates ? "forgi" : "forgr", Cell, oursInitiates, ourOptions: Hostile.WithSide(Cell, relay: false));
        string other = Path.Combine(s.Pki!.Dir, "other.key");
        Shell.Must("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other);
        string? was = Environment.GetEnvironmentVariable("IKESHARP_TEST_ONLY_SIGN_AUTH_WITH_ANOTHER_KEY");
        Environment.SetEnvironmentVariable("IKESHARP_TEST_ONLY_SIGN_AUTH_WITH_ANOTHER_KEY", other);
        try
        {
            // The restarted daemon inherits the variable; the config itself is unchanged.
            Hostile.RestartOurs(s, conf => conf + "\n");
        }
        finally
        {
            Environment.SetEnvironmentVariable("IKESHARP_TEST_ONLY_SIGN_AUTH_WITH_ANOTHER_KEY", was);
        }

        // The console logger writes on its own thread: the line may follow the control socket.
        s.WaitFor(() => s.Ours.Log.Contains("IKESHARP_TEST_ONLY_SIGN_AUTH_WITH_ANOTHER_KEY is set", StringComparison.Ordinal), "the hook announced in our log");
        Hostile.AddSide(s, Cell);
        Hostile.SideUp(s);
        string sideSpis = s.OurIkeSpis();

        Shell.Result up = oursInitiates ? s.Ours.Cli("up", "lab", "--timeout", "15") : s.Swan.Swan("--initiate", "--child", "net", "--timeout", "15");
        s.Check(!up.Ok, $"the lab tunnel must not come up with our AUTH signed by another key: {up.Output}");

        // charon: "signature validation failed, looking for another key", then no trusted key: AUTHENTICATION_FAILED.
        s.WaitFor(() => s.Swan.Log.Contains("signature validation failed", StringComparison.Ordinal), "strongSwan to find our AUTH signature invalid");
        s.WaitFor(() => s.Ours.Log.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal), "our log to report strongSwan's AUTHENTICATION_FAILED");
        s.WaitFor(() => Hostile.OurChildren(s, "net") == 0 && Hostile.TheirChildren(s, "net") == 0 && Hostile.TheirIkeSas(s, "lab") == 0 && s.OurIkeSaCount() == 1,
            "no lab SA at either end, only the side IKE SA at ours");
        s.Check(s.OurIkeSpis() == sideSpis, "the side IKE SA is the one from before");
        Hostile.MustPingSide(s, "after the refused lab connection");
        Console.WriteLine("strongSwan: " + string.Join(" | ", s.Swan.Log.Split('\n').Where(l => l.Contains("signature validation failed", StringComparison.Ordinal) || l.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal)).Select(l => l.Trim())));
        Console.WriteLine("ours: " + string.Join(" | ", s.Ours.Log.Split('\n').Where(l => l.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal)).Select(l => l.Trim())));
    }
}

/// <summary>
/// Tampered and replayed IKE messages (issue 7 §4) between our daemon and strongSwan, through
/// relay.py's corrupt= and capture= rules. A message whose ICV fails is dropped silently (RFC 7296
/// §2.21: no answer, no state change); the initiator's retransmission gets the tunnel up. A replayed
/// request is answered from the response cache or dropped as out of window (§2.1, §2.2); either
/// way it creates nothing. The side tunnel keeps carrying traffic throughout.
/// </summary>
public class TamperReplayInteropTests
{
    private static readonly Cell Cell = InteropTests.PskX25519;
    private static readonly OurOptions Debug = new(Daemon: "[daemon.log]\nike = \"debug\"");

    [Fact]
    public void A_tampered_ike_auth_request_and_response_are_dropped_silently_and_retransmission_brings_the_tunnel_up()
    {
        using Scenario s = Scenario.Start("tamper", Cell, oursInitiates: true, relaySeed: 1, ourOptions: Hostile.WithSide(Cell, relay: true, Debug));
        // IKE_AUTH number 1 each way is the side tunnel's; number 2 is the lab's first try.
        using var relay = new HostileRelay(s, "corrupt=to-theirs:35:req:2", "corrupt=to-ours:35:resp:2");
        Hostile.AddSide(s, Cell);
        Hostile.SideUp(s);
        string sideSpis = s.OurIkeSpis();

        Shell.Result up = s.Ours.Cli("up", "lab", "--timeout", "40");
        s.Check(up.Ok, $"ikesharp up lab must succeed by retransmission: {up.Output}\n--- relay ---\n{relay.Output}");
        s.WaitFor(() => Hostile.OurChildren(s, "net") == 1 && Hostile.TheirChildren(s, "net") == 1, "the lab Child SA at both ends");
        s.MustPing(fromOurs: true, "after the tampered IKE_AUTH");
        s.MustPing(fromOurs: false, "after the tampered IKE_AUTH");

        string trace = relay.Output;
        int requests = relay.Count("to-theirs 35 req");
        int responses = relay.Count("to-ours 35 resp");
        s.Check(trace.Split('\n').Count(l => l.EndsWith(" corrupted", StringComparison.Ordinal)) == 2, $"the relay corrupted one request and one response:\n{trace}");

        // The corrupted request got no answer from strongSwan: after it, the next IKE_AUTH datagram
        // on the path is our retransmission, not a response; and there is one response fewer than requests.
        string[] lines = trace.Split('\n');
        int tampered = Array.FindIndex(lines, l => l.StartsWith("ike to-theirs 35 req", StringComparison.Ordinal) && l.EndsWith(" corrupted", StringComparison.Ordinal));
        string? next = lines.Skip(tampered + 1).FirstOrDefault(l => l.StartsWith("ike to-theirs 35 req", StringComparison.Ordinal) || l.StartsWith("ike to-ours 35 resp", StringComparison.Ordinal));
        s.Check(tampered >= 0 && next is not null && next.StartsWith("ike to-theirs 35 req", StringComparison.Ordinal), $"after the tampered request the next IKE_AUTH datagram is our retransmission: {next}\n{trace}");
        s.Check(requests >= 3 && responses <= requests - 1, $"IKE_AUTH requests {requests}, responses {responses}: the tampered request must go unanswered\n{trace}");

        // Ours dropped the tampered response, at debug, and retransmitted; strongSwan answered from its cache.
        s.Check(s.Ours.Log.Contains("dropped: undecryptable: IntegrityCheckFailed", StringComparison.Ordinal), "our debug log names the ICV failure");
        s.Check(s.Swan.Log.Contains("integrity check failed", StringComparison.Ordinal), "strongSwan's log names the ICV failure");
        s.Check(s.OurIkeSaCount() == 2 && s.TheirIkeSaCount() == 2, "one IKE SA each for lab and side at both ends, nothing more");
        s.Check(s.OurIkeSpis().Contains(sideSpis, StringComparison.Ordinal), "the side IKE SA untouched");
        Hostile.MustPingSide(s, "after the tampered IKE_AUTH");
        Console.WriteLine($"tamper: IKE_AUTH requests {requests}, responses {responses}\n{trace}");
        Console.WriteLine("ours: " + string.Join(" | ", s.Ours.Log.Split('\n').Where(l => l.Contains("dropped:", StringComparison.Ordinal)).Select(l => l.Trim())));
        Console.WriteLine("strongSwan: " + string.Join(" | ", s.Swan.Log.Split('\n').Where(l => l.Contains("integrity", StringComparison.OrdinalIgnoreCase) || l.Contains("retransmit", StringComparison.OrdinalIgnoreCase) || l.Contains("verification", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim())));
    }

    [Fact]
    public void Replayed_ike_auth_create_child_sa_and_informational_requests_create_nothing_at_either_end()
    {
        // strongSwan's DPD every 2 s gives INFORMATIONAL requests towards us whose message IDs move
        // on; a Child SA rekey from our end gives a CREATE_CHILD_SA and an INFORMATIONAL (Delete)
        // request towards strongSwan. Captured: our IKE_AUTH request of the lab connection (the
        // side's is number 1), our CREATE_CHILD_SA and INFORMATIONAL requests, strongSwan's first DPD.
        using Scenario s = Scenario.Start("replay", Cell, oursInitiates: true, relaySeed: 1, theirDpd: 2, ourOptions: Hostile.WithSide(Cell, relay: true, Debug));
        using var relay = new HostileRelay(s, "capture=to-theirs:35:req:2", "capture=to-theirs:36:req:1", "capture=to-theirs:37:req:1", "capture=to-ours:37:req:1");
        Hostile.AddSide(s, Cell);
        Hostile.SideUp(s);
        Shell.Result up = s.Ours.Cli("up", "lab", "--timeout", "30");
        s.Check(up.Ok, $"ikesharp up lab: {up.Output}");
        s.WaitFor(() => Hostile.OurChildren(s, "net") == 1 && Hostile.TheirChildren(s, "net") == 1, "the lab Child SA at both ends");
        string first = s.OurChildren().First(c => c.GetProperty("name").GetString() == "net").GetProperty("spi_in").GetString()!;
        s.Check(s.Ours.Cli("rekey", "lab", "--child").Ok, "ikesharp rekey lab --child");
        s.WaitFor(() => s.OurChildren().Any(c => c.GetProperty("name").GetString() == "net" && c.GetProperty("spi_in").GetString() != first)
            && Hostile.OurChildren(s, "net") == 1 && Hostile.TheirChildren(s, "net") == 1, "the lab Child SA rekeyed, one at each end");

        // Let strongSwan's message IDs move past the captured DPD request.
        s.WaitFor(() => relay.Count("to-ours 37 req") >= 3 && relay.Output.Split('\n').Count(l => l.EndsWith(" captured", StringComparison.Ordinal)) == 4,
            "three DPD requests from strongSwan and all four captures", seconds: 30);
        string ourSpis = s.OurIkeSpis();
        string ourChildren = string.Join(",", s.OurChildren().Select(c => c.GetProperty("spi_in").GetString()).Order(StringComparer.Ordinal));
        string theirSas = TheirSaIds(s);

        relay.Replay();
        s.WaitFor(() => relay.Output.Split('\n').Count(l => l.StartsWith("replayed ", StringComparison.Ordinal)) == 4, "the relay to replay the four captured requests");

        // Ours drops strongSwan's old DPD request as out of window (§2.2) and the response strongSwan
        // resends from its cache for our latest request (§2.1) as a response nobody asked for.
        s.WaitFor(() => s.Ours.Log.Contains("dropped: request out of window", StringComparison.Ordinal), "our debug log to show the replayed DPD request dropped");
        s.WaitFor(() => s.Swan.Log.Contains("received retransmit of request with ID 3, retransmitting response", StringComparison.Ordinal), "strongSwan to answer the replayed INFORMATIONAL from its cache");
        s.WaitFor(() => s.Ours.Log.Contains("dropped: response out of window", StringComparison.Ordinal), "our debug log to show the unrequested cached response dropped");

        // Give anything else a replay might provoke a few round trips, then nothing may have changed.
        Thread.Sleep(2000);
        s.Check(s.OurIkeSpis() == ourSpis, $"our IKE SAs unchanged: {ourSpis} -> {s.OurIkeSpis()}");
        string ourNow = string.Join(",", s.OurChildren().Select(c => c.GetProperty("spi_in").GetString()).Order(StringComparer.Ordinal));
        s.Check(ourNow == ourChildren, $"our Child SAs unchanged: {ourChildren} -> {ourNow}");
        string theirNow = TheirSaIds(s);
        s.Check(theirNow == theirSas, $"strongSwan's SAs unchanged: {theirSas} -> {theirNow}");
        s.Check(s.OurIkeSaCount() == 2 && s.TheirIkeSaCount() == 2 && s.TheirChildCount() == 2 && s.OurChildren().Count == 2, "two IKE SAs and two Child SAs at each end");
        s.MustPing(fromOurs: true, "after the replays");
        Hostile.MustPingSide(s, "after the replays");
        Console.WriteLine("relay: " + string.Join(" | ", relay.Output.Split('\n').Where(l => l.Contains("captured", StringComparison.Ordinal) || l.StartsWith("replayed", StringComparison.Ordinal))));
        Console.WriteLine("ours: " + string.Join(" | ", s.Ours.Log.Split('\n').Where(l => l.Contains("dropped:", StringComparison.Ordinal) || l.Contains("cached response", StringComparison.Ordinal)).Select(l => l.Trim())));
        Console.WriteLine("strongSwan: " + string.Join(" | ", s.Swan.Log.Split('\n').Where(l => l.Contains("retransmit of request", StringComparison.OrdinalIgnoreCase) || l.Contains("ignor", StringComparison.OrdinalIgnoreCase) || l.Contains("expected", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim())));
    }

    /// <summary>strongSwan's IKE and Child SAs by name and unique id ("lab: #2", "net: #3", ...), sorted.</summary>
    private static string TheirSaIds(Scenario s) =>
        string.Join(",", s.Swan.ListSas().Split('\n').Where(l => l.Contains("ESTABLISHED", StringComparison.Ordinal) || l.Contains("INSTALLED", StringComparison.Ordinal))
            .Select(l => l.Split(',')[0].Trim()).Order(StringComparer.Ordinal));
}
