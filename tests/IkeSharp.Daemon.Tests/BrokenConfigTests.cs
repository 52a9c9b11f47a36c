using IkeSharp.Daemon.Config;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// Broken configurations, each made from one valid file by replacing or appending lines, with the
/// exact line, key and a fragment of the message that must come out.
/// </summary>
public class BrokenConfigTests
{
    /// <summary>A valid configuration; the line numbers below refer to it.</summary>
    internal static readonly string[] BaseLines =
    [
        "[connections.site-b]",                                      // 1
        "local_addrs = [\"10.99.0.1\"]",                             // 2
        "remote_addrs = [\"10.99.0.2\"]",                            // 3
        "proposals = [\"aes128gcm16-prfsha256-x25519\"]",            // 4
        "[connections.site-b.local]",                                // 5
        "auth = \"psk\"",                                            // 6
        "id = \"10.99.0.1\"",                                        // 7
        "[connections.site-b.remote]",                               // 8
        "auth = \"psk\"",                                            // 9
        "id = \"10.99.0.2\"",                                        // 10
        "[connections.site-b.children.net]",                         // 11
        "local_ts = [\"10.1.0.0/24\"]",                              // 12
        "remote_ts = [\"10.2.0.0/24\"]",                             // 13
        "esp_proposals = [\"aes128gcm16\"]",                         // 14
        "start_action = \"start\"",                                  // 15
        "[secrets.ike-site-b]",                                      // 16
        "id = [\"10.99.0.1\", \"10.99.0.2\"]",                       // 17
        "secret = \"0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL6UqcCqZBJuA=\"", // 18
    ];

    internal static string Base => string.Join('\n', BaseLines) + "\n";

