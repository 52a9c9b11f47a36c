namespace IkeSharp.Interop.Tests;

/// <summary>The harness itself: namespaces joined, strongSwan up with the cell's config loaded.</summary>
public class HarnessTests
{
    [Fact]
    public void StrongSwan_runs_in_its_namespace_with_the_connection_loaded_and_the_link_passes_traffic()
    {
        using var lab = new Lab("h");
        using var swan = new StrongSwan(lab);
        swan.Configure(InteropTests.PskX25519, Scenario.Psk, pki: null);
        swan.Start();

        Shell.Result conns = swan.Swan("--list-conns");
        Assert.True(conns.Ok, conns.Output);
        Assert.True(conns.Output.Contains("lab: IKEv2", StringComparison.Ordinal), conns.Output);
        Assert.True(conns.Output.Contains("remote: 10.1.0.0/24", StringComparison.Ordinal), conns.Output);

        Shell.Result ping = Shell.InNs(lab.Ours, "ping", "-c", "1", "-W", "2", lab.TheirsOuter);
        Assert.True(ping.Ok, ping.Output);
        Assert.Contains("charon", swan.Log, StringComparison.Ordinal);
    }
}
