namespace IkeSharp.Interop.Tests;

/// <summary>
/// Credentials that must not get in (issue 7 §4), against strongSwan: an expired and a not yet
/// valid certificate, and an identity other than the one configured. Each fails authentication,
/// installs nothing at either end, says why in our log, and leaves the daemon serving.
/// </summary>
public class AuthInteropTests
{
    [Theory]
    [InlineData(-400, -10, "expired on")]
    [InlineData(10, 400, "is not valid before")]
    public void A_certificate_outside_its_validity_fails_authentication(int fromDays, int toDays, string reason)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using Scenario s = Scenario.Start(fromDays < 0 ? "exp" : "nyv", InteropTests.EcdsaCerts, oursInitiates: true,
            tweakPki: pki => pki.ReissueTheirs(now.AddDays(fromDays), now.AddDays(toDays)));
        Shell.Result up = s.Ours.Cli("up", "lab", "--timeout", "15");
        s.Check(!up.Ok, $"the tunnel must not come up with strongSwan's certificate valid only from {fromDays} to {toDays} days: {up.Output}");
        s.Check(up.Output.Contains(reason, StringComparison.Ordinal) || s.Ours.Log.Contains(reason, StringComparison.Ordinal), $"the reason says '{reason}': {up.Output}");
        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirChildCount() == 0, "nothing installed at either end");
        s.Check(s.Ours.Cli("status").Ok, "the daemon still answers");
    }

    [Fact]
    public void A_peer_with_another_identity_than_configured_is_refused()
    {
        using Scenario s = Scenario.Start("id", InteropTests.EcdsaCerts, oursInitiates: false, ourRemoteId: "someone-else.interop.test");
        Shell.Result up = s.Swan.Swan("--initiate", "--child", "net", "--timeout", "15");
        s.Check(!up.Ok, $"strongSwan must not get in under an identity we do not expect: {up.Output}");
        s.WaitFor(() => s.Ours.Log.Contains("expects someone-else.interop.test", StringComparison.Ordinal), "our log to name the identity we expected");
        s.WaitFor(() => s.OurIkeSaCount() == 0 && s.TheirChildCount() == 0, "nothing installed at either end");
    }
}
