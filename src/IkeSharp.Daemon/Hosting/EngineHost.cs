using System.Diagnostics;
using IkeSharp.Core.Policy;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Esp;
using IkeSharp.Wire.Payloads;
using IkeSharp.Daemon.Transport;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Drives one sans-IO engine: datagrams from the UDP ports, commands from the control socket and
/// the engine's own deadlines all go through one mailbox read by one task, so the engine (and every
/// IKE SA in it) has a single thread of control and needs no lock (DESIGN.md, "The engine is
/// sans-IO"). The reader is a dedicated thread that sleeps in the kernel when idle (see
/// <see cref="Mailbox{T}"/>). What the engine wants sent goes out on the port it names; Child SAs it installs go to
/// the data plane. ESP arriving on the NAT-T port bypasses the mailbox: the data plane handles it
/// on the receiving thread.
/// </summary>
public sealed class EngineHost : IAsyncDisposable, IEspTransport
{
    /// <summary>Datagrams waiting for the engine; beyond this, new ones are dropped (and counted) rather than queued without bound.</summary>
    public const int MailboxCapacity = 8192;

    /// <summary>Queued work beyond which a fresh IKE_SA_INIT (no COOKIE, zero responder SPI) is dropped.</summary>
    public const int FreshInitAdmissionLimit = MailboxCapacity / 4;

    /// <summary>Lines a second for failures any datagram can provoke (see <see cref="LogRateLimit"/>).</summary>
    public const int UnauthenticatedLogLimit = 20;

    private readonly LogRateLimit unauthenticatedLog = new(UnauthenticatedLogLimit);

    /// <summary>
    /// Socket errors, at the same rate: answers to a flood from spoofed sources can fail by the
    /// thousand a second (no route back), and each failure must not become a line. Sends happen on the
    /// engine's thread and on the data plane's, so this one is used under <see cref="socketLogLock"/>.
    /// </summary>
    private readonly LogRateLimit socketLog = new(UnauthenticatedLogLimit);
    private readonly Lock socketLogLock = new();

    private readonly IkeEngine engine;
    private readonly IDataPlane dataPlane;
    private readonly ILogger log;
    private readonly Mailbox<Work> mailbox = new(MailboxCapacity);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<(UdpPort Port, bool NatT)> ports = [];
    private readonly Dictionary<uint, ChildSaInstalled> children = [];
    private readonly TaskCompletionSource loopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool stopping;
    private Thread? loop;
    private long mailboxDrops;
    private long keepalivesReceived;
    private long nextKeepalive;
    private TimeSpan keepAliveInterval = TimeSpan.FromSeconds(20);
    private RawEspPort? rawV4;
    private RawEspPort? rawV6;

    public EngineHost(IkeEngine engine, IDataPlane dataPlane, ILogger log)
        : this(engine, _ => dataPlane, log)
    {
    }

    /// <summary>With a data plane made for this host, so it can send ESP from the host's ports.</summary>
    public EngineHost(IkeEngine engine, Func<EngineHost, IDataPlane> dataPlane, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(dataPlane);
        this.engine = engine;
        this.log = log;
        this.dataPlane = dataPlane(this);
        if (this.dataPlane is UserspaceDataPlane userspace)
        {
            userspace.LimitReached += (spiIn, hard) => _ = InvokeAsync((e, now) =>
            {
                log.LogInformation("Child SA {SpiIn:x8} passed its {Kind} byte/packet limit: {Action}", spiIn, hard ? "life" : "rekey", hard ? "deleting it" : "rekeying it");
                e.Execute(new ChildSaLimitReached(spiIn, hard), now);
                return 0;
            });
            userspace.Traps.Acquired += acquire => _ = InvokeAsync((e, now) =>
            {
                OnAcquire(acquire, now);
                return 0;
            });
        }
    }

    /// <summary>Engine time: milliseconds since the host started.</summary>
    public long Now => clock.ElapsedMilliseconds;

    /// <summary>Every engine event, after the host has acted on it (for the demo's story and for tests).</summary>
    public event Action<IkeEvent>? EventRaised;

    public IDataPlane DataPlane => dataPlane;

    /// <summary>Where exported keys go ([daemon] key_log); the engine must have EngineOptions.ExportKeys for IKE keys.</summary>
    public KeyLog? KeyLog { get; set; }

