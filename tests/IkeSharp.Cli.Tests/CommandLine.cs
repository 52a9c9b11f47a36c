namespace IkeSharp.Cli.Tests;

/// <summary>Runs <c>ikesharp</c> as a user would, in process, with its output captured.</summary>
internal static class CommandLine
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.BuildRoot(stdout, stderr).Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
