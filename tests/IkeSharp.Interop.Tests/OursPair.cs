namespace IkeSharp.Interop.Tests;

/// <summary>
/// Two of our daemons in one lab, no strongSwan: <see cref="A"/> in the first namespace (10.99.0.1,
/// LAN 10.1.0.0/24) and <see cref="B"/> in the second (10.99.0.2, LAN 10.2.0.0/24), with relay.py
/// between them when a seed is given. A failed check throws with both daemons' logs and status.
/// </summary>
internal sealed class OursPair : IDisposable
{
    private OursPair(Lab lab)
    {
        Lab = lab;
        A = new OurDaemon(lab);
        B = new OurDaemon(lab, theirSide: true);
    }

    public Lab Lab { get; }

    public OurDaemon A { get; }

    public OurDaemon B { get; }

    public Relay? Relay { get; private set; }

    internal static OursPair Start(string tag, Cell cell, OurOptions? a = null, OurOptions? b = null, int? relaySeed = null)
    {
        var pair = new OursPair(new Lab(tag, relay: relaySeed is not null));
        try
        {
            if (relaySeed is { } seed)
            {
                pair.Relay = new Relay(pair.Lab, seed);
            }

            Pki? pki = cell.Auth == "psk" ? null : new Pki(Path.Combine(pair.Lab.Dir, "pki"), cell.PkiAlgorithm);
            pair.A.Configure(cell, Scenario.Psk, pki, initiator: true, options: a);
            pair.B.Configure(cell, Scenario.Psk, pki, initiator: false, options: b);
            pair.A.Start();
            pair.B.Start();
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    public InvalidOperationException Failure(string what) =>
        new($"{what}\n--- A log ---\n{A.Log}\n--- B log ---\n{B.Log}\n--- A status ---\n{A.Cli("status").Output}\n--- B status ---\n{B.Cli("status").Output}");

    public void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw Failure(what);
        }
    }

    public void WaitFor(Func<bool> condition, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw Failure($"timed out after {seconds} s waiting for {what}");
            }

            Thread.Sleep(200);
        }
    }

    /// <summary>Both daemons' status, one CLI call each (each call is a process start: slow on a loaded machine).</summary>
    public (DaemonStatus A, DaemonStatus B) Status() => (A.Status(), B.Status());

    /// <summary>One Child SA at each end, and the same pair of SPIs seen from both.</summary>
    public static bool OneChildEachMatching((DaemonStatus A, DaemonStatus B) s)
    {
        if (s.A.Children is not [var a] || s.B.Children is not [var b])
        {
            return false;
        }

        return a.GetProperty("spi_in").GetString() == b.GetProperty("spi_out").GetString()
            && a.GetProperty("spi_out").GetString() == b.GetProperty("spi_in").GetString();
    }

    /// <summary>One IKE SA at each end, the same one, and one matching Child SA in it.</summary>
    public static bool OneOfEachMatching((DaemonStatus A, DaemonStatus B) s) =>
        s.A.IkeSaCount == 1 && s.B.IkeSaCount == 1 && s.A.IkeSpis == s.B.IkeSpis && OneChildEachMatching(s);

    /// <summary>Pings across the tunnel from A's LAN to B's (or back); Ok when every echo came back.</summary>
    public Shell.Result Ping(bool fromA, int count = 3) => Lab.Ping(fromA, count);

    public void Dispose()
    {
        Relay?.Dispose();
        A.Dispose();
        B.Dispose();
        Lab.Dispose();
    }
}
