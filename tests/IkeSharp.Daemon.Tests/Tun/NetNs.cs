using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IkeSharp.Daemon.Tests.Tun;

/// <summary>
/// A network namespace made for one test, and a way to run code inside it: setns(2) on a fresh
/// thread moves only that thread, so sockets, TUN devices and netlink opened there belong to the
/// namespace and nothing touches the host's network.
/// </summary>
internal sealed partial class NetNs : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    public NetNs(string name)
    {
        Name = name;
        Ip("netns", "del", name);
        Must("netns", "add", name);
        Must("-n", name, "link", "set", "lo", "up");
    }

    public string Name { get; }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    /// <summary>Runs <paramref name="action"/> on a thread inside the namespace and rethrows what it throws.</summary>
    public void Run(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using Microsoft.Win32.SafeHandles.SafeFileHandle ns = File.OpenHandle($"/var/run/netns/{Name}", FileMode.Open, FileAccess.Read);
                if (SetNs((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns {Name}: errno {Marshal.GetLastPInvokeError()}");
                }

                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new AggregateException($"in namespace {Name}", failure);
        }
    }

    public static (int Exit, string Output) Ip(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    public string Must(params string[] args)
    {
        (int exit, string output) = Ip(args);
        Assert.True(exit == 0, $"ip {string.Join(' ', args)}: {output}");
        return output;
    }

    public void Dispose() => Ip("netns", "del", Name);
}
