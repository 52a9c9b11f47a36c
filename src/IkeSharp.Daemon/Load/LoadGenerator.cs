using System.Net.Sockets;
using IkeSharp.Esp;

namespace IkeSharp.Daemon.Load;

/// <summary>
/// Runs a <see cref="LoadRun"/> over one UDP socket: a single thread waits in poll(2) until a datagram
/// arrives or the run's next deadline comes, feeds either to the run, and sends what it asks for.
/// Datagrams come in batches with recvmmsg(2) and go out with sendmmsg(2), as the daemon's
/// <see cref="Transport.UdpPort"/> does: a run holding 100,000 SAs answers thousands of liveness
/// checks a second (issue 6), a system call per datagram each way was more than the thread kept up with.
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

    /// <summary>Datagrams taken per recvmmsg(2) and sent per sendmmsg(2).</summary>
    public const int BatchSize = 64;

    /// <summary>recvmmsg(2) calls in a row before the run's timers get a look, so timers are not starved by a flood.</summary>
    private const int BatchesPerTurn = 8;

    /// <summary>
    /// The socket's receive buffer: with --hold, 100,000 SAs get a liveness check from the responder
    /// every dpd_delay (3,333 a second at 30 s) and a rekey now and then; the buffer must carry them
    /// through a pause of this thread (a garbage collection, a busy core) of seconds, not the few
    /// milliseconds the daemon's 4 MiB allow for (a datagram costs ~1-2 KiB of buffer, its skb).
    /// </summary>
    public const int ReceiveBufferBytes = 64 << 20;

    private LoadReport Run(Action<LoadProgress>? progress, CancellationToken token)
    {
        IPEndPoint bind = profile.Local is { } l && !l.Address.Equals(IPAddress.Any) && !l.Address.Equals(IPAddress.IPv6Any)
            ? l
            : new IPEndPoint(SourceAddressFor(profile.Remote), profile.Local?.Port ?? 0);
        using var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        Transport.UdpPort.EnlargeReceiveBuffer(socket, ReceiveBufferBytes);
        socket.SendBufferSize = 4 << 20;
        socket.Bind(bind);
        var local = (IPEndPoint)socket.LocalEndPoint!;

        long origin = time.GetTimestamp();
        long Now() => (long)time.GetElapsedTime(origin).TotalMilliseconds;
        var run = new LoadRun(profile, local, random, AlgorithmRegistry.Default, engineOptions, () => time.GetElapsedTime(origin).TotalMilliseconds);
        bool natTDistinct = profile.RemoteNatTPort != profile.Remote.Port;
        using var received = new Transport.DatagramBatch(BatchSize, Transport.UdpPort.MaxDatagram);
        using var outgoing = new Transport.DatagramBatch(BatchSize, Transport.UdpPort.MaxDatagram);
        var from = new SocketAddress(local.AddressFamily, SocketAddress.GetMaximumAddressSize(local.AddressFamily));

        // Every datagram of a run comes from and goes to one or two endpoints (the responder's IKE
        // port, its NAT-T port): the last one is kept in both forms, so neither is made per datagram.
        var lastFrom = new SocketAddress(local.AddressFamily, SocketAddress.GetMaximumAddressSize(local.AddressFamily));
        IPEndPoint? lastRemote = null;
        IPEndPoint? lastTo = null;
        SocketAddress? lastToAddress = null;
        long nextProgress = 0;
        bool added = false;
        SafeSocketHandle handle = socket.SafeHandle;
        handle.DangerousAddRef(ref added);
        try
        {
            int fd = (int)handle.DangerousGetHandle();

            void Send()
            {
                if (outgoing.Count > 0)
                {
                    SendBatch(outgoing, fd);
                    outgoing.Clear();
                }
            }

            void Flush()
            {
                while (run.TryPollTransmit(out Transmit t))
                {
                    if (!ReferenceEquals(t.Remote, lastTo) && !t.Remote.Equals(lastTo))
                    {
                        lastTo = t.Remote;
                        lastToAddress = t.Remote.Serialize();
                    }

                    // RFC 3948 §2.2: IKE on the NAT-T port starts with the four-zero-octet non-ESP marker.
                    int marker = natTDistinct && t.Remote.Port == profile.RemoteNatTPort ? EspInUdp.NonEspMarkerLength : 0;
                    int length = marker + t.Datagram.Length;
                    if (length > outgoing.SlotSize)
                    {
                        continue; // Larger than any UDP datagram: the engine fragments (RFC 7383) long before.
                    }

                    if (outgoing.IsFull)
                    {
                        Send();
                    }

                    Span<byte> slot = outgoing.NextSlot;
                    slot[..marker].Clear();
                    t.Datagram.CopyTo(slot[marker..]);
                    outgoing.Add(length, lastToAddress!);
                }

                Send();
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
                }

                // Wake for the next deadline, or at least every 100 ms to notice cancellation and show
                // progress; poll(2) rather than Socket.Poll: no exception, no allocation.
                long wait = Math.Clamp((run.NextDeadline ?? long.MaxValue) - Now(), 0, 100);
                var poll = new Tun.LibC.PollFd { Fd = fd, Events = Tun.LibC.PollIn };
                if (Tun.LibC.Poll(ref poll, 1, (int)wait) <= 0)
                {
                    continue;
                }

                // Take what has arrived, a batch per recvmmsg(2), answering each batch at once with
                // one sendmmsg(2); a bounded number of batches, then the timers again.
                for (int turn = 0; turn < BatchesPerTurn; turn++)
                {
                    // ECONNREFUSED (an ICMP error from an earlier send, udp(7)) or EAGAIN: the engine copes with the loss.
                    int n = received.Receive(fd);
                    if (n <= 0)
                    {
                        break;
                    }

                    long at = Now();
                    for (int i = 0; i < n; i++)
                    {
                        if (received.IsTruncated(i) || !received.TryCopySource(i, from))
                        {
                            continue;
                        }

                        if (lastRemote is null || !from.Equals(lastFrom))
                        {
                            from.Buffer.Span[..from.Size].CopyTo(lastFrom.Buffer.Span);
                            lastFrom.Size = from.Size;
                            lastRemote = (IPEndPoint)local.Create(from);
                        }

                        ReadOnlySpan<byte> datagram = received.Datagram(i).Span;
                        if (natTDistinct && lastRemote.Port == profile.RemoteNatTPort)
                        {
                            if (EspInUdp.Classify(datagram) != UdpEncapsulatedKind.Ike)
                            {
                                continue; // NAT-keepalives and ESP: a load run carries no traffic.
                            }

                            datagram = datagram[EspInUdp.NonEspMarkerLength..];
                        }

                        // The engine may keep parts of a message (payload data), so it gets its own copy.
                        run.HandleDatagram(at, local, lastRemote, datagram.ToArray());
                    }

                    Flush();
                    if (n < received.Capacity)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        long end = Now();
        progress?.Invoke(run.Progress(end));
        return run.Report(end);
    }

    /// <summary>
    /// Sends the batch with sendmmsg(2), as many per call as the kernel takes; a datagram it refuses
    /// (no route, an ICMP error pending) is skipped, and a full send buffer is waited for briefly:
    /// what is lost the engine retransmits (RFC 7296 §2.1).
    /// </summary>
    private static void SendBatch(Transport.DatagramBatch batch, int fd)
    {
        int count = batch.PrepareSend(false);
        int done = 0;
        int retries = 0;
        while (done < count)
        {
            int n = batch.Send(fd, done, count);
            if (n > 0)
            {
                done += n;
                continue;
            }

            int errno = -n;
            if (errno == Tun.LibC.EIntr)
            {
                continue;
            }

            if (errno is Tun.LibC.EAgain or Tun.LibC.ENoBufs && retries++ < 10)
            {
                var poll = new Tun.LibC.PollFd { Fd = fd, Events = Tun.LibC.PollOut };
                Tun.LibC.Poll(ref poll, 1, 10);
                continue;
            }

            done++;
        }
    }
}
