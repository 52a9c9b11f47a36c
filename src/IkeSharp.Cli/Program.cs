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
        foreach (Command command in Control.ControlCommands.Build(stdout, stderr))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(ConfigCommandLine(stdout, stderr));
        root.Subcommands.Add(DaemonCommandLine(stderr));
        root.Subcommands.Add(Load.LoadCommand.Build(stdout, stderr));
        return root;
    }

    /// <summary>The writer is the process's stdout and that is a terminal (not a pipe or file).</summary>
    internal static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

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

    private static Command DaemonCommandLine(TextWriter stderr)
    {
        var config = new Option<FileInfo>("--config") { Description = "the configuration file (TOML, shaped after swanctl.conf)", Required = true };
        var socket = new Option<string?>("--control-socket") { Description = "the control socket (default: [daemon] control_socket, or /run/ikesharp/ikesharp.sock)" };
        var command = new Command("daemon", "run the IKE daemon in the foreground: logs to stdout, SIGHUP reloads, SIGTERM deletes the SAs and exits") { config, socket };
        command.SetAction((result, token) => Daemon.DaemonCommand.RunAsync(result.GetValue(config)!, result.GetValue(socket), stderr, token));
        return command;
    }

    private static Command DemoCommandLine(TextWriter stdout)
    {
        var capture = new Option<bool>("--capture") { Description = "instead, decode and explain a bundled capture of strongSwan talking to strongSwan" };
        var netns = new Option<bool>("--netns") { Description = "as root: two network namespaces, each running ikesharp daemon with a TUN device, and a real ping through the tunnel" };
        var port = new Option<int>("--port") { Description = "first of the two loopback UDP ports the demo gateways use", DefaultValueFactory = _ => 15500 };
        var command = new Command("demo", "two gateways in this process set up a tunnel over loopback UDP, carry traffic, rekey and delete") { capture, netns, port };
        command.SetAction((result, token) => result.GetValue(capture)
            ? Task.FromResult(DemoCommand.Run(stdout, UseColour(stdout)))
            : result.GetValue(netns) ? NetnsDemo.RunAsync(stdout, Console.Error) : LiveDemo.RunAsync(stdout, result.GetValue(port)));
        return command;
    }
}