    /// <summary>Datagrams dropped because the mailbox was full.</summary>
    public long MailboxDrops => Interlocked.Read(ref mailboxDrops);

    /// <summary>How often to send a NAT-keepalive for each IKE SA behind a NAT (keep_alive, RFC 3948 §2.3; strongSwan's 20 s); zero sends none.</summary>
    public TimeSpan KeepAliveInterval
    {
        get => keepAliveInterval;
        set
        {
            keepAliveInterval = value;
            Volatile.Write(ref nextKeepalive, 0);
        }
    }

    /// <summary>NAT-keepalives received (one 0xFF octet on the NAT-T port).</summary>
    public long KeepalivesReceived => Interlocked.Read(ref keepalivesReceived);

    private abstract record Work;

    private sealed record DatagramWork(IPEndPoint Local, IPEndPoint Remote, byte[] Bytes) : Work;

    private sealed record CallWork(Func<IkeEngine, long, object?> Call, TaskCompletionSource<object?> Done) : Work;

    /// <summary>Binds an IKE port (<paramref name="natT"/> false) or a NAT-T port carrying IKE and ESP (RFC 3948).</summary>
    public void Bind(IPEndPoint endpoint, bool natT)
    {
        // ESP rides on the NAT-T port: with an offloading data plane it takes UDP GRO and sends with
        // GSO, and each receive batch ends with a flush of the packets merged for the TUN device.
        bool offload = natT && dataPlane.UdpOffload;
        var port = new UdpPort(endpoint, natT ? OnNatTDatagram : OnIkeDatagram, OnSocketError, offload, natT ? dataPlane.FlushInbound : null);
        if (offload)
        {
            log.LogInformation("{Endpoint}: UDP GRO {Gro}, UDP GSO {Gso}", port.Bound, port.Gro ? "on" : "unavailable", port.Gso ? "on" : "unavailable");
        }

        ports.Add((port, natT));
        log.LogInformation("listening on {Endpoint} ({Kind})", port.Bound, natT ? "IKE and ESP in UDP, RFC 3948" : "IKE");
    }

    private void OnSocketError(string message)
    {
        bool allow;
        long held;
        lock (socketLogLock)
        {
            allow = socketLog.Allow(Now, out held);
        }

        if (allow)
        {
            if (held > 0)
            {
                log.LogWarning("{Count} more socket errors in the last second were not logged (at most {Limit} a second)", held, UnauthenticatedLogLimit);
            }

            log.LogWarning("{Message}", message);
        }
    }

    public IReadOnlyList<IPEndPoint> BoundEndpoints => [.. ports.Select(p => p.Port.Bound)];

    public void Start()
    {
        foreach ((UdpPort port, _) in ports)
        {
            port.Start();
        }

        loop = new Thread(Run) { IsBackground = true, Name = "ike engine" };
        loop.Start();
    }

    private void OnIkeDatagram(UdpPort port, IPEndPoint local, SocketAddress remote, ReadOnlyMemory<byte> datagram) => Post(local, ToEndPoint(port, remote), datagram.Span);

    /// <summary>IKE may allocate: the peer's address becomes an IPEndPoint for the engine.</summary>
    private static IPEndPoint ToEndPoint(UdpPort port, SocketAddress address) => (IPEndPoint)port.Bound.Create(address);

    private void OnNatTDatagram(UdpPort port, IPEndPoint local, SocketAddress remote, ReadOnlyMemory<byte> datagram)
    {
        switch (EspInUdp.Classify(datagram.Span))
        {
            case UdpEncapsulatedKind.Ike:
                Post(local, ToEndPoint(port, remote), datagram.Span[EspInUdp.NonEspMarkerLength..]);
                break;
            case UdpEncapsulatedKind.Esp:
                dataPlane.HandleEsp(datagram.Span, local, remote);
                break;
            case UdpEncapsulatedKind.NatKeepalive:
                // NAT-keepalives (RFC 3948 §2.3) only keep the mapping open.
                Interlocked.Increment(ref keepalivesReceived);
                break;
            default:
                break;
        }
    }

