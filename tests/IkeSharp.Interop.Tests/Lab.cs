namespace IkeSharp.Interop.Tests;

/// <summary>
/// Two network namespaces joined by a veth pair, each with an inner LAN address, as a site-to-site
/// VPN has: ours (10.99.0.1, LAN 10.1.0.1/24) and strongSwan's (10.99.0.2, LAN 10.2.0.1/24), or
/// with <c>ipv6</c> the same in IPv6 (fd00:99::1 and ::2, LANs fd01::/64 and fd02::/64), outside
/// and inside the tunnel. Names are the harness's own, so nothing else on the machine is touched;
/// disposing removes them.
/// </summary>
internal sealed class Lab : IDisposable
{
    /// <summary>The IPv4 outer addresses, which the test certificates name.</summary>
    public const string V4OursOuter = "10.99.0.1";
    public const string V4TheirsOuter = "10.99.0.2";

    public Lab(string tag, bool ipv6 = false, bool relay = false)
    {
        Ipv6 = ipv6;
        Relay = relay;
        OursOuter = ipv6 ? "fd00:99::1" : relay ? "10.99.1.1" : V4OursOuter;
        TheirsOuter = ipv6 ? "fd00:99::2" : relay ? "10.99.2.2" : V4TheirsOuter;

        // With the relay in between, each side talks to the relay's address on its own link.
        TheirsSeenByOurs = relay ? "10.99.1.254" : TheirsOuter;
        OursSeenByTheirs = relay ? "10.99.2.254" : OursOuter;
        OursInner = ipv6 ? "fd01::1" : "10.1.0.1";
        TheirsInner = ipv6 ? "fd02::1" : "10.2.0.1";
        OursNet = ipv6 ? "fd01::/64" : "10.1.0.0/24";
        TheirsNet = ipv6 ? "fd02::/64" : "10.2.0.0/24";
        Ours = $"isx-{tag}-a";
        Theirs = $"isx-{tag}-b";
        Middle = $"isx-{tag}-m";
        Dir = Path.Combine(Path.GetTempPath(), $"ikesharp-interop-{tag}-{Environment.ProcessId}");
        Down();
        Directory.CreateDirectory(Dir);
        Shell.Must("ip", "netns", "add", Ours);
        Shell.Must("ip", "netns", "add", Theirs);
        if (relay)
        {
            // ours -- isx-va | isx-ma [middle: relay.py] isx-mb | isx-vb -- theirs
            Shell.Must("ip", "netns", "add", Middle);
            Shell.Must("ip", "link", "add", "isx-va", "netns", Ours, "type", "veth", "peer", "name", "isx-ma", "netns", Middle);
            Shell.Must("ip", "link", "add", "isx-vb", "netns", Theirs, "type", "veth", "peer", "name", "isx-mb", "netns", Middle);
            Shell.Must("ip", "-n", Middle, "link", "set", "lo", "up");
            Shell.Must("ip", "-n", Middle, "addr", "add", TheirsSeenByOurs + "/24", "dev", "isx-ma");
            Shell.Must("ip", "-n", Middle, "addr", "add", OursSeenByTheirs + "/24", "dev", "isx-mb");
            Shell.Must("ip", "-n", Middle, "link", "set", "isx-ma", "up");
            Shell.Must("ip", "-n", Middle, "link", "set", "isx-mb", "up");
        }
        else
        {
            Shell.Must("ip", "link", "add", "isx-va", "netns", Ours, "type", "veth", "peer", "name", "isx-vb", "netns", Theirs);
        }

        Setup(Ours, "isx-va", OursOuter, OursInner);
        Setup(Theirs, "isx-vb", TheirsOuter, TheirsInner);
    }

    public bool Ipv6 { get; }

    /// <summary>An impairing relay (relay.py) in a third namespace between the two; see <see cref="Middle"/>.</summary>
    public bool Relay { get; }

    public string Middle { get; }

    /// <summary>Where our side sends IKE and ESP: strongSwan's address, or the relay's.</summary>
    public string TheirsSeenByOurs { get; }

    public string OursSeenByTheirs { get; }

    public string OursOuter { get; }

    public string TheirsOuter { get; }

    public string OursInner { get; }

    public string TheirsInner { get; }

    public string OursNet { get; }

    public string TheirsNet { get; }

    public string Ours { get; }

    public string Theirs { get; }

    /// <summary>Configs, logs and sockets of this lab.</summary>
    public string Dir { get; }

    /// <summary>Pings across the tunnel from one inner LAN to the other; Ok when every echo came back.</summary>
    public Shell.Result Ping(bool fromOurs, int count = 3)
    {
        string ns = fromOurs ? Ours : Theirs;
        string source = fromOurs ? OursInner : TheirsInner;
        string target = fromOurs ? TheirsInner : OursInner;
        return Shell.InNs(ns, "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "0.2", "-W", "2", "-I", source, target);
    }

    private void Setup(string ns, string veth, string outer, string inner)
    {
        // IPv6 addresses without duplicate address detection, so they are usable at once.
        string prefix = Ipv6 ? "/64" : "/24";
        string[] nodad = Ipv6 ? ["nodad"] : [];
        Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
        Shell.Must("ip", ["-n", ns, "addr", "add", outer + prefix, "dev", veth, .. nodad]);
        Shell.Must("ip", "-n", ns, "link", "set", veth, "up");

        // The inner LAN: an address on a dummy-like veth pair that stays inside the namespace.
        Shell.Must("ip", "-n", ns, "link", "add", "lan", "type", "veth", "peer", "name", "lanp");
        Shell.Must("ip", ["-n", ns, "addr", "add", inner + prefix, "dev", "lan", .. nodad]);
        Shell.Must("ip", "-n", ns, "link", "set", "lan", "up");
        Shell.Must("ip", "-n", ns, "link", "set", "lanp", "up");
        Shell.Must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        Shell.Must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    }

    private void Down()
    {
        foreach (string ns in new[] { Ours, Theirs, Middle })
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