    /// <summary>The base file with line <paramref name="line"/> (1-based) replaced; the replacement may hold several lines.</summary>
    private static string Replace(int line, string text)
    {
        string[] lines = (string[])BaseLines.Clone();
        lines[line - 1] = text;
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The base file with lines appended (the first appended line is line 19).</summary>
    private static string Append(string text) => Base + text + "\n";

    public static TheoryData<string, string, int, string, string> Cases => new()
    {
        // name, toml, line, key, message fragment
        { "unterminated string", Replace(4, "proposals = \"aes128gcm16"), 4, "", "TOML: Invalid newline in a string" },
        { "unclosed table header", Replace(5, "[connections.site-b.local"), 5, "", "expecting `]`" },
        { "missing value", Replace(7, "id ="), 7, "", "TOML: Unexpected token" },
        { "duplicate key", Replace(3, "local_addrs = [\"10.99.0.3\"]"), 3, "", "The key `connections.site-b.local_addrs` is already defined" },
        { "duplicate table", Append("[connections.site-b.local]"), 19, "", "already defined" },
        { "unknown connection key", Replace(3, "remote_adrs = [\"10.99.0.2\"]"), 3, "connections.site-b.remote_adrs", "unknown key \"remote_adrs\"; did you mean remote_addrs?" },
        { "unknown top-level section", Append("[pool]\nx = 1"), 19, "pool", "valid keys here are connections, secrets, daemon" },
        { "unknown child key", Replace(15, "start_actoin = \"start\""), 15, "connections.site-b.children.net.start_actoin", "did you mean start_action?" },
        { "unknown auth section", Replace(5, "[connections.site-b.locale]"), 5, "connections.site-b.locale", "did you mean local?" },
        { "addresses not a list", Replace(2, "local_addrs = 5"), 2, "connections.site-b.local_addrs", "expected a string or an array of strings, found integer 5" },
        { "address item not a string", Replace(2, "local_addrs = [1]"), 2, "connections.site-b.local_addrs[0]", "expected a string, found integer 1" },
        { "boolean written as string", Replace(4, "proposals = [\"aes128gcm16-prfsha256-x25519\"]\nmobike = \"yes\""), 5, "connections.site-b.mobike", "expected a boolean (true or false), found string \"yes\"; write mobike = true" },
        { "host name as address", Replace(3, "remote_addrs = [\"gw.example.com\"]"), 3, "connections.site-b.remote_addrs[0]", "is not an IP address (host names are not supported)" },
        { "unknown transform", Replace(4, "proposals = [\"aes128gcm17-prfsha256-x25519\"]"), 4, "connections.site-b.proposals[0]", "unknown algorithm 'aes128gcm17' at position 1 (column 1) in 'aes128gcm17-prfsha256-x25519'; did you mean aes128gcm16" },
        { "second proposal bad", Replace(4, "proposals = [\"aes128gcm16-prfsha256-x25519\", \"aes256-sha265-x25519\"]"), 4, "connections.site-b.proposals[1]", "unknown algorithm 'sha265'" },
        { "weak group not allowed", Replace(4, "proposals = [\"aes256-sha256-modp1536\"]"), 4, "connections.site-b.proposals[0]", "set allow_weak_groups = true in [connections.site-b]" },
        { "IKE proposal without PRF", Replace(4, "proposals = [\"aes128gcm16-x25519\"]"), 4, "connections.site-b.proposals[0]", "has no PRF" },
        { "ESP proposal without integrity", Replace(14, "esp_proposals = [\"aes128\"]"), 14, "connections.site-b.children.net.esp_proposals[0]", "has no integrity algorithm" },
        { "empty proposal list", Replace(4, "proposals = []"), 4, "connections.site-b.proposals", "empty list" },
        { "CIDR with host bits", Replace(12, "local_ts = [\"10.1.0.1/24\"]"), 12, "connections.site-b.children.net.local_ts[0]", "did you mean 10.1.0.0/24?" },
        { "CIDR prefix too long", Replace(13, "remote_ts = [\"10.2.0.0/33\"]"), 13, "connections.site-b.children.net.remote_ts[0]", "prefix length '33' in '10.2.0.0/33' is not a number from 0 to 32" },
        { "CIDR short address", Replace(13, "remote_ts = [\"10.2.0/24\"]"), 13, "connections.site-b.children.net.remote_ts[0]", "'10.2.0' in '10.2.0/24' is not an IP address" },
        { "IPv6 CIDR with host bits", Replace(12, "local_ts = [\"10.1.0.0/24\", \"2001:db8::1/64\"]"), 12, "connections.site-b.children.net.local_ts[1]", "did you mean 2001:db8::/64?" },
        { "selector protocol unknown", Replace(13, "remote_ts = [\"10.2.0.0/24[tcpp/80]\"]"), 13, "connections.site-b.children.net.remote_ts[0]", "unknown protocol 'tcpp'" },
        { "selector port without protocol", Replace(13, "remote_ts = [\"10.2.0.0/24[/80]\"]"), 13, "connections.site-b.children.net.remote_ts[0]", "a port needs a protocol" },
        { "no matching secret", Replace(17, "id = [\"10.99.0.7\"]"), 6, "connections.site-b.local.auth", "no [secrets.ike-*] section has an id matching \"10.99.0.1\", \"10.99.0.2\"" },
        { "secret without secret", Replace(18, "# forgot it"), 16, "secrets.ike-site-b", "no secret; write secret = " },
        { "bad hex secret", Replace(18, "secret = \"0xzz\""), 18, "secrets.ike-site-b.secret", "not valid hex" },
        { "bad base64 secret", Replace(18, "secret = \"0s!!!\""), 18, "secrets.ike-site-b.secret", "not valid base64" },
        { "unknown kind of secret", Append("[secrets.psk-x]\nsecret = \"0123456789abcdef0123\""), 19, "secrets.psk-x", "did you mean ike-x?" },
        { "duplicate secrets", Append("[secrets.ike-again]\nid = [\"10.99.0.2\", \"10.99.0.1\"]\nsecret = \"another-secret-of-some-length\""), 19, "secrets.ike-again", "the same identities as secrets.ike-site-b (line 16)" },
        { "missing certificate file", Replace(9, "auth = \"pubkey\"\ncacerts = [\"missing-ca.pem\"]"), 10, "connections.site-b.remote.cacerts[0]", "certificate file \"missing-ca.pem\"" },
        { "pubkey without certs", Replace(6, "auth = \"pubkey\""), 6, "connections.site-b.local.auth", "auth = \"pubkey\" needs our certificate: add certs = [\"FILE.pem\"]" },
        { "remote pubkey without trust", Replace(9, "auth = \"pubkey\""), 9, "connections.site-b.remote.auth", "needs something to trust: add cacerts" },
        { "bad auth value", Replace(9, "auth = \"eap-md5\""), 9, "connections.site-b.remote.auth", "valid values are psk, pubkey" },
        { "bad IKE duration", Replace(4, "proposals = [\"aes128gcm16-prfsha256-x25519\"]\nrekey_time = \"4x\""), 5, "connections.site-b.rekey_time", "\"4x\" is not a duration" },
        { "bad child duration", Replace(15, "life_time = \"soon\""), 15, "connections.site-b.children.net.life_time", "\"soon\" is not a duration" },
        { "duration of wrong type", Replace(15, "rekey_time = true"), 15, "connections.site-b.children.net.rekey_time", "expected a duration" },
        { "bad size", Replace(15, "rekey_bytes = \"1X\""), 15, "connections.site-b.children.net.rekey_bytes", "\"1X\" is not a size" },
        { "bad start_action", Replace(15, "start_action = \"begin\""), 15, "connections.site-b.children.net.start_action", "valid values are none, trap, start" },
        { "bad mode", Replace(15, "mode = \"beet\""), 15, "connections.site-b.children.net.mode", "valid values are tunnel, transport" },
        { "bad dpd_action", Replace(15, "dpd_action = \"hold\""), 15, "connections.site-b.children.net.dpd_action", "valid values are clear, trap, restart" },
        { "bad unique with suggestion", Replace(4, "proposals = [\"aes128gcm16-prfsha256-x25519\"]\nunique = \"replce\""), 5, "connections.site-b.unique", "did you mean \"replace\"? valid values are no, never, replace, keep" },
        { "IKEv1", Replace(4, "proposals = [\"aes128gcm16-prfsha256-x25519\"]\nversion = 1"), 5, "connections.site-b.version", "IKEv1 is not supported" },
        { "port out of range", Replace(4, "proposals = [\"aes128gcm16-prfsha256-x25519\"]\nlocal_port = 70000"), 5, "connections.site-b.local_port", "70000 is out of range; write an integer from 1 to 65535" },
        { "life_time not after rekey_time", Replace(15, "rekey_time = \"1h\"\nlife_time = \"30m\""), 16, "connections.site-b.children.net.life_time", "life_time 30m must be longer than rekey_time 1h" },
        { "life_bytes below rekey_bytes", Replace(15, "rekey_bytes = \"2G\"\nlife_bytes = \"1G\""), 16, "connections.site-b.children.net.life_bytes", "must be larger than rekey_bytes" },
        { "start without a peer address", Replace(3, "remote_addrs = [\"%any\"]"), 15, "connections.site-b.children.net.start_action", "needs the peer's address" },
        { "empty identity", Replace(7, "id = \"\""), 7, "connections.site-b.local.id", "empty identity" },
        { "missing remote section", Replace(8, "[connections.site-b.remoteX]"), 1, "connections.site-b", "no [connections.site-b.remote] section" },
        { "section as value", Append("[daemon]\nlog = \"info\""), 20, "daemon.log", "expected a table ([daemon.log]), found string \"info\"" },
        { "bad dataplane", Append("[daemon]\ndataplane = \"kernel\""), 20, "daemon.dataplane", "valid values are userspace, xfrm" },
        { "unknown log subsystem", Append("[daemon.log]\nikee = \"info\""), 20, "daemon.log.ikee", "did you mean ike?" },
        { "bad log level", Append("[daemon.log]\nesp = \"loud\""), 20, "daemon.log.esp", "valid values are trace, debug, info, warn, error, off" },
        { "tun name too long", Append("[daemon]\ntun_name = \"a-very-long-interface-name\""), 20, "daemon.tun_name", "1 to 15 characters" },
        { "bad half-open timeout", Append("[daemon]\nhalf_open_timeout = \"0s\""), 20, "daemon.half_open_timeout", "must be longer than 0s" },
        { "ke reuse beyond a short time", Append("[daemon]\nke_reuse_time = \"1h\""), 20, "daemon.ke_reuse_time", "must be at most 5m (RFC 7296 §2.12" },
        { "negative threshold", Append("[daemon]\ncookie_threshold = -1"), 20, "daemon.cookie_threshold", "-1 is out of range" },
        { "zero auth failure window", Append("[daemon]\nauth_failure_window = \"0s\""), 20, "daemon.auth_failure_window", "set auth_failure_limit = 0" },
        { "negative ikesa_limit", Append("[daemon]\nikesa_limit = -5"), 20, "daemon.ikesa_limit", "-5 is out of range" },
        { "per-identity limit as text", Append("[daemon]\nike_sas_per_identity = \"two\""), 20, "daemon.ike_sas_per_identity", "expected an integer" },
        { "no tun queues", Append("[daemon]\ntun_queues = 0"), 20, "daemon.tun_queues", "0 is out of range; write an integer from 1 to 256" },
        { "more tun queues than Linux allows", Append("[daemon]\ntun_queues = 257"), 20, "daemon.tun_queues", "257 is out of range; write an integer from 1 to 256" },
        { "tun queues not a number", Append("[daemon]\ntun_queues = \"many\""), 20, "daemon.tun_queues", "expected an integer from 1 to 256" },
        { "tun mtu below the IPv4 minimum", Append("[daemon]\ntun_mtu = 60"), 20, "daemon.tun_mtu", "60 is out of range; write an integer from 68 to 65535" },
        { "tun mtu above 64 KiB", Append("[daemon]\ntun_mtu = 70000"), 20, "daemon.tun_mtu", "70000 is out of range; write an integer from 68 to 65535" },
        { "tun mtu a float", Append("[daemon]\ntun_mtu = 1400.5"), 20, "daemon.tun_mtu", "expected an integer from 68 to 65535" },
        { "path mtu too small", Append("[daemon]\npath_mtu = 500"), 20, "daemon.path_mtu", "500 is out of range; write an integer from 576 to 65535" },
        { "tun queue typo", Append("[daemon]\ntun_queue = 2"), 20, "daemon.tun_queue", "did you mean tun_queues?" },
        { "routing table main", Append("[daemon]\nrouting_table = 254"), 20, "daemon.routing_table", "254 is the main table, where the host's own routes live (a 0.0.0.0/0 selector would replace its default route); pick a table of the daemon's own, such as 220 (strongSwan's default), or 0 to install no routes" },
        { "routing table local", Append("[daemon]\nrouting_table = 255"), 20, "daemon.routing_table", "255 is the local table" },
        { "routing table default", Append("[daemon]\nrouting_table = 253"), 20, "daemon.routing_table", "253 is the kernel's 'default' table" },
        { "negative routing table", Append("[daemon]\nrouting_table = -1"), 20, "daemon.routing_table", "-1 is out of range; write an integer from 0 to 4294967295" },
        { "routing table beyond 32 bits", Append("[daemon]\nrouting_table = 4294967296"), 20, "daemon.routing_table", "4294967296 is out of range; write an integer from 0 to 4294967295" },
        { "routing table as a name", Append("[daemon]\nrouting_table = \"vpn\""), 20, "daemon.routing_table", "expected an integer from 0 to 4294967295" },
        { "routing rule priority 0", Append("[daemon]\nrouting_table_prio = 0"), 20, "daemon.routing_table_prio", "0 is out of range; write an integer from 1 to 32765" },
        { "routing rule after main", Append("[daemon]\nrouting_table_prio = 32766"), 20, "daemon.routing_table_prio", "32766 is out of range; write an integer from 1 to 32765" },
        { "routing typo", Append("[daemon]\nrouting_tabel = 220"), 20, "daemon.routing_tabel", "did you mean routing_table?" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Broken_config_reports_line_key_and_message(string name, string toml, int line, string key, string fragment)
    {
        ConfigLoadResult result = ConfigLoader.Load(toml, "site.toml", Path.GetTempPath());
        Assert.Null(result.Config);
        Assert.False(result.IsSuccess);
        Assert.True(
            result.Errors.Any(e => e.Line == line && e.Key == key && e.Message.Contains(fragment, StringComparison.Ordinal) && e.File == "site.toml"),
            $"{name}: expected an error at line {line}, key '{key}', containing '{fragment}'; got:\n{string.Join('\n', result.Errors)}");
    }

    [Fact]
    public void Base_config_is_valid()
    {
        ConfigLoadResult result = ConfigLoader.Load(Base, "site.toml", Path.GetTempPath());
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Config);
    }

    [Fact]
    public void All_errors_are_collected_in_line_order()
    {
        string toml = """
            [connections.a]
            remote_adrs = ["10.0.0.2"]
            proposals = ["aes128gcm17-prfsha256-x25519"]
            unique = "sometimes"
            [connections.a.local]
            auth = "psk"
            id = "a"
            [connections.a.remote]
            auth = "psk"
            id = "b"
            [connections.a.children.x]
            local_ts = ["10.1.0.1/24"]
            mode = "beet"
            [secrets.ike-a]
            secret = "0xzz"
            """;
        ConfigLoadResult result = ConfigLoader.Load(toml, "many.toml", Path.GetTempPath());
        Assert.Equal(
            [2, 3, 4, 6, 12, 13, 15],
            result.Errors.Select(e => e.Line));
        Assert.Equal("many.toml:2: connections.a.remote_adrs: unknown key \"remote_adrs\"; did you mean remote_addrs? valid keys here are local_addrs, remote_addrs, local_port, remote_port, proposals, version, encap, mobike, send_certreq, dpd_delay, rekey_time, reauth_time, over_time, rand_time, unique, allow_weak_groups, local, remote, children",
            result.Errors[0].ToString());
    }

    [Fact]
    public void Column_points_at_the_array_item()
    {
        ConfigLoadResult result = ConfigLoader.Load(Replace(13, "remote_ts = [\"10.2.0.0/24\",\n  \"10.3.0.0/99\"]"), "site.toml", Path.GetTempPath());
        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal((14, 3), (error.Line, error.Column));
        Assert.Equal("connections.site-b.children.net.remote_ts[1]", error.Key);
    }

    [Fact]
    public void A_file_that_is_not_a_certificate_is_reported()
    {
        string dir = Directory.CreateTempSubdirectory("ikesharp-config-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "junk.pem"), "hello, not a certificate\n");
            string toml = Replace(9, "auth = \"pubkey\"\ncacerts = [\"junk.pem\"]");
            ConfigLoadResult result = ConfigLoader.Load(toml, Path.Combine(dir, "site.toml"));
            ConfigError error = Assert.Single(result.Errors);
            Assert.Equal(10, error.Line);
            Assert.Equal("connections.site-b.remote.cacerts[0]", error.Key);
            Assert.Equal("\"junk.pem\" is not an X.509 certificate (PEM or DER)", error.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_private_key_that_does_not_match_the_certificate_is_reported()
    {
        string certs = Path.Combine(Repo.Examples, "certs");
        string toml = $$"""
            [connections.moon]
            remote_addrs = ["192.0.2.2"]
            [connections.moon.local]
            auth = "pubkey"
            certs = ["{{Path.Combine(certs, "moon.pem")}}"]
            [connections.moon.remote]
            auth = "pubkey"
            cacerts = ["{{Path.Combine(certs, "ca.pem")}}"]
            [secrets.ecdsa-sun]
            file = "{{Path.Combine(certs, "sun-key.pem")}}"
            [secrets.rsa-wrong]
            file = "{{Path.Combine(certs, "ca.pem")}}"
            """;
        ConfigLoadResult result = ConfigLoader.Load(toml, "keys.toml");
        Assert.Collection(result.Errors,
            e => Assert.Equal((5, "connections.moon.local.certs[0]"), (e.Line, e.Key)),
            e =>
            {
                Assert.Equal((12, "secrets.rsa-wrong.file"), (e.Line, e.Key));
                Assert.Contains("is not an unencrypted RSA private key", e.Message, StringComparison.Ordinal);
            });
        Assert.Contains("none of the private keys in [secrets] belongs to certificate \"moon.pem\"", result.Errors[0].Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by fuzzing (docs/fuzzing.md, target config): a file that ends inside the escape
    /// sequence of a basic string made Tomlyn throw ArgumentOutOfRangeException out of Load. It is
    /// an error on the last line now, like any other TOML syntax error.
    /// </summary>
    [Theory]
    [InlineData("secret = \"0x5a1e2c9fbb0d4e7a98f1a5b9c3d7e2f6\\")] // the fuzzer's input ended so
    [InlineData("x = \"\"\"\\")]
    [InlineData("x = \"\\u12")]
    [InlineData("x = \"\\U0001")]
    public void File_ending_inside_an_escape_sequence_is_a_syntax_error(string lastLine)
    {
        string toml = Base + "[daemon]\n" + lastLine; // no newline at the end: the text ends in the escape
        ConfigLoadResult result = ConfigLoader.Load(toml, "site.toml", Path.GetTempPath());
        Assert.False(result.IsSuccess);
        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.File == "site.toml" && e.Line == 20 && e.Message.StartsWith("TOML: ", StringComparison.Ordinal));
    }
}
