namespace IkeSharp.Interop.Tests;

/// <summary>
/// flood.py run from the lab's second namespace at a daemon in the first: IKE_SA_INIT requests from
/// spoofed 172.16.0.0/12 sources, as fast as one Python process sends them, for a number of seconds.
/// </summary>
internal sealed class Flood : IDisposable
{
    private readonly Process process;

    private Flood(Process process) => this.process = process;

    /// <summary>
    /// Lets the spoofed requests in (no reverse-path filter in the target's namespace) and throws the
    /// answers away there (a blackhole route), then starts the flood at <paramref name="target"/>:500.
    /// </summary>
    public static Flood Start(Lab lab, string target, int seconds)
    {
        Shell.Must("ip", "-n", lab.Ours, "route", "add", "blackhole", "172.16.0.0/12");
        Shell.Must("ip", "netns", "exec", lab.Ours, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        Shell.Must("ip", "netns", "exec", lab.Ours, "sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0");
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", lab.Theirs, "python3", Path.Combine(AppContext.BaseDirectory, "flood.py"), target, "500", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        return new Flood(Process.Start(start)!);
    }

    /// <summary>Waits for the flood to end; the requests it sent and its rate a second, or null when it did not end or said nothing.</summary>
    public (long Sent, long Rate)? Finish(TimeSpan wait)
    {
        if (!process.WaitForExit(wait))
        {
            return null;
        }

        string[] words = process.StandardOutput.ReadToEnd().Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 2 ? (long.Parse(words[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    public string Errors => process.HasExited ? process.StandardError.ReadToEnd() : "";

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }
}
