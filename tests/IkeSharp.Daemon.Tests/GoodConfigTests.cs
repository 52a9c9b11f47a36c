using System.Net;
using IkeSharp.Core.Policy;
using IkeSharp.Daemon.Config;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Tests;

/// <summary>Valid configurations and the records they give, field by field.</summary>
public class GoodConfigTests
{
    private static IkeSharpConfig LoadValid(string toml, string? baseDirectory = null)
    {
        ConfigLoadResult result = ConfigLoader.Load(toml, "good.toml", baseDirectory ?? Path.GetTempPath());
        Assert.True(result.Errors.Count == 0, string.Join('\n', result.Errors));
        return Assert.IsType<IkeSharpConfig>(result.Config);
    }

    private static string P(IReadOnlyList<Transform> proposal) => TransformKeywords.FormatProposal(proposal);

    [Fact]
    public void Minimal_site_to_site_gives_the_expected_records()
    {
        IkeSharpConfig config = LoadValid(BrokenConfigTests.Base);
        ConnectionConfig c = Assert.Single(config.Connections);
        Assert.Equal("site-b", c.Name);
        Assert.Equal([IPAddress.Parse("10.99.0.1")], c.LocalAddrs);
        Assert.Equal([IPAddress.Parse("10.99.0.2")], c.RemoteAddrs);
        Assert.Equal((500, 500), (c.LocalPort, c.RemotePort));
        Assert.Equal("aes128gcm16-prfsha256-x25519", P(Assert.Single(c.Proposals)));
        Assert.Equal((AuthKind.Psk, "10.99.0.1"), (c.Local.Auth, c.Local.Id));
        Assert.Equal((AuthKind.Psk, "10.99.0.2"), (c.Remote.Auth, c.Remote.Id));
        Assert.Empty(c.Local.Certs);
        Assert.False(c.Encap);
        Assert.Null(c.DpdDelay);
        Assert.Equal(TimeSpan.FromHours(4), c.RekeyTime);
        Assert.Equal(TimeSpan.Zero, c.ReauthTime);
        Assert.Null(c.OverTime);
        Assert.Null(c.RandTime);
        Assert.Equal(UniquePolicy.No, c.Unique);
        Assert.False(c.AllowWeakGroups);
        Assert.True(c.SendInitialContact);
        Assert.True(c.Mobike);
        Assert.True(c.SendCertreq);

        ChildConfig child = Assert.Single(c.Children);
        Assert.Equal("net", child.Name);
        Assert.Equal("10.1.0.0/24", Assert.Single(child.LocalTs).ToString());
        Assert.Equal("10.2.0.0/24", Assert.Single(child.RemoteTs).ToString());
        Assert.False(child.LocalTsDynamic);
        Assert.False(child.RemoteTsDynamic);
        Assert.Equal("aes128gcm16", P(Assert.Single(child.EspProposals)));
        Assert.Equal(IpsecMode.Tunnel, child.Mode);
        Assert.Equal(StartAction.Start, child.StartAction);
        Assert.Equal(DpdAction.Clear, child.DpdAction);
        Assert.Equal(CloseAction.None, child.CloseAction);
        Assert.Equal(TimeSpan.FromHours(1), child.RekeyTime);
        Assert.Null(child.LifeTime);
        Assert.Equal(0UL, child.RekeyBytes + child.LifeBytes + child.RekeyPackets + child.LifePackets);
        Assert.Null(child.ReplayWindow);

        IkeSecret secret = Assert.Single(config.Secrets);
        Assert.Equal("ike-site-b", secret.Name);
        Assert.Equal(["10.99.0.1", "10.99.0.2"], secret.Ids);
        Assert.Equal(Convert.FromBase64String("v+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL6UqcCqZBJuA="), secret.Secret.ToArray());
        Assert.DoesNotContain("v+Nk", secret.ToString(), StringComparison.Ordinal);
        Assert.Empty(config.PrivateKeys);

        DaemonSettings d = config.Daemon;
        Assert.Equal("/run/ikesharp/ikesharp.sock", d.ControlSocket);
        Assert.Equal("ikesharp0", d.TunName);
        Assert.Equal(Dataplane.Userspace, d.Dataplane);
        Assert.Equal(1024u, d.ReplayWindow);
        Assert.Equal((30, 3, 5), (d.CookieThreshold, d.CookieThresholdIp, d.BlockThreshold));
        Assert.Equal(TimeSpan.FromSeconds(30), d.HalfOpenTimeout);
        Assert.Equal(TimeSpan.Zero, d.KeReuseTime);
        Assert.Empty(d.LogLevels);
        Assert.Equal((220u, 220), (d.RoutingTable, d.RoutingTablePrio));
    }

