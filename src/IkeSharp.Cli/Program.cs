using System.CommandLine;
using IkeSharp.Cli.ConfigCheck;
using IkeSharp.Cli.Demo;
using IkeSharp.Cli.Inspect;

namespace IkeSharp.Cli;

/// <summary>The <c>ikesharp</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args) => BuildRoot(Console.Out, Console.Error).Parse(args).Invoke();

    internal static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("IkeSharp: IKEv2 and IPsec for .NET");
        root.Subcommands.Add(InspectCommand(stdout, stderr));
        root.Subcommands.Add(DemoCommandLine(stdout));
        root.Subcommands.Add(ConfigCommandLine(stdout, stderr));
        return root;
    }

    /// <summary>Colour only on a terminal, and never when NO_COLOR is set (no-color.org).</summary>
    internal static bool UseColour(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    private static Command InspectCommand(TextWriter stdout, TextWriter stderr)
    {
        var capture = new Argument<FileInfo>("capture") { Description = "a pcap or pcapng file with IKE (UDP 500, 4500) and ESP traffic" };
        var keys = new Option<FileInfo?>("--keys") { Description = "a Wireshark ikev2_decryption_table with the SK_e/SK_a keys of the IKE SAs" };
        var json = new Option<bool>("--json") { Description = "print the decoded capture as JSON" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "show every transform of every proposal" };
        var command = new Command("inspect", "decode the IKEv2 messages and ESP packets in a capture") { capture, keys, json, verbose };
        command.SetAction(result => Inspect.InspectCommand.Run(
            result.GetValue(capture)!, result.GetValue(keys), result.GetValue(json), result.GetValue(verbose), stdout, stderr, UseColour(stdout)));
        return command;
    }

    private static Command ConfigCommandLine(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "the configuration file (TOML, sections as in strongSwan's swanctl.conf)" };
        var check = new Command("check", "check a configuration file and print every error with its line and key; exit 0 valid, 1 errors, 2 unreadable") { file };
        check.SetAction(result => ConfigCheckCommand.Run(result.GetValue(file)!, stdout, stderr));
        return new Command("config", "work with configuration files") { check };
    }

    private static Command DemoCommandLine(TextWriter stdout)
    {
        var command = new Command("demo", "decode and explain a bundled strongSwan IKEv2 exchange");
        command.SetAction(_ => DemoCommand.Run(stdout, UseColour(stdout)));
        return command;
    }
}
