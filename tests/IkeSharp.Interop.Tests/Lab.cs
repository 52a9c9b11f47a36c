namespace IkeSharp.Interop.Tests;

/// <summary>
/// Two network namespaces joined by a veth pair, each with an inner LAN address, as a site-to-site
/// VPN has: ours (10.99.0.1, LAN 10.1.0.1/24) and strongSwan's (10.99.0.2, LAN 10.2.0.1/24). Names
/// are the harness's own, so nothing else on the machine is touched; disposing removes them.
/// </summary>
internal sealed class Lab : IDisposable
{
    public const string OursOuter = "10.99.0.1";
    public const string TheirsOuter = "10.99.0.2";
    public const string OursInner = "10.1.0.1";
    public const string TheirsInner = "10.2.0.1";
    public const string OursNet = "10.1.0.0/24";
    public const string TheirsNet = "10.2.0.0/24";

    public Lab(string tag)
    {
        Ours = $"isx-{tag}-a";
        Theirs = $"isx-{tag}-b";
        Dir = Path.Combine(Path.GetTempPath(), $"ikesharp-interop-{tag}-{Environment.ProcessId}");
        Down();
        Directory.CreateDirectory(Dir);
        Shell.Must("ip", "netns", "add", Ours);
        Shell.Must("ip", "netns", "add", Theirs);
        Shell.Must("ip", "link", "add", "isx-va", "netns", Ours, "type", "veth", "peer", "name", "isx-vb", "netns", Theirs);
        Setup(Ours, "isx-va", OursOuter, OursInner);
        Setup(Theirs, "isx-vb", TheirsOuter, TheirsInner);
    }

    public string Ours { get; }

    public string Theirs { get; }

    /// <summary>Configs, logs and sockets of this lab.</summary>
    public string Dir { get; }

    private static void Setup(string ns, string veth, string outer, string inner)
    {
        Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
        Shell.Must("ip", "-n", ns, "addr", "add", outer + "/24", "dev", veth);
        Shell.Must("ip", "-n", ns, "link", "set", veth, "up");

        // The inner LAN: an address on a dummy-like veth pair that stays inside the namespace.
        Shell.Must("ip", "-n", ns, "link", "add", "lan", "type", "veth", "peer", "name", "lanp");
        Shell.Must("ip", "-n", ns, "addr", "add", inner + "/24", "dev", "lan");
        Shell.Must("ip", "-n", ns, "link", "set", "lan", "up");
        Shell.Must("ip", "-n", ns, "link", "set", "lanp", "up");
        Shell.Must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    private void Down()
    {
        foreach (string ns in new[] { Ours, Theirs })
        {
            Shell.Run("ip", "netns", "del", ns);
        }
    }

    public void Dispose()
    {
        Down();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