    [Fact]
    public void Every_key_is_read()
    {
        string toml = """
            [daemon]
            control_socket = "run/ike.sock"
            tun_name = "vpn7"
            dataplane = "xfrm"
            replay_window = 4096
            cookie_threshold = 100
            cookie_threshold_ip = 7
            block_threshold = 9
            half_open_timeout = "1m"
            ke_reuse_time = "30s"
            ikesa_limit = 20000
            ike_sas_per_identity = 3
            auth_failure_limit = 4
            auth_failure_window = "2m"
            informational_limit = 0
            routing_table = 4000000000
            routing_table_prio = 100
            [daemon.log]
            ike = "debug"
            esp = "warn"
            default = "off"

            [connections.rw]
            local_addrs = ["2001:db8::1"]
            remote_addrs = "%any"
            local_port = 4500
            remote_port = 4501
            proposals = ["aes256gcm16-prfsha384-ecp384", "aes256-sha256-x25519-modp3072"]
            version = 2
            encap = true
            mobike = false
            send_certreq = false
            dpd_delay = 30
            rekey_time = "1d"
            reauth_time = "2d"
            over_time = "10m"
            rand_time = "5m"
            unique = "never"
            allow_weak_groups = true
            [connections.rw.local]
            auth = "psk"
            id = "gw@example.com"
            [connections.rw.remote]
            auth = "psk"
            id = "*@example.com"
            [connections.rw.children.web]
            local_ts = ["2001:db8:1::/48[tcp/443]", "10.0.0.5..10.0.0.9", "dynamic"]
            esp_proposals = ["aes128-sha256-modp2048-esn", "default"]
            mode = "transport"
            start_action = "none"
            dpd_action = "restart"
            close_action = "start"
            rekey_time = "2h"
            life_time = "3h"
            rand_time = "10m"
            rekey_bytes = "1G"
            life_bytes = "2G"
            rekey_packets = "1M"
            life_packets = 2000000
            replay_window = 0

            [secrets.ike-any]
            secret = "0x00112233445566778899aabbccddeeff"
            """;
        IkeSharpConfig config = LoadValid(toml, "/etc/ikesharp");
        DaemonSettings d = config.Daemon;
        Assert.Equal("/etc/ikesharp/run/ike.sock", d.ControlSocket);
        Assert.Equal("vpn7", d.TunName);
        Assert.Equal(Dataplane.Xfrm, d.Dataplane);
        Assert.Equal(4096u, d.ReplayWindow);
        Assert.Equal((100, 7, 9), (d.CookieThreshold, d.CookieThresholdIp, d.BlockThreshold));
        Assert.Equal(TimeSpan.FromMinutes(1), d.HalfOpenTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), d.KeReuseTime);
        Assert.Equal((20000, 3, 4, TimeSpan.FromMinutes(2), 0), (d.IkeSaLimit, d.IkeSasPerIdentity, d.AuthFailureLimit, d.AuthFailureWindow, d.InformationalLimit));
        Assert.Equal((4_000_000_000u, 100), (d.RoutingTable, d.RoutingTablePrio));
        Assert.Equal(ConfigLogLevel.Debug, d.LogLevels["ike"]);
        Assert.Equal(ConfigLogLevel.Warn, d.LogLevels["esp"]);
        Assert.Equal(ConfigLogLevel.Off, d.LogLevels["default"]);

