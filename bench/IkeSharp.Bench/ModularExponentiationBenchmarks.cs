using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Bench;

/// <summary>
/// One OpenSSL BN_mod_exp_mont_consttime of a MODP group's generator to a secret exponent of the
/// group's size (what each side of a MODP exchange does twice): with the prime passed as octets
/// (converted and its Montgomery context computed per call, as before) and prepared once per group
/// (ModpKeyExchange keeps it).
/// </summary>
[MemoryDiagnoser]
public class ModularExponentiationBenchmarks
{
    private readonly OpenSslModularExponentiation engine = new();
    private PreparedModulus prepared = null!;
    private ModpGroup group = null!;
    private byte[] exponent = [];
    private byte[] result = [];

    [Params("modp2048", "modp3072")]
    public string Group { get; set; } = "modp2048";

    [GlobalSetup]
    public void Setup()
    {
        group = Group == "modp3072" ? ModpGroups.Modp3072 : ModpGroups.Modp2048;
        prepared = engine.Prepare(group.PrimeBytes);
        exponent = RandomNumberGenerator.GetBytes(group.ExponentBits / 8);
        result = new byte[group.PrimeLength];
    }

    [GlobalCleanup]
    public void Cleanup() => prepared.Dispose();

    [Benchmark(Baseline = true)]
    public byte PrimeAsOctets()
    {
        engine.ModPow(group.GeneratorBytes, exponent, group.PrimeBytes, result);
        return result[0];
    }

    [Benchmark]
    public byte PreparedPrime()
    {
        engine.ModPow(group.GeneratorBytes, exponent, prepared, result);
        return result[0];
    }

    /// <summary>Both variants for each group, alternating in rounds of 20 calls, CPU time per call (`IkeSharp.Bench modexp SECONDS`).</summary>
    public static void RunByCpuTime(double seconds)
    {
        foreach (string name in new[] { "modp2048", "modp3072" })
        {
            var bench = new ModularExponentiationBenchmarks { Group = name };
            bench.Setup();
            double[] cpuUs = new double[2];
            long[] calls = new long[2];
            var wall = System.Diagnostics.Stopwatch.StartNew();
            while (wall.Elapsed.TotalSeconds < seconds)
            {
                for (int variant = 0; variant < 2; variant++)
                {
                    TimeSpan before = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                    for (int i = 0; i < 20; i++)
                    {
                        _ = variant == 0 ? bench.PrimeAsOctets() : bench.PreparedPrime();
                    }

                    cpuUs[variant] += (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds;
                    calls[variant] += 20;
                }
            }

            bench.Cleanup();
            Console.WriteLine(System.FormattableString.Invariant(
                $"{name}: prime as octets {cpuUs[0] / calls[0]:F1} us CPU per call, prepared prime {cpuUs[1] / calls[1]:F1} us ({calls[0]} calls each)"));
        }
    }
}
