namespace IkeSharp.Interop.Tests;

/// <summary>
/// [daemon] key_log against strongSwan: a capture of the exchange and the tunnel traffic decrypts in
/// tshark with the key tables our daemon wrote, and Wireshark finds every IKE integrity checksum
/// and ESP ICV correct.
/// </summary>
public class KeyLogInteropTests
{
    [Fact]
    public void A_capture_of_our_tunnel_with_strongswan_decrypts_in_tshark_with_our_key_log()
    {
        using Scenario s = Scenario.Start("k", InteropTests.PskModp2048, oursInitiates: true, keyLog: true);
        string capture = Path.Combine(s.Lab.Dir, "capture.pcapng");
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", s.Lab.Ours, "tshark", "-q", "-i", "isx-va", "-f", "udp or esp", "-a", "duration:10", "-w", capture })
        {
            start.ArgumentList.Add(a);
        }

        using Process tshark = Process.Start(start)!;
        tshark.OutputDataReceived += (_, _) => { };
        tshark.ErrorDataReceived += (_, _) => { };
        tshark.BeginOutputReadLine();
        tshark.BeginErrorReadLine();
        s.WaitFor(() => File.Exists(capture), "tshark to start capturing", seconds: 10);
        Thread.Sleep(1000);

        s.Up(oursInitiates: true);
        s.MustPing(fromOurs: true, "with the key log on");
        Shell.Result down = s.Ours.Cli("down", "lab");
        s.Check(down.Ok, $"ikesharp down failed: {down.Output}");
        s.Check(tshark.WaitForExit(TimeSpan.FromSeconds(20)), "tshark did not stop");

        string ikeKeys = Path.Combine(s.Lab.Dir, "keys.ikev2");
        string espKeys = Path.Combine(s.Lab.Dir, "keys.esp");
        s.Check(File.Exists(ikeKeys) && File.Exists(espKeys), "the daemon wrote keys.ikev2 and keys.esp");
        s.Check(s.Ours.Log.Contains("KEY LOGGING IS ON", StringComparison.Ordinal), "the daemon warns loudly that keys are logged");

        var args = new List<string> { "-r", capture, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE", "-V" };
        foreach (string row in File.ReadAllLines(ikeKeys).Where(l => !l.StartsWith('#')))
        {
            args.AddRange(["-o", $"uat:ikev2_decryption_table:{row}"]);
        }

        foreach (string row in File.ReadAllLines(espKeys).Where(l => !l.StartsWith('#')))
        {
            args.AddRange(["-o", $"uat:esp_sa:{row}"]);
        }

        Shell.Result decoded = Shell.Run("tshark", [.. args]);
        s.Check(decoded.Ok, $"tshark could not read the capture: {decoded.Output}");
        string text = decoded.Output;
        int correct = CountOf(text, "[correct]");
        int incorrect = CountOf(text, "[incorrect");
        s.Check(incorrect == 0, $"tshark found {incorrect} incorrect checksums:\n{text}");
        s.Check(text.Contains("Type Payload: Identification - Initiator", StringComparison.Ordinal) || text.Contains("Identification - Initiator", StringComparison.Ordinal),
            $"the IKE_AUTH request decrypted to its ID payload:\n{text}");
        s.Check(text.Contains("Internet Control Message Protocol", StringComparison.Ordinal), $"the ESP packets decrypted to the ICMP echoes inside:\n{text}");
        s.Check(correct >= 6, $"tshark confirmed only {correct} integrity checks:\n{text}");
    }

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }
}
