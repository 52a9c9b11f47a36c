using System.Text;

namespace IkeSharp.Interop.Tests;

/// <summary>Runs programs for the harness (ip, swanctl, ping) and keeps their output for failure messages.</summary>
internal static class Shell
{
    public sealed record Result(int ExitCode, string Output)
    {
        public bool Ok => ExitCode == 0;
    }

    public static Result Run(string file, params string[] args) => RunWithTimeout(TimeSpan.FromSeconds(60), file, args);

    public static Result RunWithTimeout(TimeSpan timeout, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new Result(-1, $"{file} {string.Join(' ', args)}: timed out after {timeout.TotalSeconds} s\n{output}");
        }

        p.WaitForExit();
        lock (output)
        {
            return new Result(p.ExitCode, output.ToString());
        }
    }

    public static Result Must(string file, params string[] args)
    {
        Result r = Run(file, args);
        if (!r.Ok)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.Output}");
        }

        return r;
    }

    /// <summary>Runs a command inside a network namespace.</summary>
    public static Result InNs(string ns, string file, params string[] args) => Run("ip", ["netns", "exec", ns, file, .. args]);
}
