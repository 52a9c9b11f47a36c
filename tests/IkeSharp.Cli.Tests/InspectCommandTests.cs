using System.Net;
using System.Text.Json;
using IkeSharp.Cli.Capture;

namespace IkeSharp.Cli.Tests;

/// <summary><c>ikesharp inspect</c> and <c>ikesharp demo</c> through the real command line.</summary>
public class InspectCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private const string X25519 = "sw-pair-aes128gcm16_prfsha256_x25519.pcapng";
    private const string Modp = "sw-pair-aes256_sha256_modp2048.pcapng";

    /// <summary>Runs the command line; an exception escapes (the default handler would turn a crash into exit 1).</summary>
    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    [Fact]
    public void Text_output_shows_each_message_with_proposals_notifies_and_esp()
    {
        (int exit, string output, _) = Run("inspect", Fixture(X25519));
        Assert.Equal(0, exit);
        Assert.Contains("PcapNg, 16 frames: 6 IKE, 10 ESP", output, StringComparison.Ordinal);
        Assert.Contains("IKE_SA_INIT request MID 0  from initiator", output, StringComparison.Ordinal);
        Assert.Contains("IKE_AUTH response MID 1  from responder", output, StringComparison.Ordinal);
        Assert.Contains("SPIi 314c86bcd9814506  SPIr ccbcb30e060250e4", output, StringComparison.Ordinal);
        Assert.Contains("IKE aes128gcm16-prfsha256-x25519", output, StringComparison.Ordinal);
        Assert.Contains("N       SIGNATURE_HASH_ALGORITHMS SHA2-256, SHA2-384, SHA2-512, Identity", output, StringComparison.Ordinal);
        Assert.Contains("ESP-in-UDP SPI 7a4f3178 seq 1", output, StringComparison.Ordinal);
        Assert.Contains("ESP-in-UDP SPI 95eed4f1 seq 5", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\e[", output, StringComparison.Ordinal);   // no colour when not a terminal
        Assert.DoesNotContain("ENCR_AES_GCM_16", output, StringComparison.Ordinal);

        (_, string verbose, _) = Run("inspect", "-v", Fixture(Modp));
        Assert.Contains("ENCR_AES_CBC 256 (aes256)", verbose, StringComparison.Ordinal);
        Assert.Contains("IKE aes256-sha256-modp2048", verbose, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_carries_the_same_report()
    {
        (int exit, string output, _) = Run("inspect", "--json", Fixture(X25519));
        Assert.Equal(0, exit);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement packets = doc.RootElement.GetProperty("packets");
        Assert.Equal(16, packets.GetArrayLength());
        JsonElement first = packets[0];
        Assert.Equal("ike", first.GetProperty("kind").GetString());
        Assert.Equal("IKE_SA_INIT", first.GetProperty("exchange").GetString());
        Assert.False(first.GetProperty("response").GetBoolean());
        Assert.Equal("314c86bcd9814506", first.GetProperty("spi_i").GetString());
        Assert.Equal("SA", first.GetProperty("payloads")[0].GetProperty("name").GetString());
        Assert.Equal("aes128gcm16-prfsha256-x25519", first.GetProperty("payloads")[0].GetProperty("children")[0].GetProperty("fields").GetProperty("keywords").GetString());
        Assert.Equal("ike-natt", packets[2].GetProperty("kind").GetString());
        Assert.Equal("esp-in-udp", packets[4].GetProperty("kind").GetString());
        Assert.Equal("7a4f3178", packets[4].GetProperty("esp_spi").GetString());
        Assert.Equal(1, packets[4].GetProperty("esp_sequence").GetInt32());
    }

    [Fact]
    public void Keys_table_decrypts_the_sk_payloads()
    {
        (int exit, string output, _) = Run("inspect", Fixture(X25519), "--keys", Fixture("ikev2_decryption_table.aes128gcm16_prfsha256_x25519"));
        Assert.Equal(0, exit);
        Assert.Contains("SK      decrypted (AES-GCM-128 with 16 octet ICV [RFC5282]), ", output, StringComparison.Ordinal);
        Assert.Contains("IDi     ID_IPV4_ADDR 10.99.0.1", output, StringComparison.Ordinal);
        Assert.Contains("AUTH    Shared Key Message Integrity Code, 32 bytes", output, StringComparison.Ordinal);
        Assert.Contains("ESP aes128gcm16 SPI 7a4f3178", output, StringComparison.Ordinal);
        Assert.Contains("D       IKE SA", output, StringComparison.Ordinal);

        (_, string json, _) = Run("inspect", "--json", Fixture(X25519), "--keys", Fixture("ikev2_decryption_table.aes128gcm16_prfsha256_x25519"));
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement sk = doc.RootElement.GetProperty("packets")[2].GetProperty("payloads")[0];
        Assert.Equal("IDi", sk.GetProperty("children")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Wrong_keys_are_reported_not_hidden()
    {
        string table = Path.GetTempFileName();
        try
        {
            // The right SPIs with a wrong SK_ei: the AEAD tag cannot verify.
            string row = File.ReadAllText(Fixture("ikev2_decryption_table.aes128gcm16_prfsha256_x25519"));
            File.WriteAllText(table, row.Replace("af66e3606823a5435f76970856636d69a9cfa460", "00000000000000000000000000000000a9cfa460", StringComparison.Ordinal));
            (int exit, string output, _) = Run("inspect", Fixture(X25519), "--keys", table);
            Assert.Equal(0, exit);
            Assert.Contains("keys: NOT decrypted: the AEAD tag does not verify", output, StringComparison.Ordinal);

            File.WriteAllText(table, "0102030405060708,1112131415161718,00,00,\"AES-CBC-128 [RFC3602]\",00,00,\"HMAC_SHA2_256_128 [RFC4868]\"\n");
            Assert.Contains("keys: no keys in the table for these SPIs", Run("inspect", Fixture(X25519), "--keys", table).Out, StringComparison.Ordinal);

            File.WriteAllText(table, "not,a,table\n");
            (int badExit, _, string err) = Run("inspect", Fixture(X25519), "--keys", table);
            Assert.Equal(2, badExit);
            Assert.Contains(":1: expected 8 comma-separated fields", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(table);
        }
    }

    [Fact]
    public void Missing_and_unreadable_inputs_are_clear_errors()
    {
        (int exit, _, string err) = Run("inspect", "/nonexistent/capture.pcapng");
        Assert.Equal(2, exit);
        Assert.Contains("/nonexistent/capture.pcapng: no such file", err, StringComparison.Ordinal);

        (int keysExit, _, string keysErr) = Run("inspect", Fixture(X25519), "--keys", "/nonexistent/table");
        Assert.Equal(2, keysExit);
        Assert.Contains("--keys /nonexistent/table: no such file", keysErr, StringComparison.Ordinal);

        string junk = Path.GetTempFileName();
        try
        {
            File.WriteAllText(junk, "this is not a capture file at all");
            (int junkExit, string junkOut, _) = Run("inspect", junk);
            Assert.Equal(1, junkExit);
            Assert.Contains("capture error:", junkOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(junk);
        }

        Assert.NotEqual(0, Run("inspect").Exit);
        Assert.NotEqual(0, Run("no-such-command").Exit);
    }

    [Fact]
    public void A_malformed_ike_message_is_shown_with_reason_and_offset()
    {
        // A valid IKE_SA_INIT whose SA payload length is broken.
        byte[] pcapBytes = File.ReadAllBytes(Fixture(X25519));
        DissectedPacket first = PacketDissector.Dissect(CaptureReader.Read(pcapBytes).Frames[0]);
        byte[] ike = first.Payload.ToArray();
        ike[IkeSharp.Wire.IkeHeader.EncodedLength + 3] = 0xff;
        string pcap = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(pcap, PcapWriter.WriteUdpPcap([(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500), new IPEndPoint(IPAddress.Parse("192.0.2.2"), 500), ike)]));
            (int exit, string output, _) = Run("inspect", pcap);
            Assert.Equal(1, exit);
            Assert.Contains("IKE, malformed: BadLength in SA payload at offset 30: Payload Length", output, StringComparison.Ordinal);

            (_, string json, _) = Run("inspect", "--json", pcap);
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement error = doc.RootElement.GetProperty("packets")[0].GetProperty("decode_error");
            Assert.Equal("BadLength", error.GetProperty("code").GetString());
            Assert.Equal(30, error.GetProperty("offset").GetInt32());
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    [Fact]
    public void Demo_explains_the_bundled_exchange()
    {
        (int exit, string output, _) = Run("demo", "--capture");
        Assert.Equal(0, exit);
        Assert.Contains("It offered 1 proposal(s): aes128gcm16-prfsha256-x25519.", output, StringComparison.Ordinal);
        Assert.Contains("its SPIr is ccbcb30e060250e4", output, StringComparison.Ordinal);
        Assert.Contains("the initiator is ID_IPV4_ADDR 10.99.0.1", output, StringComparison.Ordinal);
        Assert.Contains("First Child SA: ESP aes128gcm16 SPI 7a4f3178, traffic 10.1.0.0/24 <=> 10.2.0.0/24.", output, StringComparison.Ordinal);
        Assert.Contains("10 ESP packets", output, StringComparison.Ordinal);
        Assert.Contains("it carries a Delete of the IKE SA", output, StringComparison.Ordinal);
    }
}
