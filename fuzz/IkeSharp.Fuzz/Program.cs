using SharpFuzz;

namespace IkeSharp.Fuzz;

/// <summary>
/// The fuzzing harness (docs/fuzzing.md). Under afl-fuzz: <c>IkeSharp.Fuzz TARGET</c> runs the
/// target in SharpFuzz's fork-server loop. Outside it: <c>replay TARGET FILE|DIR...</c> runs saved
/// inputs (crashes, corpora) and prints any exception, and <c>seeds TARGET DIR FIXTURES</c> writes
/// the seed corpus from the fixtures.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 1 && Targets.Find(args[0]) is { } target)
        {
            Fuzzer.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                target.Run(buffer.ToArray());
            });
            return 0;
        }

        if (args.Length >= 3 && args[0] == "replay" && Targets.Find(args[1]) is { } replayed)
        {
            return Replay(replayed, args.AsSpan(2));
        }

        if (args.Length == 4 && args[0] == "seeds" && Targets.Find(args[1]) is { } seeded)
        {
            int count = Seeds.Write(seeded.Name, args[2], args[3]);
            Console.WriteLine($"{seeded.Name}: {count} seeds in {args[2]}");
            return 0;
        }

        Console.Error.WriteLine($"usage: IkeSharp.Fuzz TARGET | replay TARGET FILE|DIR... | seeds TARGET OUTDIR FIXTURE_ROOT; targets: {string.Join(", ", Targets.Names)}");
        return 2;
    }

    private static int Replay(Target target, ReadOnlySpan<string> paths)
    {
        int failures = 0;
        int runs = 0;
        foreach (string path in paths)
        {
            string[] files = Directory.Exists(path) ? Directory.GetFiles(path) : [path];
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                if (Path.GetFileName(file) == "README.txt")
                {
                    continue;
                }

                runs++;
                try
                {
                    target.Run(File.ReadAllBytes(file));
                }
#pragma warning disable CA1031 // replay reports every escaping exception: each one is a finding
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures++;
                    Console.WriteLine($"{file}: {e}");
                }
            }
        }

        Console.WriteLine($"{target.Name}: {runs} inputs, {failures} raised an exception");
        return failures == 0 ? 0 : 1;
    }
}