    private void Post(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> ike)
    {
        // A fresh IKE_SA_INIT may take only the first quarter of the mailbox: under a spoofed flood
        // the rest stays free for COOKIE retries, IKE_AUTH and established SAs (RFC 7296 §2.6).
        if (HalfOpenAdmission.IsFreshIkeSaInit(ike) && mailbox.Count >= FreshInitAdmissionLimit)
        {
            Interlocked.Increment(ref mailboxDrops);
            return;
        }

        if (!mailbox.TryWrite(new DatagramWork(local, remote, ike.ToArray())))
        {
            Interlocked.Increment(ref mailboxDrops);
        }
    }

    /// <summary>Runs <paramref name="call"/> on the engine's thread of control and returns its result.</summary>
    public async Task<T> InvokeAsync<T>(Func<IkeEngine, long, T> call)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (stopping)
        {
            throw new ObjectDisposedException(nameof(EngineHost));
        }

        // Commands are never dropped (a full mailbox drops datagrams only).
        mailbox.Write(new CallWork((e, now) => call(e, now), done));
        return (T)(await done.Task.ConfigureAwait(false))!;
    }

    /// <summary>Sends raw bytes from one of our ports (the data plane's ESP in UDP); false when no port matches.</summary>
    public bool SendFrom(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        UdpPort? port = PortFor(local);
        return port is not null && port.Send(datagram, remote);
    }

    public bool SendUdp(IPEndPoint local, SocketAddress remote, ReadOnlySpan<byte> esp)
    {
        UdpPort? port = PortFor(local);
        return port is not null && port.Send(esp, remote);
    }

    public int SendUdp(IPEndPoint local, DatagramBatch batch)
    {
        UdpPort? port = PortFor(local);
        return port is null ? 0 : port.Send(batch);
    }

    public bool SendRaw(SocketAddress remote, ReadOnlySpan<byte> esp)
    {
        RawEspPort? raw = remote.Family == System.Net.Sockets.AddressFamily.InterNetwork ? rawV4 : rawV6;
        return raw is not null && raw.Send(esp, remote);
    }

    /// <summary>
    /// Opens raw ESP sockets (IP protocol 50) for Child SAs without UDP encapsulation; without root
    /// this fails, and such Child SAs carry nothing (the log says so once).
    /// </summary>
    public void EnablePlainEsp()
    {
        try
        {
            rawV4 = new RawEspPort(System.Net.Sockets.AddressFamily.InterNetwork, OnRawEsp);
            rawV6 = new RawEspPort(System.Net.Sockets.AddressFamily.InterNetworkV6, OnRawEsp);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            log.LogWarning("plain ESP (IP protocol 50) is unavailable: {Reason}; Child SAs need UDP encapsulation (encap = yes)", e.Message);
        }
    }

    /// <summary>Plain ESP arrives one packet per receive: it is delivered at once.</summary>
    private void OnRawEsp(ReadOnlyMemory<byte> esp, IPEndPoint local, SocketAddress remote)
    {
        dataPlane.HandleEsp(esp.Span, local, remote);
        dataPlane.FlushInbound();
    }

    private UdpPort? PortFor(IPEndPoint local)
    {
        UdpPort? wildcard = null;
        foreach ((UdpPort port, _) in ports)
        {
            if (port.Port != local.Port || port.Bound.AddressFamily != local.AddressFamily)
            {
                continue;
            }

            if (port.Bound.Address.Equals(local.Address))
            {
                return port;
            }

            if (port.IsWildcard)
            {
                wildcard = port;
            }
        }

        return wildcard;
    }

    private bool IsNatTPort(IPEndPoint local)
    {
        // A loop, not LINQ: this runs for every datagram sent.
        foreach ((UdpPort port, bool natT) in ports)
        {
            if (natT && port.Port == local.Port)
            {
                return true;
            }
        }

        return false;
    }

    private void Run()
    {
        try
        {
            while (!stopping)
            {
                while (mailbox.TryRead(out Work work))
                {
                    Process(work);
                }

                long now = Now;
                SendKeepalives(now);
                if (engine.NextDeadline is { } deadline && deadline <= now)
                {
                    try
                    {
                        engine.HandleTimeout(now);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        LogEngineFailure(e, "timer");
                    }

                    Flush();
                    continue;
                }

                long wait = engine.NextDeadline is { } next ? Math.Clamp(next - now, 1, 1000) : 1000;
                if (KeepAliveInterval > TimeSpan.Zero)
                {
                    wait = Math.Clamp(Math.Min(wait, nextKeepalive - now), 1, 1000);
                }

                // A deadline came, a datagram or command arrived, or we are stopping: the loop head decides.
                mailbox.Wait((int)wait);
            }
        }
        finally
        {
            // Commands that came too late get an answer rather than a caller waiting forever.
            while (mailbox.TryRead(out Work work))
            {
                (work as CallWork)?.Done.TrySetException(new ObjectDisposedException(nameof(EngineHost)));
            }

            loopEnded.TrySetResult();
        }
    }

    private void SendKeepalives(long now)
    {
        if (KeepAliveInterval <= TimeSpan.Zero || now < nextKeepalive)
        {
            return;
        }

        nextKeepalive = now + (long)KeepAliveInterval.TotalMilliseconds;
        ReadOnlySpan<byte> keepalive = [0xFF];
        foreach ((IPEndPoint local, IPEndPoint remote) in engine.EstablishedBehindNat())
        {
            if (IsNatTPort(local))
            {
                PortFor(local)?.Send(keepalive, remote);
            }
        }
    }

    private void Process(Work work)
    {
        long now = Now;
        switch (work)
        {
            case DatagramWork d:
                long rejected = engine.Rejected;
                long dropped = engine.DroppedTotal;
                long resent = engine.CachedResponsesResent;
                try
                {
                    engine.HandleDatagram(now, d.Local, d.Remote, d.Bytes);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogEngineFailure(e, d.Remote);
                }

                if (engine.Rejected != rejected)
                {
                    if (unauthenticatedLog.Allow(now, out long heldRejected))
                    {
                        // Malformed or forbidden input: one clear line (what and where), rate-limited like failures.
                        LogHeld(heldRejected);
                        log.LogWarning("dropped a {Length}-octet message from {Remote} on {Local}: {Reason}", d.Bytes.Length, d.Remote, d.Local, engine.LastRejection);
                    }
                }

                if (engine.DroppedTotal != dropped)
                {
                    // Debug only: a forged or replayed message is dropped silently on the wire (RFC 7296
                    // §2.21: no answer to what fails its ICV), but the operator can see why.
                    if (log.IsEnabled(LogLevel.Debug))
                    {
                        log.LogDebug("IKE message from {Remote} dropped: {Reason}", d.Remote, engine.LastDropReason);
                    }
                }
                else if (engine.CachedResponsesResent != resent && log.IsEnabled(LogLevel.Debug))
                {
                    log.LogDebug("IKE request from {Remote} is a retransmission: answered with the cached response (RFC 7296 §2.1)", d.Remote);
                }

                break;
            case CallWork c:
                try
                {
                    c.Done.TrySetResult(c.Call(engine, now));
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    c.Done.TrySetException(e);
                }

                break;
        }

        Flush();
    }

    /// <summary>
    /// The engine must never throw on a peer's input; if it does, the datagram is lost, not the daemon.
    /// (No closure or message string is made per datagram for this: only when it happens.)
    /// </summary>
    private void LogEngineFailure(Exception e, object what) =>
        log.LogError(e, "engine failed on {What}; the message is dropped and every SA stays as it was", what is IPEndPoint remote ? $"datagram from {remote}" : what);

    private void Flush()
    {
        bool more = true;
        while (more)
        {
            more = false;

            // Events first: a responder's Child SA is in the data plane before the IKE_AUTH response
            // that completes it leaves, so the initiator's first ESP packet finds it (as strongSwan does).
            // Handling an event may give the engine a command (more Child SAs), and so more to send.
            while (engine.TryPollEvent(out IkeEvent e))
            {
                Handle(e);
                EventRaised?.Invoke(e);
                more = true;
            }

            while (engine.TryPollTransmit(out Transmit transmit))
            {
                Send(transmit);
            }
        }
    }

    /// <summary>
    /// An IKE SA carries its first Child SA from IKE_AUTH; the connection's other children with
    /// start_action = start follow with CREATE_CHILD_SA (RFC 7296 §1.3.1).
    /// </summary>
    private void StartOtherChildren(IkeSaEstablished established)
    {
        if (!established.IsInitiator || engine.Connections.FirstOrDefault(c => c.Name == established.Connection) is not { } config)
        {
            return;
        }

        IkeSaInfo? sa = engine.IkeSas.FirstOrDefault(s => s.SpiI == established.SpiI);
        if (sa is null)
        {
            return;
        }

        foreach (Core.Policy.ChildConfig child in config.Children.Where(c => c.StartAction == Core.Policy.StartAction.Start))
        {
            if (!sa.Children.Any(c => c.Name == child.Name))
            {
                engine.Execute(new CreateChildSa(established.SpiI, child.Name), Now);
            }
        }
    }

    private void Send(Transmit transmit)
    {
        UdpPort? port = PortFor(transmit.Local);
        if (port is null)
        {
            log.LogWarning("no socket bound for {Local}; cannot send to {Remote}", transmit.Local, transmit.Remote);
            return;
        }

        if (IsNatTPort(transmit.Local))
        {
            // RFC 3948 §2.2: IKE on the NAT-T port starts with four zero octets.
            byte[] framed = new byte[EspInUdp.NonEspMarkerLength + transmit.Datagram.Length];
            transmit.Datagram.CopyTo(framed, EspInUdp.NonEspMarkerLength);
            port.Send(framed, transmit.Remote);
        }
        else
        {
            port.Send(transmit.Datagram, transmit.Remote);
        }
    }

    private void Handle(IkeEvent e)
    {
        // LoggerExtensions box every argument and build the arguments array before the level is
        // looked at: under load the per-SA lines cost even when only warnings are written.
        bool info = log.IsEnabled(LogLevel.Information);
        switch (e)
        {
            case IkeSaEstablished est:
                if (info)
                {
                    log.LogInformation("{Name}[{Spi:x16}]: IKE SA established {Local} ({LocalId}) <-> {Remote} ({RemoteId}), {Proposal}, as {Role}",
                        est.Connection, est.IsInitiator ? est.SpiI : est.SpiR, est.Local, est.LocalId, est.Remote, est.RemoteId, est.Proposal, est.IsInitiator ? "initiator" : "responder");
                }

                StartOtherChildren(est);
                break;
            case ChildSaInstalled child:
                if (info)
                {
                    log.LogInformation("{Name}/{Child}[{SpiIn:x8}]: Child SA installed, SPIs {SpiIn:x8}_i {SpiOut:x8}_o, {Proposal}, {Mode}, {LocalTs} === {RemoteTs}{Encap}",
                        child.Connection, child.Child, child.SpiIn, child.SpiIn, child.SpiOut, child.Proposal, child.Mode.ToString().ToUpperInvariant(),
                        string.Join(",", child.LocalTs), string.Join(",", child.RemoteTs), child.UdpEncapsulation ? ", UDP-encapsulated" : "");
                }

                children[child.SpiIn] = child;
                KeyLog?.Write(child);
                (dataPlane as UserspaceDataPlane)?.Traps.Completed(child.Connection, child.Child);
                try
                {
                    dataPlane.Install(child);
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException or NotSupportedException or ArgumentException)
                {
                    log.LogError("{Name}/{Child}[{SpiIn:x8}]: the {DataPlane} data plane could not install the Child SA: {Reason}", child.Connection, child.Child, child.SpiIn, dataPlane.Name, ex.Message);
                }

                break;
            case ChildSaRekeyed rekeyed:
                if (info)
                {
                    log.LogInformation("{Name}/{Child}: Child SA rekeyed, {Old:x8} -> {New:x8}", rekeyed.Connection, rekeyed.Child, rekeyed.OldSpiIn, rekeyed.NewSpiIn);
                }

                break;
            case IkeSaRekeyed ikeRekeyed:
                if (info)
                {
                    log.LogInformation("{Name}: IKE SA rekeyed, {OldI:x16}_i {OldR:x16}_r -> {NewI:x16}_i {NewR:x16}_r", ikeRekeyed.Connection, ikeRekeyed.OldSpiI, ikeRekeyed.OldSpiR, ikeRekeyed.NewSpiI, ikeRekeyed.NewSpiR);
                }

                break;
            case ChildSaDeleted deleted:
                if (info)
                {
                    log.LogInformation("{Name}/{Child}[{SpiIn:x8}]: Child SA deleted: {Reason}", deleted.Connection, deleted.Child, deleted.SpiIn, deleted.Reason);
                }

                children.Remove(deleted.SpiIn);
                dataPlane.Remove(deleted.SpiIn);
                TrapAfterClose(deleted);
                break;
            case IkeSaDeleted deleted:
                if (info)
                {
                    log.LogInformation("{Name}[{SpiI:x16}_i {SpiR:x16}_r]: IKE SA deleted: {Reason} (cause: {Cause})", deleted.Connection, deleted.SpiI, deleted.SpiR, deleted.Reason, deleted.Cause);
                }

                break;
            case AuthFailed failed:
                if (unauthenticatedLog.Allow(Now, out long heldAuth))
                {
                    LogHeld(heldAuth);
                    log.LogWarning("{Name}: authentication failed: {Reason}", failed.Connection, failed.Reason);
                }

                (dataPlane as UserspaceDataPlane)?.Traps.Completed(failed.Connection);
                break;
            case IkeSaKeysExported keys:
                KeyLog?.Write(keys);
                break;
            case NegotiationFailed failed:
                if (unauthenticatedLog.Allow(Now, out long heldFailed))
                {
                    LogHeld(heldFailed);
                    log.LogWarning("{Name}: negotiation failed: {Reason}", failed.Connection.Length == 0 ? "-" : failed.Connection, failed.Reason);
                }

                (dataPlane as UserspaceDataPlane)?.Traps.Completed(failed.Connection);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Installs the trap policies of every child with start_action = trap (replacing all traps when
    /// <paramref name="replace"/>, as a reload does). Runs on the engine's thread.
    /// </summary>
    public Task InstallTrapsAsync(bool replace) => InvokeAsync((e, _) =>
    {
        if (dataPlane is not UserspaceDataPlane userspace)
        {
            foreach (ConnectionConfig c in e.Connections.Where(c => c.Children.Any(ch => ch.StartAction == StartAction.Trap)))
            {
                log.LogWarning("{Name}: start_action = trap needs the userspace data plane; the {DataPlane} data plane installs no trap, so nothing is started", c.Name, dataPlane.Name);
            }

            return 0;
        }

        if (replace)
        {
            foreach (TrapInfo t in userspace.Traps.Installed)
            {
                userspace.RemoveTraps(t.Connection, t.Child);
            }
        }

        foreach (ConnectionConfig c in e.Connections)
        {
            foreach (ChildConfig child in c.Children.Where(ch => ch.StartAction == StartAction.Trap))
            {
                InstallTrap(userspace, c, child, "start_action = trap");
            }
        }

        return 0;
    });

    private void InstallTrap(UserspaceDataPlane userspace, ConnectionConfig c, ChildConfig child, string why)
    {
        // "dynamic" selectors stand for the connection's addresses; without one there is nothing to trap.
        IReadOnlyList<TrafficSelector> local = child.LocalTsWith(c.LocalAddrs);
        IReadOnlyList<TrafficSelector> remote = child.RemoteTsWith(c.RemoteAddrs);
        if (userspace.InstallTrap(c.Name, child.Name, local, remote, c.RemoteAddrs))
        {
            log.LogInformation("{Name}/{Child}: trap policy installed ({Why}): {LocalTs} === {RemoteTs}", c.Name, child.Name, why, string.Join(",", local), string.Join(",", remote));
        }
        else
        {
            log.LogWarning("{Name}/{Child}: no trap policy ({Why}): its selectors are dynamic and the connection names no address to put in them", c.Name, child.Name, why);
        }
    }

    /// <summary>
    /// A packet hit a trap (RFC 4301 §5.1.1): create the Child SA in the connection's IKE SA when one
    /// is up, wait when one is being set up, or set the connection up, with the packet's selectors first.
    /// </summary>
    private void OnAcquire(Acquire acquire, long now)
    {
        IkeSaInfo[] sas = [.. engine.IkeSas.Where(s => s.Connection == acquire.Connection)];
        try
        {
            if (sas.FirstOrDefault(s => s.State == Core.Sa.IkeSaState.Established && !s.Rekeying) is { } up)
            {
                if (up.Children.Any(c => c.Name == acquire.Child))
                {
                    // Installed meanwhile; the packet raced the install.
                    (dataPlane as UserspaceDataPlane)?.Traps.Completed(acquire.Connection, acquire.Child);
                    return;
                }

                log.LogInformation("{Name}/{Child}: acquire for {Source} -> {Destination}: creating the Child SA", acquire.Connection, acquire.Child, acquire.Trigger.Source, acquire.Trigger.Destination);
                engine.Execute(new CreateChildSa(up.IsInitiator ? up.SpiI : up.SpiR, acquire.Child) { Trigger = acquire.Trigger }, now);
            }
            else if (sas.Any(s => s.State is Core.Sa.IkeSaState.Connecting or Core.Sa.IkeSaState.Authenticating))
            {
                // Being set up: the acquire stays pending; the next packet after it settles tries again.
            }
            else
            {
                log.LogInformation("{Name}/{Child}: acquire for {Source} -> {Destination}: initiating", acquire.Connection, acquire.Child, acquire.Trigger.Source, acquire.Trigger.Destination);
                engine.Execute(new Initiate(acquire.Connection, acquire.Child) { Trigger = acquire.Trigger }, now);
            }
        }
        catch (ArgumentException e)
        {
            // A trap on a connection we cannot initiate (no remote_addrs): said once per acquire hold time.
            log.LogWarning("{Name}/{Child}: a packet hit the trap but the connection cannot be initiated: {Reason}", acquire.Connection, acquire.Child, e.Message);
        }
    }

    /// <summary>dpd_action = trap and close_action = trap: a Child SA that went that way leaves a trap behind.</summary>
    private void TrapAfterClose(ChildSaDeleted deleted)
    {
        if (dataPlane is not UserspaceDataPlane userspace
            || engine.Connections.FirstOrDefault(c => c.Name == deleted.Connection) is not { } config
            || config.Children.FirstOrDefault(c => c.Name == deleted.Child) is not { } child)
        {
            return;
        }

        if (deleted.Cause == SaCloseCause.DeadPeer && child.DpdAction == DpdAction.Trap)
        {
            InstallTrap(userspace, config, child, "dpd_action = trap");
        }
        else if (deleted.Cause == SaCloseCause.Peer && child.CloseAction == CloseAction.Trap)
        {
            InstallTrap(userspace, config, child, "close_action = trap");
        }
    }

    private void LogHeld(long held)
    {
        if (held > 0)
        {
            log.LogWarning("{Count} more failed negotiations, authentications or dropped messages in the last second were not logged (at most {Limit} a second)", held, UnauthenticatedLogLimit);
        }
    }

    /// <summary>What the host knows of an installed Child SA (its proposal and selectors), for status.</summary>
    public ChildSaInstalled? ChildDetails(uint spiIn) => children.GetValueOrDefault(spiIn);

    /// <summary>
    /// Deletes every IKE SA with an INFORMATIONAL Delete (RFC 7296 §1.4.1) and waits up to
    /// <paramref name="grace"/> for the peers to answer, as a clean shutdown should.
    /// </summary>
    public async Task DeleteAllAsync(TimeSpan grace)
    {
        await InvokeAsync((e, now) =>
        {
            foreach (IkeSaInfo sa in e.IkeSas)
            {
                if (sa.State == Core.Sa.IkeSaState.Established)
                {
                    e.Execute(new DeleteIkeSa(sa.IsInitiator ? sa.SpiI : sa.SpiR), now);
                }
            }

            return 0;
        }).ConfigureAwait(false);

        var until = Stopwatch.StartNew();
        while (until.Elapsed < grace && await InvokeAsync((e, _) => e.IkeSaCount).ConfigureAwait(false) > 0)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach ((UdpPort port, _) in ports)
        {
            port.Dispose();
        }

        rawV4?.Dispose();
        rawV6?.Dispose();
        stopping = true;
        mailbox.Wake();
        if (loop is not null)
        {
            await loopEnded.Task.ConfigureAwait(false);
        }

        mailbox.Dispose();
        dataPlane.Dispose();

        // The loop has ended: no other thread touches the engine now. Its SAs' keys are zeroed.
        engine.Dispose();
    }

    /// <summary>Connections whose children say start_action = start, for the daemon to bring up at start and reload.</summary>
    public static IEnumerable<Initiate> StartActions(IEnumerable<ConnectionConfig> connections) =>
        connections.SelectMany(c => c.Children.Where(ch => ch.StartAction == StartAction.Start).Take(1).Select(ch => new Initiate(c.Name, ch.Name)));
}
