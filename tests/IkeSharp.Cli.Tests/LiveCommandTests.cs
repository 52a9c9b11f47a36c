namespace IkeSharp.Cli.Tests;

/// <summary><c>ikesharp demo</c> (live) and the control commands without a daemon, through the real command line.</summary>
public class LiveCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    [Fact]
    public void Demo_sets_up_carries_traffic_rekeys_and_deletes_over_loopback()
    {
        (int exit, string output, string err) = Run("demo", "--port", "15710");
        Assert.True(exit == 0, output + err);
        Assert.Contains("IKE SA established: SPIs", output, StringComparison.Ordinal);
        Assert.Contains("Child SA 'net' installed", output, StringComparison.Ordinal);
        Assert.Contains("100 IP packets each way through the tunnel", output, StringComparison.Ordinal);
        Assert.Contains("Child SA rekeyed with CREATE_CHILD_SA (REKEY_SA)", output, StringComparison.Ordinal);
        Assert.Contains("IKE SA rekeyed with CREATE_CHILD_SA", output, StringComparison.Ordinal);
        Assert.Contains("in  9200 bytes, 100 packets; out 9200 bytes, 100 packets", output, StringComparison.Ordinal);
        Assert.Contains("done: 0 SAs left at either end", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_netns_pings_through_a_tunnel_between_two_namespaces()
    {
        // CI runs as root, as the daemon needs; the demo refuses politely otherwise (exit 2).
        (int exit, string output, string err) = Run("demo", "--netns");
        Assert.True(exit == 0, output + err);
        Assert.Contains("Child SA net installed", output, StringComparison.Ordinal);
        Assert.Contains("3 packets transmitted, 3 received, 0% packet loss", output, StringComparison.Ordinal);
        Assert.Contains("in  252 bytes, 3 packets; out 252 bytes, 3 packets", output, StringComparison.Ordinal);
        Assert.Contains("1 IKE SA(s) deleted", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("up", "site-b")]
    [InlineData("down", "site-b")]
    [InlineData("reload")]
    [InlineData("rekey", "site-b")]
    public void Control_commands_without_a_daemon_say_so_and_exit_2(params string[] args)
    {
        string socket = Path.Combine(Path.GetTempPath(), "ikesharp-none-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        (int exit, string output, string err) = Run([.. args, "--control-socket", socket]);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains($"no daemon control socket at {socket}: is `ikesharp daemon` running?", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Up_without_a_name_is_a_usage_error()
    {
        (int exit, _, string err) = Run("up");
        Assert.NotEqual(0, exit);
        Assert.Contains("Required argument missing", err, StringComparison.Ordinal);
    }
}
