using BenchmarkDotNet.Running;

namespace IkeSharp.Bench;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet's switcher; or <c>loop responder|initiator SECONDS</c>, which runs one role's
    /// handshake in a plain loop for a profiler to attach to (dotnet-trace, dotnet-counters).
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["loop", string role, string seconds])
        {
            var bench = new EngineBenchmarks();
            bench.RecordHandshake();
            Func<int> once = role == "initiator" ? bench.InitiatorOnly : bench.ResponderOnly;
            var until = System.Diagnostics.Stopwatch.StartNew();
            long count = 0;
            while (until.Elapsed.TotalSeconds < double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture))
            {
                count += once();
            }

            Console.WriteLine($"{count} {role} handshakes in {until.Elapsed.TotalSeconds:F1} s: {until.Elapsed.TotalMicroseconds / count:F1} us each");
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
