using System.Diagnostics;
using System.Globalization;
using System.Net;
using IkeSharp.Cli.Capture;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>
/// Messages we encode, written to a pcap, are read by Wireshark's dissector (tshark) with no
/// malformed packet, no expert error or warning, and the same exchange, message ID and payload
/// list as we meant. scripts/test.sh installs tshark; without it this test fails, it never skips.
/// </summary>
public class TsharkDissectorTests
{
    private static (int ExitCode, string Output) Tshark(params string[] args)
    {
        string tshark = File.Exists("/usr/bin/tshark") ? "/usr/bin/tshark" : "tshark";
        var start = new ProcessStartInfo(tshark) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using Process p = Process.Start(start)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(120_000), "tshark did not finish in 120 s");
            return (p.ExitCode, stdout.Result + stderr.Result.Replace("Running as user \"root\" and group \"root\". This could be dangerous.\n", "", StringComparison.Ordinal));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"tshark is not installed ({e.Message}); scripts/test.sh installs it with apt-get install tshark");
            throw;
        }
    }

    [Fact]
    public void Every_sample_message_decodes_cleanly_in_tshark()
    {
        // Every payload and message shape, plus the strongSwan messages re-encoded by us.
        var messages = Samples.EveryMessage().Where(m => !Samples.TsharkFlagsLegitimately.Contains(m.Name)).Select(m => m.Message).ToList();
        foreach (string tag in Fixtures.CaptureTags)
        {
            messages.AddRange(Fixtures.IkeDatagrams(tag).Select(d => IkeMessage.Decode(d.Datagram).Value));
        }

        var a4 = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500);
        var b4 = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 500);
        var a6 = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500);
        var b6 = new IPEndPoint(IPAddress.Parse("2001:db8::2"), 4500);
        var datagrams = new List<(IPEndPoint, IPEndPoint, ReadOnlyMemory<byte>)>();
        for (int i = 0; i < messages.Count; i++)
        {
            // Mostly IPv4 on 500; every third over IPv6 on 4500 with the non-ESP marker.
            (IPEndPoint from, IPEndPoint to) = i % 3 == 2 ? (a6, b6) : (a4, b4);
            datagrams.Add((from, to, messages[i].ToArray()));
        }

        string pcap = Path.Combine(Path.GetTempPath(), $"ikesharp-tshark-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(pcap, PcapWriter.WriteUdpPcap(datagrams));
        if (Environment.GetEnvironmentVariable("IKESHARP_KEEP_PCAP") is { } keep)
        {
            File.Copy(pcap, keep, overwrite: true);
        }

        try
        {
            (int verboseExit, string verbose) = Tshark("-n", "-r", pcap, "-V", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE");
            Assert.Equal(0, verboseExit);
            Assert.DoesNotContain("Malformed", verbose, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Dissector bug", verbose, StringComparison.OrdinalIgnoreCase);

            (int expertExit, string expert) = Tshark("-n", "-r", pcap, "-q", "-z", "expert,warn");
            Assert.Equal(0, expertExit);
            Assert.DoesNotContain("Errors (", expert, StringComparison.Ordinal);
            Assert.DoesNotContain("Warns (", expert, StringComparison.Ordinal);

            (int fieldsExit, string fields) = Tshark("-n", "-r", pcap, "-Y", "isakmp", "-T", "fields", "-E", "separator=|",
                "-e", "frame.number", "-e", "isakmp.exchangetype", "-e", "isakmp.messageid", "-e", "isakmp.typepayload");
            Assert.Equal(0, fieldsExit);
            string[] rows = fields.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(messages.Count, rows.Length);
            for (int i = 0; i < rows.Length; i++)
            {
                string[] f = rows[i].Split('|');
                IkeMessage m = messages[i];
                Assert.Equal((int)m.ExchangeType, int.Parse(f[1], CultureInfo.InvariantCulture));
                Assert.Equal(m.MessageId, Convert.ToUInt32(f[2], 16));

                // tshark's own list stops at SK's inner chain, like ours.
                int[] theirs = f[3].Length == 0 ? [] : f[3].Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(CaptureGoldenTests.FlattenTypes(m).SequenceEqual(theirs), $"frame {i + 1}: we encoded [{string.Join(",", CaptureGoldenTests.FlattenTypes(m))}], tshark read [{f[3]}]");
            }
        }
        finally
        {
            File.Delete(pcap);
        }
    }
}