        ConnectionConfig c = Assert.Single(config.Connections);
        Assert.Equal([IPAddress.Parse("2001:db8::1")], c.LocalAddrs);
        Assert.Empty(c.RemoteAddrs);
        Assert.Equal((4500, 4501), (c.LocalPort, c.RemotePort));
        Assert.Equal(["aes256gcm16-prfsha384-ecp384", "aes256-sha256-x25519-modp3072"], c.Proposals.Select(P));
        Assert.True(c.Encap);
        Assert.False(c.Mobike);
        Assert.False(c.SendCertreq);
        Assert.Equal(TimeSpan.FromSeconds(30), c.DpdDelay);
        Assert.Equal(TimeSpan.FromDays(1), c.RekeyTime);
        Assert.Equal(TimeSpan.FromDays(2), c.ReauthTime);
        Assert.Equal(TimeSpan.FromMinutes(10), c.OverTime);
        Assert.Equal(TimeSpan.FromMinutes(5), c.RandTime);
        Assert.Equal(UniquePolicy.Never, c.Unique);
        Assert.False(c.SendInitialContact);
        Assert.True(c.AllowWeakGroups);
        Assert.Equal((AuthKind.Psk, "gw@example.com"), (c.Local.Auth, c.Local.Id));
        Assert.Equal((AuthKind.Psk, "*@example.com"), (c.Remote.Auth, c.Remote.Id));

        ChildConfig child = Assert.Single(c.Children);
        Assert.Equal(["2001:db8:1::/48[tcp/443]", "10.0.0.5..10.0.0.9", "2001:db8::1/128"], child.LocalTs.Select(t => t.ToString()));
        Assert.Empty(child.RemoteTs);
        Assert.False(child.LocalTsDynamic);   // resolved: one local address
        Assert.True(child.RemoteTsDynamic);   // the peer's address is learnt at run time
        Assert.Equal(["aes128-sha256-modp2048-esn", ConfigLoader.DefaultEspProposal], child.EspProposals.Select(P));
        Assert.Equal(IpsecMode.Transport, child.Mode);
        Assert.Equal(StartAction.None, child.StartAction);
        Assert.Equal(DpdAction.Restart, child.DpdAction);
        Assert.Equal(CloseAction.Start, child.CloseAction);
        Assert.Equal(TimeSpan.FromHours(2), child.RekeyTime);
        Assert.Equal(TimeSpan.FromHours(3), child.LifeTime);
        Assert.Equal(TimeSpan.FromMinutes(10), child.RandTime);
        Assert.Equal(1UL << 30, child.RekeyBytes);
        Assert.Equal(2UL << 30, child.LifeBytes);
        Assert.Equal(1UL << 20, child.RekeyPackets);
        Assert.Equal(2_000_000UL, child.LifePackets);
        Assert.Equal(0u, child.ReplayWindow);

