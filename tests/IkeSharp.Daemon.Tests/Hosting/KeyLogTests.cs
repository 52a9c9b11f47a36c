using IkeSharp.Daemon.Control;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>[daemon] key_log: Wireshark key tables from both ends agree, and are private.</summary>
public class KeyLogTests
{
    [Fact]
    public async Task Both_ends_log_the_same_ike_keys_and_mirrored_esp_keys_in_wireshark_format()
    {
        string dir = Directory.CreateTempSubdirectory("ikesharp-keylog-").FullName;
        try
        {
            string alice = Path.Combine(dir, "alice");
            string bob = Path.Combine(dir, "bob");
            await using (LoopbackPair p = LoopbackPair.Start(port: 21550, aliceTweak: c => c with { Encap = true }, aliceKeyLog: alice, bobKeyLog: bob))
            {
                Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
                StatusReport.IkeRow row = Assert.Single(await p.Alice.StatusRowsAsync());

                string[] aliceIke = File.ReadAllLines(alice + ".ikev2");
                string[] bobIke = File.ReadAllLines(bob + ".ikev2");
                string ike = Assert.Single(aliceIke);
                Assert.Equal(aliceIke, bobIke);
                Assert.StartsWith($"{row.SpiI:x16},{row.SpiR:x16},", ike, StringComparison.Ordinal);
                Assert.Contains("\"AES-GCM-128 with 16 octet ICV [RFC5282]\"", ike, StringComparison.Ordinal);
                Assert.EndsWith(",,,\"NONE [RFC4306]\"", ike, StringComparison.Ordinal);

                string[] aliceEsp = File.ReadAllLines(alice + ".esp");
                string[] bobEsp = File.ReadAllLines(bob + ".esp");
                Assert.Equal(2, aliceEsp.Length);
                Assert.Equal(aliceEsp.Order(StringComparer.Ordinal), bobEsp.Order(StringComparer.Ordinal));
                Assert.Contains(aliceEsp, l => l.StartsWith($"\"IPv4\",\"127.0.0.1\",\"127.0.0.2\",\"0x{row.Children[0].SpiOut:x8}\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x", StringComparison.Ordinal));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(alice + ".ikev2"));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(alice + ".esp"));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
