using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Control;

/// <summary>
/// The control socket: a Unix stream socket, mode 0600 in a 0700 directory, so only root (the
/// daemon's user) may command the daemon. Each connection carries one request and one reply.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>Longest request line we read; a longer one is refused, not buffered.</summary>
    public const int MaxRequest = 4096;

    private readonly Socket listener;
    private readonly Func<ControlRequest, CancellationToken, Task<ControlReply>> handler;
    private readonly ILogger log;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    public ControlServer(string path, Func<ControlRequest, CancellationToken, Task<ControlReply>> handler, ILogger log)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        this.handler = handler;
        this.log = log;
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (File.Exists(path))
        {
            // A stale socket from a daemon that died; a live one would answer.
            if (ControlClient.IsAlive(path))
            {
                throw new InvalidOperationException($"another daemon is listening on {path}");
            }

            File.Delete(path);
        }

        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(16);
        accepting = Task.Run(() => AcceptLoop(stopping.Token));
    }

    public string Path { get; }

    private async Task AcceptLoop(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client, token), token);
        }
    }

    private async Task Serve(Socket client, CancellationToken token)
    {
        using (client)
        {
            try
            {
                byte[] buffer = new byte[MaxRequest];
                int length = 0;
                int newline = -1;
                using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                readTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                while (newline < 0 && length < buffer.Length)
                {
                    int n = await client.ReceiveAsync(buffer.AsMemory(length), readTimeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    newline = Array.IndexOf(buffer, (byte)'\n', length, n);
                    length += n;
                }

                ControlReply reply;
                ControlRequest? request = ControlRequest.Parse(buffer.AsSpan(0, newline >= 0 ? newline : length), out string? error);
                if (request is null)
                {
                    reply = new ControlReply(false, $"bad request: {error}");
                }
                else
                {
                    try
                    {
                        reply = await handler(request, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException)
                    {
                        reply = new ControlReply(false, e.Message);
                    }
                }

                await client.SendAsync(reply.ToJsonLine(), token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                log.LogDebug("control connection ended early: {Reason}", e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        await accepting.ConfigureAwait(false);
        stopping.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The client side of the control socket, for the CLI.</summary>
public static class ControlClient
{
    public const string DefaultPath = "/run/ikesharp/ikesharp.sock";

    /// <summary>Sends one request and returns the reply; throws <see cref="ControlException"/> with a plain reason when the daemon cannot be reached.</summary>
    public static async Task<ControlReply> SendAsync(string path, ControlRequest request, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!File.Exists(path))
        {
            throw new ControlException($"no daemon control socket at {path}: is `ikesharp daemon` running? (use --control-socket PATH for another socket)");
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new ControlException(e.SocketErrorCode == SocketError.AccessDenied
                ? $"permission denied on {path}: the control socket is for root only"
                : $"cannot connect to the daemon at {path}: {e.Message} (is `ikesharp daemon` running?)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ControlException($"permission denied on {path}: the control socket is for root only");
        }

        await socket.SendAsync(request.ToJsonLine(), token).ConfigureAwait(false);
        var received = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, token).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
            if (received.Length > 64 << 20)
            {
                throw new ControlException("the daemon's reply is too large");
            }
        }

        string line = Encoding.UTF8.GetString(received.ToArray()).Trim();
        if (line.Length == 0)
        {
            throw new ControlException($"the daemon at {path} closed the connection without a reply");
        }

        return ControlReply.Parse(line);
    }

    /// <summary>True when something accepts connections on <paramref name="path"/>.</summary>
    public static bool IsAlive(string path)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

public sealed class ControlException(string message) : Exception(message);