        IkeSecret secret = Assert.Single(config.Secrets);
        Assert.Empty(secret.Ids);
        Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff"), secret.Secret.ToArray());
    }

    [Fact]
    public void Defaults_fill_in_proposals_and_dynamic_selectors()
    {
        string toml = """
            [connections.c]
            local_addrs = ["192.0.2.1"]
            [connections.c.local]
            auth = "psk"
            [connections.c.remote]
            auth = "psk"
            id = "%any"
            [connections.c.children.host]
            [secrets.ike-c]
            id = "192.0.2.1"
            secret = "a text secret that is long enough"
            """;
        IkeSharpConfig config = LoadValid(toml);
        ConnectionConfig c = Assert.Single(config.Connections);
        Assert.Equal(ConfigLoader.DefaultIkeProposal, P(Assert.Single(c.Proposals)));
        ChildConfig child = Assert.Single(c.Children);
        Assert.Equal(ConfigLoader.DefaultEspProposal, P(Assert.Single(child.EspProposals)));
        Assert.Equal("192.0.2.1/32", Assert.Single(child.LocalTs).ToString());
        Assert.True(child.RemoteTsDynamic);
        Assert.Equal("a text secret that is long enough"u8.ToArray(), config.Secrets[0].Secret.ToArray());
        Assert.Equal(["192.0.2.1"], config.Secrets[0].Ids);
    }

    [Fact]
    public void Certificates_and_keys_resolve_against_the_config_directory()
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(Path.Combine(Repo.Examples, "site-to-site-certs.toml"));
        Assert.Empty(result.Errors);
        ConnectionConfig c = Assert.Single(result.Config!.Connections);
        Assert.Equal(AuthKind.PublicKey, c.Local.Auth);
        Assert.Equal([Path.Combine(Repo.Examples, "certs", "moon.pem")], c.Local.Certs);
        Assert.Equal([Path.Combine(Repo.Examples, "certs", "ca.pem")], c.Remote.CaCerts);
        Assert.Equal("sun.example.com", c.Remote.Id);
        ChildConfig child = Assert.Single(c.Children);
        Assert.Equal(StartAction.Trap, child.StartAction);
        Assert.Equal(TimeSpan.FromMinutes(75), child.LifeTime);
        Assert.Equal((2UL << 30, 3UL << 30), (child.RekeyBytes, child.LifeBytes));
        Assert.Equal(["aes256gcm16-x25519", "aes256-sha256-x25519"], child.EspProposals.Select(P));
        Assert.Equal(UniquePolicy.Replace, c.Unique);
        Assert.False(c.Mobike);
        PrivateKeySecret key = Assert.Single(result.Config.PrivateKeys);
        Assert.Equal(("ecdsa-moon", PrivateKeyKind.Ecdsa, Path.Combine(Repo.Examples, "certs", "moon-key.pem")), (key.Name, key.Kind, key.File));
    }

    [Fact]
    public void Cisco_style_example_allows_modp1536_with_a_warning()
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(Path.Combine(Repo.Examples, "cisco-style.toml"));
        Assert.Empty(result.Errors);
        ConnectionConfig c = Assert.Single(result.Config!.Connections);
        Assert.True(c.AllowWeakGroups);
        Assert.Equal("aes256-sha256-modp1536", P(Assert.Single(c.Proposals)));
        Assert.Contains(result.Warnings, w => w.Line == 9 && w.Key == "connections.cisco.proposals[0]" && w.Message.Contains("modp1536", StringComparison.Ordinal));
    }

    public static TheoryData<string> Examples => [.. Directory.GetFiles(Repo.Examples, "*.toml").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_loads_without_errors(string name)
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(Path.Combine(Repo.Examples, name));
        Assert.True(result.Errors.Count == 0, string.Join('\n', result.Errors));
        Assert.NotEmpty(result.Config!.Connections);
        foreach (ConnectionConfig c in result.Config.Connections)
        {
            Assert.Empty(PolicyValidation.Check(c));
        }
    }

    [Fact]
    public void Secrets_readable_by_others_give_a_warning_unless_the_mode_is_private()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string dir = Directory.CreateTempSubdirectory("ikesharp-config-").FullName;
        try
        {
            string path = Path.Combine(dir, "site.toml");
            File.WriteAllText(path, BrokenConfigTests.Base);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            ConfigLoadResult open = ConfigLoader.LoadFile(path);
            Assert.Empty(open.Errors);
            ConfigError warning = Assert.Single(open.Warnings);
            Assert.Equal((path, 0), (warning.File, warning.Line));
            Assert.Contains("mode 0644 lets group or others read it; run chmod 600", warning.Message, StringComparison.Ordinal);

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Empty(ConfigLoader.LoadFile(path).Warnings);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_missing_file_is_unreadable()
    {
        ConfigLoadResult result = ConfigLoader.LoadFile("/nonexistent/ikesharp.toml");
        Assert.True(result.FileUnreadable);
        Assert.Equal("/nonexistent/ikesharp.toml: cannot read the configuration: no such directory", Assert.Single(result.Errors).ToString());
    }
}
