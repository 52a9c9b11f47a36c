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

        if (args is ["floor", "ecdsa", string floorSeconds])
        {
            // The ECDSA P-256 + ecp256 responder's crypto floor in a plain loop, for
            // bench/compare-strongswan.sh to set beside the daemon's CPU per SA in the same run
            // (BenchmarkDotNet's CertificateFloorBenchmarks measures the same more carefully).
            var floor = new CertificateFloorBenchmarks();
            floor.Setup();
            var warm = System.Diagnostics.Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < 1)
            {
                floor.CryptoFloorEcdsaResponder();
            }

            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var wall = System.Diagnostics.Stopwatch.StartNew();
            long n = 0;
            while (wall.Elapsed.TotalSeconds < double.Parse(floorSeconds, System.Globalization.CultureInfo.InvariantCulture))
            {
                n += floor.CryptoFloorEcdsaResponder();
            }

            double cpuUs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n;
            Console.WriteLine(System.FormattableString.Invariant($"{n} ecdsa floors in {wall.Elapsed.TotalSeconds:F1} s: {wall.Elapsed.TotalMicroseconds / n:F1} us wall, {cpuUs:F1} us CPU each"));
            floor.Cleanup();
            return;
        }

        if (args is ["modexp", string modexpSeconds])
        {
            // ModularExponentiationBenchmarks' two variants by CPU time, interleaved in short rounds:
            // on the shared 2-core machine BenchmarkDotNet's wall-clock figures move with the load.
            ModularExponentiationBenchmarks.RunByCpuTime(double.Parse(modexpSeconds, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
