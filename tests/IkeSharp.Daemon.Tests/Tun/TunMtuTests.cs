using IkeSharp.Crypto.Proposals;
using IkeSharp.Daemon.Config;
using IkeSharp.Daemon.Tun;

namespace IkeSharp.Daemon.Tests.Tun;

/// <summary>
/// The TUN MTU against byte layouts worked out by hand from RFC 4303 §2 and RFC 3948 §2.1: outer IP
/// (20 or 40) + UDP (8) + SPI and sequence (8) + IV + payload padded with Pad Length and Next
/// Header (2) to the block size (at least 4) + ICV must fit the path MTU.
/// </summary>
public class TunMtuTests
{
    [Theory]
    // AES-GCM (RFC 4106): IV 8, ICV 16, no block: 1500-20-8 = 1472; 1472-8-8-16 = 1440 (a multiple of 4); 1440-2.
    [InlineData("aes128gcm16", 1500, false, 1438)]
    // The same over IPv6: 1500-40-8 = 1452; 1452-32 = 1420; 1420-2.
    [InlineData("aes128gcm16", 1500, true, 1418)]
    // 8-octet ICV: 1472-8-8-8 = 1448; 1448-2.
    [InlineData("aes256gcm8", 1500, false, 1446)]
    // ChaCha20-Poly1305 (RFC 7634): IV 8, ICV 16, no block: as AES-GCM.
    [InlineData("chacha20poly1305", 1500, false, 1438)]
    // AES-CBC (RFC 3602) IV 16, block 16; HMAC-SHA-256-128 (RFC 4868) ICV 16: 1472-8-16-16 = 1432, down to 16: 1424; 1424-2.
    [InlineData("aes256-sha256", 1500, false, 1422)]
    // HMAC-SHA-512-256 ICV 32: 1472-8-16-32 = 1416, down to 16: 1408; 1408-2.
    [InlineData("aes256-sha512", 1500, false, 1406)]
    // HMAC-SHA1-96 (RFC 2404) ICV 12: 1472-8-16-12 = 1436, down to 16: 1424; 1424-2.
    [InlineData("aes128-sha1", 1500, false, 1422)]
    // A 9000 jumbo path, IPv6: 9000-48 = 8952; 8952-8-16-16 = 8912 (a multiple of 16); 8912-2.
    [InlineData("aes256-sha256", 9000, true, 8910)]
    // Alternatives in one proposal: the worst of AES-128/256-CBC with SHA-1-96, SHA-256-128 or SHA-512-256 is SHA-512's 32-octet ICV.
    [InlineData("aes128-aes256-sha1-sha256-sha512", 1500, false, 1406)]
    public void Inner_mtu_is_the_largest_packet_whose_esp_in_udp_fits_the_path(string proposal, int pathMtu, bool ipv6, int expected)
    {
        ProposalParseResult parsed = ProposalParser.Parse(proposal, Wire.SecurityProtocol.Esp, allowWeak: false);
        Assert.NotEmpty(parsed.Transforms);
        Assert.Equal(expected, TunMtu.MaxInnerLength(pathMtu, ipv6, parsed.Transforms));
    }

    [Fact]
    public void An_inner_packet_one_octet_larger_no_longer_fits()
    {
        // Checked the other way round with the ESP code itself: aes256-sha256 over IPv4 in a 1500 path.
        var sa = new Esp.EspOutboundSa(1, new Crypto.Symmetric.Encryption.AesCbcCipher(256), new byte[32], Crypto.AlgorithmRegistry.Default.Integrity(Wire.IntegrityAlgorithm.HmacSha2_256_128), new byte[32], false, new Crypto.SystemRandom());
        int espRoom = 1500 - 20 - 8;
        Assert.True(sa.SealedLength(1422) <= espRoom);
        Assert.True(sa.SealedLength(1423) > espRoom);
    }

    [Theory]
    [InlineData("esp_proposals = [\"aes128gcm16\"]", 1438)]
    [InlineData("esp_proposals = [\"aes128gcm16\", \"aes256-sha512\"]", 1406)]
    public void The_device_mtu_is_the_worst_over_every_child(string espLine, int expected)
    {
        string toml = string.Join('\n', BrokenConfigTests.BaseLines.Select((l, i) => i == 13 ? espLine : l)) + "\n";
        ConfigLoadResult result = ConfigLoader.Load(toml, "site.toml", Path.GetTempPath());
        Assert.Empty(result.Errors);
        Assert.Equal(expected, TunMtu.For(result.Config!.Connections, result.Config.Daemon.PathMtu));
    }

    [Fact]
    public void Tun_settings_are_read_and_a_too_large_tun_mtu_is_warned_about()
    {
        ConfigLoadResult defaults = ConfigLoader.Load(BrokenConfigTests.Base, "site.toml", Path.GetTempPath());
        Assert.Equal(Math.Min(Environment.ProcessorCount, 256), defaults.Config!.Daemon.TunQueues);
        Assert.Null(defaults.Config.Daemon.TunMtu);
        Assert.Equal(1500, defaults.Config.Daemon.PathMtu);

        ConfigLoadResult set = ConfigLoader.Load(BrokenConfigTests.Base + "[daemon]\ntun_queues = 3\ntun_mtu = 1300\npath_mtu = 9000\n", "site.toml", Path.GetTempPath());
        Assert.Empty(set.Errors);
        Assert.Empty(set.Warnings);
        Assert.Equal(3, set.Config!.Daemon.TunQueues);
        Assert.Equal(1300, set.Config.Daemon.TunMtu);
        Assert.Equal(9000, set.Config.Daemon.PathMtu);

        ConfigLoadResult tooLarge = ConfigLoader.Load(BrokenConfigTests.Base + "[daemon]\ntun_mtu = 1500\n", "site.toml", Path.GetTempPath());
        Assert.NotNull(tooLarge.Config);
        ConfigError warning = Assert.Single(tooLarge.Warnings);
        Assert.Equal(20, warning.Line);
        Assert.Equal("daemon.tun_mtu", warning.Key);
        Assert.Contains("more than the 1438 octets", warning.Message, StringComparison.Ordinal);
    }
}
