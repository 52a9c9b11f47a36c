namespace IkeSharp.Interop.Tests;

/// <summary>
/// relay.py in the lab's middle namespace: 20% loss, 20% duplication and 20% reordering both ways,
/// drawn from one seed, and NAT-like (each side sees the relay as its peer).
/// </summary>
internal sealed class Relay : IDisposable
{
    private readonly Process process;

    public Relay(Lab lab, int seed)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", lab.Middle, "python3", Path.Combine(AppContext.BaseDirectory, "relay.py"),
            lab.TheirsSeenByOurs, lab.OursSeenByTheirs, lab.OursOuter, lab.TheirsOuter, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "0.2", "0.2", "0.2" })
        {
            start.ArgumentList.Add(a);
        }

        process = Process.Start(start)!;
        Thread.Sleep(300);
        if (process.HasExited)
        {
            throw new InvalidOperationException($"relay.py did not start: {process.StandardError.ReadToEnd()}");
        }
    }

    /// <summary>What relay.py did: datagrams in, dropped, duplicated, reordered (after <see cref="Stop"/>).</summary>
    public string Counts { get; private set; } = "";

    /// <summary>Stops the relay and keeps its counts in <see cref="Counts"/>.</summary>
    public void Stop()
    {
        if (!process.HasExited)
        {
            Shell.Run("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            process.WaitForExit(5000);
            Counts = process.StandardOutput.ReadToEnd().Trim();
        }
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
    }
}
