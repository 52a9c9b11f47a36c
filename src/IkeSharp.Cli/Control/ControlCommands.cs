using System.CommandLine;
using IkeSharp.Daemon.Control;

namespace IkeSharp.Cli.Control;

/// <summary>
/// <c>ikesharp up NAME</c>, <c>down NAME</c>, <c>reload</c> and <c>status [--json]</c>: one request
/// each over the daemon's control socket. Exit 0 when the daemon did it, 1 when it refused or
/// failed (with its reason), 2 when the daemon cannot be reached.
/// </summary>
internal static class ControlCommands
{
    public static Option<string> SocketOption() => new("--control-socket")
    {
        Description = $"the daemon's control socket (default {ControlClient.DefaultPath})",
        DefaultValueFactory = _ => ControlClient.DefaultPath,
    };

    public static IEnumerable<Command> Build(TextWriter stdout, TextWriter stderr)
    {
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the SA to come up or go down", DefaultValueFactory = _ => 30 };

        Option<string> upSocket = SocketOption();
        var upName = new Argument<string>("name") { Description = "the connection to bring up" };
        var up = new Command("up", "initiate a connection and wait until its Child SA is installed") { upName, upSocket, timeout };
        up.SetAction((result, token) => RunAsync(result.GetValue(upSocket)!, new ControlRequest("up", result.GetValue(upName), result.GetValue(timeout)), false, stdout, stderr, token));
        yield return up;

        Option<string> downSocket = SocketOption();
        var downName = new Argument<string>("name") { Description = "the connection to close" };
        var down = new Command("down", "delete a connection's IKE SAs (and their Child SAs)") { downName, downSocket, timeout };
        down.SetAction((result, token) => RunAsync(result.GetValue(downSocket)!, new ControlRequest("down", result.GetValue(downName), result.GetValue(timeout)), false, stdout, stderr, token));
        yield return down;

        Option<string> rekeySocket = SocketOption();
        var rekeyName = new Argument<string>("name") { Description = "the connection whose SAs to rekey" };
        var rekeyChild = new Option<bool>("--child") { Description = "rekey the Child SAs instead of the IKE SA" };
        var rekey = new Command("rekey", "rekey a connection's IKE SA (or with --child its Child SAs) now") { rekeyName, rekeySocket, rekeyChild };
        rekey.SetAction((result, token) => RunAsync(result.GetValue(rekeySocket)!, new ControlRequest(result.GetValue(rekeyChild) ? "rekey-child" : "rekey", result.GetValue(rekeyName)), false, stdout, stderr, token));
        yield return rekey;

        Option<string> reloadSocket = SocketOption();
        var reload = new Command("reload", "read the config file again; on an error the running config stays") { reloadSocket };
        reload.SetAction((result, token) => RunAsync(result.GetValue(reloadSocket)!, new ControlRequest("reload"), false, stdout, stderr, token));
        yield return reload;

        Option<string> statusSocket = SocketOption();
        var json = new Option<bool>("--json") { Description = "print the SAs as JSON (schema in docs/status.md)" };
        var counters = new Option<bool>("--counters") { Description = "print only the daemon's counters (SAs, liveness checks, rekeys, expiries, drops), not a row per SA" };
        var status = new Command("status", "list the IKE and Child SAs") { statusSocket, json, counters };
        status.SetAction((result, token) => RunAsync(result.GetValue(statusSocket)!, new ControlRequest(result.GetValue(counters) ? "counters" : "status"), result.GetValue(json), stdout, stderr, token));
        yield return status;
    }

    private static async Task<int> RunAsync(string socket, ControlRequest request, bool json, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        ControlReply reply;
        try
        {
            reply = await ControlClient.SendAsync(socket, request, token).ConfigureAwait(false);
        }
        catch (ControlException e)
        {
            await stderr.WriteLineAsync($"ikesharp {request.Command}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (!reply.Ok)
        {
            await stderr.WriteLineAsync($"ikesharp {request.Command}: {reply.Message}").ConfigureAwait(false);
            return 1;
        }

        await stdout.WriteLineAsync(json && reply.StatusJson is not null ? reply.StatusJson : reply.Message.TrimEnd()).ConfigureAwait(false);
        return 0;
    }
}
