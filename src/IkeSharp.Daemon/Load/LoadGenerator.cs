using System.Net.Sockets;
using IkeSharp.Esp;

namespace IkeSharp.Daemon.Load;

/// <summary>
/// Runs a <see cref="LoadRun"/> over one UDP socket: a single thread waits in poll until a datagram
/// arrives or the run's next deadline comes, feeds either to the run, and sends what it asks for.
/// Time comes from the injected <see cref="TimeProvider"/>, randomness from the injected source.
/// </summary>
public sealed class LoadGenerator
{
    /// <summary>How often the progress callback is called, at most.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly LoadProfile profile;
    private readonly TimeProvider time;
    private readonly IRandomSource random;
    private readonly EngineOptions? engineOptions;

    public LoadGenerator(LoadProfile profile, TimeProvider time, IRandomSource random, EngineOptions? engineOptions = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        this.profile = profile;
        this.time = time;
        this.random = random;
        this.engineOptions = engineOptions;
    }

    /// <summary>
    /// Our address towards <paramref name="remote"/>: a UDP socket "connected" to it asks the
    /// kernel's routing table which source address it would use, without sending anything.
    /// </summary>
    public static IPAddress SourceAddressFor(IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(remote);
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    /// <summary>
    /// Binds the socket, runs until every setup (and delete) is done or <paramref name="token"/> is
    /// cancelled, and reports. Throws <see cref="SocketException"/> when the socket cannot be bound.
    /// </summary>
    public Task<LoadReport> RunAsync(Action<LoadProgress>? progress, CancellationToken token) =>
        Task.Factory.StartNew(() => Run(progress, token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private LoadReport Run(Action<LoadProgress>? progress, CancellationToken token)
    {
        IPEndPoint bind = profile.Local is { } l && !l.Address.Equals(IPAddress.Any) && !l.Address.Equals(IPAddress.IPv6Any)
            ? l
            : new IPEndPoint(SourceAddressFor(profile.Remote), profile.Local?.Port ?? 0);
        using var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        Transport.UdpPort.EnlargeReceiveBuffer(socket);
        socket.SendBufferSize = 4 << 20;
        socket.Bind(bind);
        var local = (IPEndPoint)socket.LocalEndPoint!;

        long origin = time.GetTimestamp();
        long Now() => (long)time.GetElapsedTime(origin).TotalMilliseconds;
        var run = new LoadRun(profile, local, random, AlgorithmRegistry.Default, engineOptions, () => time.GetElapsedTime(origin).TotalMilliseconds);
        bool natTDistinct = profile.RemoteNatTPort != profile.Remote.Port;
        byte[] buffer = new byte[Transport.UdpPort.MaxDatagram];
        var from = new SocketAddress(local.AddressFamily, SocketAddress.GetMaximumAddressSize(local.AddressFamily));
        long nextProgress = 0;

        void Flush()
        {
            while (run.TryPollTransmit(out Transmit t))
            {
                try
                {
                    if (natTDistinct && t.Remote.Port == profile.RemoteNatTPort)
                    {
                        // RFC 3948 §2.2: IKE on the NAT-T port starts with the four-zero-octet non-ESP marker.
                        byte[] framed = new byte[EspInUdp.NonEspMarkerLength + t.Datagram.Length];
                        t.Datagram.CopyTo(framed, EspInUdp.NonEspMarkerLength);
                        socket.SendTo(framed, SocketFlags.None, t.Remote);
                    }
                    else
                    {
                        socket.SendTo(t.Datagram, SocketFlags.None, t.Remote);
                    }
                }
                catch (SocketException)
                {
                    // A full send buffer or an unreachable peer: the engine retransmits (RFC 7296 §2.1).
                }
            }
        }

        run.Start(Now());
        Flush();
        while (!run.IsFinished)
        {
            long now = Now();
            if (token.IsCancellationRequested)
            {
                run.Stop(now);
                break;
            }

            if (progress is not null && now >= nextProgress)
            {
                progress(run.Progress(now));
                nextProgress = now + (long)ProgressInterval.TotalMilliseconds;
            }

            if (run.NextDeadline is { } deadline && deadline <= now)
            {
                run.HandleTimeout(now);
                Flush();
                continue;
            }

            // Wake for the next deadline, or at least every 100 ms to notice cancellation and show progress.
            long wait = Math.Clamp((run.NextDeadline ?? long.MaxValue) - now, 1, 100);
            if (!socket.Poll((int)wait * 1000, SelectMode.SelectRead))
            {
                continue;
            }

            // Take what has arrived (a bounded batch, so timers are not starved), then send the answers.
            for (int batch = 0; batch < 64 && socket.Available > 0; batch++)
            {
                int n;
                try
                {
                    n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
                }
                catch (SocketException)
                {
                    // ICMP errors from earlier sends surface here on Linux; the engine copes with the loss.
                    continue;
                }

                var remote = (IPEndPoint)local.Create(from);
                ReadOnlySpan<byte> datagram = buffer.AsSpan(0, n);
                if (natTDistinct && remote.Port == profile.RemoteNatTPort)
                {
                    if (EspInUdp.Classify(datagram) != UdpEncapsulatedKind.Ike)
                    {
                        continue; // NAT-keepalives and ESP: a load run carries no traffic.
                    }

                    datagram = datagram[EspInUdp.NonEspMarkerLength..];
                }

                // The engine may keep parts of a message (payload data), so it gets its own copy.
                run.HandleDatagram(Now(), local, remote, datagram.ToArray());
            }

            Flush();
        }

        long end = Now();
        progress?.Invoke(run.Progress(end));
        return run.Report(end);
    }
}
