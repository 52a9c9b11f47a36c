using System.Net;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Exchanges;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Reliability;
using IkeSharp.Core.Sa;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Engine;

/// <summary>
/// The IKEv2 protocol engine, sans-IO (DESIGN.md): datagrams, timeouts and commands go in; datagrams
/// to send, the next deadline and events are polled out. No sockets, clocks, threads or global
/// state: time is a number of milliseconds on the owner's monotonic clock, randomness is injected.
/// One engine is driven by one thread of control at a time.
/// </summary>
public sealed class IkeEngine : IDisposable
{
    /// <summary>How long a redundant IKE SA left by a rekey collision waits for its creator's Delete.</summary>
    public const long RedundantGraceMs = 10_000;

    /// <summary>strongSwan's default half_open_timeout (see <see cref="EngineOptions.HalfOpenTimeout"/>).</summary>
    public const long HalfOpenTimeoutMs = 30_000;

    /// <summary>The window of <see cref="EngineOptions.InformationalLimit"/>.</summary>
    public const long InformationalWindowMs = 10_000;

    private readonly Dictionary<string, ConnectionConfig> connections;
    private readonly EngineContext context;
    private readonly RetransmissionSchedule schedule;
    private readonly Dictionary<ulong, IkeSa> sas = [];
    /// <summary>Responder SAs by the initiator's SPI and address, for as long as they live: a retransmitted IKE_SA_INIT finds its SA here.</summary>
    private readonly Dictionary<(ulong SpiI, IPEndPoint Remote), IkeSa> byInitiator = [];
    private readonly Queue<Transmit> transmits = new();
    private readonly Queue<IkeEvent> events = new();
    private readonly PriorityQueue<Timer, long> timers = new();
    private readonly EngineOptions options;
    private readonly CookieJar cookies;
    private readonly AuthFailureLimiter authFailures;
    private readonly Dictionary<IPAddress, int> halfOpenByAddress = [];

    // Child SAs the peer deleted in the request being answered; reused, so answering allocates no list.
    private readonly List<ChildConfig> peerClosedChildren = [];
    private int halfOpen;

    public IkeEngine(IEnumerable<ConnectionConfig> connections, ICredentialStore credentials, IAlgorithmProvider algorithms, IRandomSource random, EngineOptions? options = null)
    {
        this.connections = connections.ToDictionary(c => c.Name, StringComparer.Ordinal);
        List<string> problems = this.connections.Values.SelectMany(PolicyValidation.Check).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid configuration: " + string.Join("; ", problems), nameof(connections));
        }

        this.options = options ?? new EngineOptions();
        schedule = this.options.Retransmission;
        if (this.options.KeyExchangeReuseTime < TimeSpan.Zero || this.options.KeyExchangeReuseTime > EngineOptions.MaxKeyExchangeReuseTime)
        {
            throw new ArgumentException($"KeyExchangeReuseTime must be between 0 and {EngineOptions.MaxKeyExchangeReuseTime.TotalSeconds} s (RFC 7296 §2.12: a short time)", nameof(options));
        }

        context = new EngineContext(random, algorithms, credentials, events)
        {
            CalendarClock = this.options.CalendarClock,
            ExportKeys = this.options.ExportKeys,
            KeyReuse = new ResponderKeyReuse(this.options.KeyExchangeReuseTime),
        };
        cookies = new CookieJar(random, (long)this.options.CookieSecretLifetime.TotalMilliseconds);
        authFailures = new AuthFailureLimiter(this.options.AuthFailureLimit, (long)this.options.AuthFailureWindow.TotalMilliseconds);
    }

    /// <summary>
    /// Forgets every SA without a word to the peers (a daemon deletes them first, see
    /// <see cref="DeleteIkeSa"/>): their keys are zeroed and their cipher contexts released now,
    /// not by a finalizer. No events are raised.
    /// </summary>
    public void Dispose()
    {
        foreach (IkeSa sa in sas.Values)
        {
            sa.Dispose();
        }

        sas.Clear();
        byInitiator.Clear();
        timers.Clear();
        context.KeyReuse.Dispose();
        transmits.Clear();
        context.ChildSpisInUse.Clear();
        context.ValidatedChains.Clear();
        context.AuthorityHashes.Clear();
    }

    /// <summary>
    /// Replaces the connections and credentials (a config reload). SAs already up keep the config
    /// they were made with until they are rekeyed or deleted, as strongSwan's do; new ones use the new.
    /// </summary>
    public void Reconfigure(IEnumerable<ConnectionConfig> newConnections, ICredentialStore newCredentials)
    {
        Dictionary<string, ConnectionConfig> next = newConnections.ToDictionary(c => c.Name, StringComparer.Ordinal);
        List<string> problems = next.Values.SelectMany(PolicyValidation.Check).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid configuration: " + string.Join("; ", problems), nameof(newConnections));
        }

        connections.Clear();
        foreach ((string name, ConnectionConfig config) in next)
        {
            connections[name] = config;
        }

        context.Credentials = newCredentials;
        context.ValidatedChains.Clear(); // new CAs and CRLs: every path is validated again
        context.AuthorityHashes.Clear();
    }

    /// <summary>The configured connections, by name.</summary>
    public IReadOnlyCollection<ConnectionConfig> Connections => connections.Values;

    /// <summary>Responder IKE SAs that have not completed IKE_AUTH.</summary>
    public int HalfOpenCount => halfOpen;

    /// <summary>Messages that could not be used, by reason: malformed, unknown SPI, out of window, failed ICV.</summary>
    public Dictionary<string, int> Dropped { get; } = [];

    /// <summary>
    /// Dropped messages that were malformed, carried payloads their exchange does not allow, or did
    /// not decrypt: what a hostile sender provokes (unknown SPIs and window misses come with lossy
    /// networks too and are only counted in <see cref="Dropped"/>). With <see cref="LastRejection"/>,
    /// for the owner to log, rate-limited.
    /// </summary>
    public long Rejected { get; private set; }

    /// <summary>Why the last rejected message was dropped: the decode error with its payload and byte offset, or the rule it broke.</summary>
    public string? LastRejection { get; private set; }

    /// <summary>Requests of ours sent again because no response came in time (RFC 7296 §2.1), over the engine's life.</summary>
    public long Retransmissions { get; private set; }

    /// <summary>Liveness checks, rekeys and expiries over the engine's life.</summary>
    public EngineCounters Counters => context.Counters;

    /// <summary>Number of Child SAs over all IKE SAs.</summary>
    public int ChildSaCount => context.ChildSpisInUse.Count;

    /// <summary>Number of IKE SAs in the table, half-open ones included.</summary>
    public int IkeSaCount => sas.Count;

    /// <summary>
    /// The ends of every established IKE SA whose own end is behind a NAT, which NAT-keepalives
    /// (RFC 3948 §2.3) keep open; unlike <see cref="IkeSas"/> it builds no snapshot of every SA.
    /// </summary>
    public IEnumerable<(IPEndPoint Local, IPEndPoint Remote)> EstablishedBehindNat()
    {
        foreach (IkeSa s in sas.Values)
        {
            if (s.LocalBehindNat && s.State == IkeSaState.Established)
            {
                yield return (s.Local, s.Remote);
            }
        }
    }

    /// <summary>A snapshot of the IKE SAs, for status output and tests.</summary>
    public IReadOnlyList<IkeSaInfo> IkeSas => sas.Values.Select(s => new IkeSaInfo(s.Config.Name, s.SpiI, s.SpiR, s.IsInitiator, s.State, s.Local, s.Remote,
        s.Children.Select(c => new ChildSaInfo(c.Config.Name, c.SpiIn, c.SpiOut) { Mode = c.Config.Mode, LocalTs = c.LocalTs, RemoteTs = c.RemoteTs, CreatedAt = c.CreatedAt }).ToArray())
    {
        LocalId = s.LocalId,
        RemoteId = s.RemoteId,
        Proposal = s.Proposal?.Keywords,
        EstablishedAt = s.State == IkeSaState.Established ? s.EstablishedAt : null,
        Rekeying = s.OurIkeRekey is not null && !s.Rekeyed,
        BehindNat = s.LocalBehindNat,
    }).ToArray();

    public long? NextDeadline
    {
        get
        {
            long? next = timers.TryPeek(out _, out long deadline) ? deadline : null;

            // A reused key exchange value must be erased on time even if no exchange comes.
            return context.KeyReuse.NextExpiry is { } expiry && (next is null || expiry < next) ? expiry : next;
        }
    }

    /// <summary>Key pairs the responder made for reuse across IKE_SA_INITs (EngineOptions.KeyExchangeReuseTime); zero when reuse is off.</summary>
    public long ReusedKeyPairsMade => context.KeyReuse.KeyPairsMade;

    public bool TryPollTransmit(out Transmit transmit) => transmits.TryDequeue(out transmit!);

    public bool TryPollEvent(out IkeEvent ikeEvent) => events.TryDequeue(out ikeEvent!);

    // ------------------------------------------------------------------ commands

    public void Execute(IkeCommand command, long now)
    {
        context.Now = now;
        switch (command)
        {
            case Initiate initiate:
                StartConnection(initiate, now);
                break;
            case DeleteIkeSa delete when sas.TryGetValue(delete.LocalSpi, out IkeSa? sa) && sa.State == IkeSaState.Established:
                sa.State = IkeSaState.Deleting;
                Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteIkeSa)], now);
                break;
            case CheckLiveness check when sas.TryGetValue(check.LocalSpi, out IkeSa? sa) && sa.State == IkeSaState.Established:
                context.Counters.LivenessChecks++;
                Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.Liveness)], now);
                break;
            case CreateChildSa create when Established(create.LocalSpi) is { } sa:
                ChildConfig childConfig = sa.Config.Children.FirstOrDefault(c => c.Name == create.Child)
                    ?? throw new ArgumentException($"connection {sa.Config.Name} has no child '{create.Child}'", nameof(command));
                Queue(sa, ExchangeType.CreateChildSa, [new ChildCreateTask(sa, context, childConfig, inCreateChildSa: true, trigger: create.Trigger)], now);
                break;
            case RekeyChildSa rekey when Established(rekey.LocalSpi) is { } sa && sa.Children.FirstOrDefault(c => c.SpiIn == rekey.SpiIn && !c.Rekeyed) is { } old:
                Queue(sa, ExchangeType.CreateChildSa, [new ChildCreateTask(sa, context, old.Config, inCreateChildSa: true, rekeying: old)], now);
                break;
            case DeleteChildSa deleteChild when Established(deleteChild.LocalSpi) is { } sa && sa.Children.FirstOrDefault(c => c.SpiIn == deleteChild.SpiIn) is { } doomed:
                Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteChildSa, doomed)], now);
                break;
            case ChildSaLimitReached limit:
                // Rare (once per Child SA at most), so finding the owner by a walk is fine here.
                foreach (IkeSa sa in sas.Values)
                {
                    if (sa.State == IkeSaState.Established && sa.Children.FirstOrDefault(c => c.SpiIn == limit.SpiIn) is { } reached)
                    {
                        if (limit.Hard)
                        {
                            Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteChildSa, reached)], now);
                        }
                        else if (!reached.Rekeyed && reached.OurRekey is null)
                        {
                            Queue(sa, ExchangeType.CreateChildSa, [new ChildCreateTask(sa, context, reached.Config, inCreateChildSa: true, rekeying: reached)], now);
                        }

                        break;
                    }
                }

                break;
            case RekeyIkeSa rekeyIke when Established(rekeyIke.LocalSpi) is { } sa:
                Queue(sa, ExchangeType.CreateChildSa, [new IkeRekeyTask(sa, context, NewIkeSpi, schedule)], now);
                break;
            default:
                throw new ArgumentException($"cannot {command}: unknown connection, SA or Child SA, or not established", nameof(command));
        }
    }

    private IkeSa? Established(ulong localSpi) => sas.TryGetValue(localSpi, out IkeSa? sa) && sa.State == IkeSaState.Established ? sa : null;

    private void StartConnection(Initiate command, long now)
    {
        if (!connections.TryGetValue(command.Connection, out ConnectionConfig? config))
        {
            throw new ArgumentException($"no connection named '{command.Connection}'; configured: {string.Join(", ", connections.Keys)}", nameof(command));
        }

        if (config.RemoteAddrs.Count == 0)
        {
            throw new ArgumentException($"connection {config.Name} has no remote_addrs to initiate to", nameof(command));
        }

        IPAddress remoteAddress = config.RemoteAddrs[0];
        IPAddress localAddress = config.LocalAddrs.Count > 0 ? config.LocalAddrs[0]
            : remoteAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var sa = new IkeSa(config, isInitiator: true, NewIkeSpi(), 0, new IPEndPoint(localAddress, config.LocalPort), new IPEndPoint(remoteAddress, config.RemotePort), schedule);
        sas.Add(sa.LocalSpi, sa);
        ChildConfig? child = command.Child is null ? config.Children.FirstOrDefault() : config.Children.FirstOrDefault(c => c.Name == command.Child)
            ?? throw new ArgumentException($"connection {config.Name} has no child '{command.Child}'", nameof(command));
        var init = new IkeSaInitTask(sa, context);
        sa.Pending.Enqueue(new PendingExchange(ExchangeType.IkeSaInit, [init]));
        List<IExchangeTask> auth = [new IkeAuthTask(sa, context)];
        if (child is not null)
        {
            auth.Add(new ChildCreateTask(sa, context, child, trigger: command.Trigger));
        }

        sa.Pending.Enqueue(new PendingExchange(ExchangeType.IkeAuth, auth));
        StartNext(sa, now);
    }

    private ulong NewIkeSpi()
    {
        Span<byte> b = stackalloc byte[8];
        ulong spi;
        do
        {
            context.Random.Fill(b);
            spi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b);
        }
        while (spi == 0 || sas.ContainsKey(spi));

        return spi;
    }

    private void Queue(IkeSa sa, ExchangeType exchange, IReadOnlyList<IExchangeTask> tasks, long now)
    {
        sa.Pending.Enqueue(new PendingExchange(exchange, tasks));
        StartNext(sa, now);
    }

    /// <summary>Sends the next queued request when the window is free (RFC 7296 §2.3, window size 1).</summary>
    private void StartNext(IkeSa sa, long now)
    {
        if (sa.Active is not null || sa.State == IkeSaState.Dead || !sa.Pending.TryDequeue(out PendingExchange? exchange))
        {
            return;
        }

        sa.Active = exchange;
        var builder = new MessageBuilder(exchange.Exchange);
        try
        {
            foreach (IExchangeTask task in exchange.Tasks)
            {
                task.BuildRequest(builder);
            }
        }
        catch (InvalidOperationException e)
        {
            // Our own configuration cannot make this request (no PSK for the IDs, an unsupported
            // algorithm): report it and drop the SA rather than let the error escape a datagram handler.
            sa.Active = null;
            events.Enqueue(new NegotiationFailed(now, sa.Config.Name, $"cannot send {exchange.Exchange.ToIanaName()}: {e.Message}"));
            Remove(sa, e.Message, SaCloseCause.Failed);
            return;
        }

        IkeFlags flags = sa.IsInitiator ? IkeFlags.Initiator : IkeFlags.None;
        uint messageId = sa.Requests.NextMessageId;
        byte[] datagram;
        if (exchange.Exchange == ExchangeType.IkeSaInit)
        {
            datagram = new IkeMessage(sa.SpiI, sa.SpiR, exchange.Exchange, flags, messageId, builder.Payloads).ToArray();
            sa.InitRequest = datagram;
        }
        else
        {
            // RFC 7296 §2.23: once a NAT is detected (or encapsulation forced), both move to 4500.
            FloatToNatT(sa);
            datagram = sa.Outbound!.Seal(sa.SpiI, sa.SpiR, exchange.Exchange, flags, messageId, builder.Payloads);
        }

        OutstandingRequest sent = sa.Requests.Send(datagram, now);
        transmits.Enqueue(new Transmit(sa.Local, sa.Remote, datagram));
        timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.Retransmit, sent.MessageId), sent.Deadline);
    }

    private static void FloatToNatT(IkeSa sa)
    {
        // Only from the IKE port: a peer already on 4500 (or behind a NAT's port) stays where it is.
        if (sa.UseNatT && sa.Remote.Port == sa.Config.RemotePort && sa.Local.Port == sa.Config.LocalPort)
        {
            sa.Remote = new IPEndPoint(sa.Remote.Address, sa.Config.RemoteNatTPort);
            sa.Local = new IPEndPoint(sa.Local.Address, sa.Config.LocalNatTPort);
        }
    }

    // ------------------------------------------------------------------ timers

    public void HandleTimeout(long now)
    {
        context.Now = now;
        context.KeyReuse.Expire(now);
        while (timers.TryPeek(out Timer timer, out long deadline) && deadline <= now)
        {
            timers.Dequeue();
            if (!sas.TryGetValue(timer.Spi, out IkeSa? sa))
            {
                continue;
            }

            switch (timer.Kind)
            {
                case TimerKind.Retransmit:
                    switch (sa.Requests.OnTimeout(timer.MessageId, now))
                    {
                        case RetransmitDecision.Retransmit:
                            Retransmissions++;
                            transmits.Enqueue(new Transmit(sa.Local, sa.Remote, sa.Requests.Outstanding!.Datagram));
                            timers.Enqueue(timer, sa.Requests.Outstanding.Deadline);
                            break;
                        case RetransmitDecision.GiveUp:
                            bool wasEstablished = sa.State == IkeSaState.Established;
                            if (wasEstablished)
                            {
                                context.Counters.DeadPeers++;
                            }

                            Remove(sa, $"the peer {sa.Remote} did not answer request {timer.MessageId} ({sa.Active?.Exchange.ToIanaName()}) after {schedule.Retransmissions} retransmissions",
                                wasEstablished ? SaCloseCause.DeadPeer : SaCloseCause.Failed);

                            // dpd_action = restart: bring the connection up again (strongSwan's behaviour).
                            if (wasEstablished && sa.IsInitiator == true && sa.Config.Children.Any(c => c.DpdAction == DpdAction.Restart) && sa.Config.RemoteAddrs.Count > 0)
                            {
                                StartConnection(new Initiate(sa.Config.Name, sa.Config.Children.First(c => c.DpdAction == DpdAction.Restart).Name), now);
                            }

                            break;
                    }

                    break;
                case TimerKind.Liveness when sa.State == IkeSaState.Established && sa.Config.DpdDelay is { } dpd:
                    // Dead peer detection (§1.4): after dpd_delay of inbound silence, an empty INFORMATIONAL.
                    long delay = (long)dpd.TotalMilliseconds;
                    if (now - sa.LastInbound >= delay)
                    {
                        // An exchange already in flight checks liveness by its own retransmissions.
                        if (sa.Active is null && sa.Pending.Count == 0)
                        {
                            context.Counters.LivenessChecks++;
                            Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.Liveness)], now);
                        }

                        timers.Enqueue(timer, now + delay);
                    }
                    else
                    {
                        // Something came in since: check again dpd_delay after it, not after now, or
                        // the check could come up to twice dpd_delay after the peer fell silent.
                        timers.Enqueue(timer, sa.LastInbound + delay);
                    }

                    break;
                case TimerKind.RedundantIkeSa when sa.Rekeyed && sa.Children.Count == 0 && sa.State == IkeSaState.Established:
                    Remove(sa, "redundant after a simultaneous IKE SA rekey", SaCloseCause.Replaced);
                    break;
                case TimerKind.IkeRekey when sa.State == IkeSaState.Established && !sa.Rekeyed:
                    Queue(sa, ExchangeType.CreateChildSa, [new IkeRekeyTask(sa, context, NewIkeSpi, schedule)], now);
                    break;
                case TimerKind.IkeReauth when sa.State == IkeSaState.Established && !sa.Rekeyed && sa.Config.RemoteAddrs.Count > 0:
                    // Reauthentication (RFC 7296 §2.8.3), break-before-make as strongSwan does by default:
                    // delete this IKE SA with its Child SAs, then set the connection up anew with fresh
                    // authentication, asking again for the Child SA this one carried.
                    string reauthChild = sa.Children.FirstOrDefault()?.Config.Name ?? sa.Config.Children.FirstOrDefault()?.Name ?? "";
                    sa.State = IkeSaState.Deleting;
                    Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteIkeSa)], now);
                    StartConnection(new Initiate(sa.Config.Name, reauthChild.Length == 0 ? null : reauthChild), now);
                    break;
                case TimerKind.IkeExpire when sa.State == IkeSaState.Established && !sa.Rekeyed:
                    context.Counters.IkeExpired++;
                    sa.State = IkeSaState.Deleting;
                    Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteIkeSa)], now);
                    break;
                case TimerKind.ChildRekey when sa.State == IkeSaState.Established && sa.Children.FirstOrDefault(c => c.SpiIn == timer.MessageId && !c.Rekeyed) is { } rekeyChild:
                    Queue(sa, ExchangeType.CreateChildSa, [new ChildCreateTask(sa, context, rekeyChild.Config, inCreateChildSa: true, rekeying: rekeyChild)], now);
                    break;
                case TimerKind.ChildExpire when sa.State == IkeSaState.Established && sa.Children.FirstOrDefault(c => c.SpiIn == timer.MessageId) is { } expired:
                    context.Counters.ChildExpired++;
                    Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteChildSa, expired)], now);
                    break;
                case TimerKind.HalfOpen when sa.State is IkeSaState.Connecting or IkeSaState.Authenticating:
                    Remove(sa, $"half-open IKE SA from {sa.Remote} did not complete IKE_AUTH within {options.HalfOpenTimeout.TotalSeconds} s", SaCloseCause.Failed);
                    break;
            }
        }
    }

    // ------------------------------------------------------------------ datagrams

    /// <summary>
    /// One received datagram (without the non-ESP marker). Anything unusable is dropped and counted
    /// in <see cref="Dropped"/>; nothing a peer sends raises an exception.
    /// </summary>
    public void HandleDatagram(long now, IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> datagram)
    {
        context.Now = now;
        DecodeResult<IkeMessage> decoded = IkeMessage.Decode(datagram);
        if (!decoded.TryGetValue(out IkeMessage message))
        {
            Drop($"malformed: {decoded.Error!.Code}", $"malformed: {decoded.Error}");
            return;
        }

        if (ExchangeRules.CheckOuter(message) is { } violation)
        {
            Drop($"payloads not allowed in {message.ExchangeType.ToIanaName()}", $"payloads not allowed in {message.ExchangeType.ToIanaName()}: {violation}");
            return;
        }

        if (message.Payloads.Count > 0 && message.Payloads[^1] is EncryptedFragmentPayload fragment)
        {
            // RFC 7383 §2.5: fragments only after both ends sent IKEV2_FRAGMENTATION_SUPPORTED; we never
            // do, so a fragment is refused whole rather than held for reassembly.
            Drop("IKE fragment", $"an IKE fragment ({fragment.FragmentNumber} of {fragment.TotalFragments}, RFC 7383) in {message.ExchangeType.ToIanaName()}: IKE fragmentation is not supported, only whole messages");
            return;
        }

        if (!message.IsResponse && message.ExchangeType == ExchangeType.IkeSaInit && message.ResponderSpi == 0)
        {
            HandleInitRequest(now, local, remote, datagram, message);
            return;
        }

        // The original initiator's SPI is ours when the sender is the original responder.
        ulong localSpi = message.IsFromOriginalInitiator ? message.ResponderSpi : message.InitiatorSpi;
        if (!sas.TryGetValue(localSpi, out IkeSa? sa) || sa.State == IkeSaState.Dead)
        {
            Drop("unknown IKE SPI");
            return;
        }

        if (message.IsResponse)
        {
            HandleResponse(sa, now, local, datagram, message);
        }
        else
        {
            HandleRequest(sa, now, local, remote, datagram, message);
        }
    }

    /// <summary>
    /// Counts a dropped message. The reasons are a small fixed set (codes and exchange names, never a
    /// peer's values), so a hostile peer cannot grow this table.
    /// </summary>
    private void Drop(string reason, string? rejection = null)
    {
        Dropped[reason] = Dropped.GetValueOrDefault(reason) + 1;
        DroppedTotal++;
        LastDropReason = reason;
        if (rejection is not null)
        {
            Rejected++;
            LastRejection = rejection;
        }
    }

    /// <summary>All messages counted in <see cref="Dropped"/>, so the owner sees a drop without summing.</summary>
    public long DroppedTotal { get; private set; }

    /// <summary>The reason of the latest drop (one of <see cref="Dropped"/>'s keys), for the owner's log.</summary>
    public string? LastDropReason { get; private set; }

    /// <summary>Retransmitted requests answered with the cached response, without crypto (RFC 7296 §2.1).</summary>
    public long CachedResponsesResent { get; private set; }

    private void HandleResponse(IkeSa sa, long now, IPEndPoint local, ReadOnlyMemory<byte> datagram, IkeMessage message)
    {
        if (sa.Requests.Outstanding is not { } outstanding || outstanding.MessageId != message.MessageId || sa.Active is not { } exchange || exchange.Exchange != message.ExchangeType)
        {
            Drop("response out of window");
            return;
        }

        IReadOnlyList<Payload> payloads;
        if (message.ExchangeType == ExchangeType.IkeSaInit)
        {
            payloads = message.Payloads;
            if (message.ResponderSpi != 0)
            {
                sa.SpiR = message.ResponderSpi;
            }
        }
        else
        {
            DecodeResult<Payload[]> opened = sa.Inbound!.Open(datagram, message);
            if (!opened.TryGetValue(out Payload[] inner) || ExchangeRules.CheckInner(message.ExchangeType, true, inner) is not null)
            {
                Drop(opened.IsSuccess ? "inner payloads not allowed" : $"undecryptable: {opened.Error!.Code}", opened.IsSuccess ? "inner payloads not allowed" : $"undecryptable: {opened.Error}");
                return;
            }

            payloads = inner;
        }

        sa.Requests.Accept(message.MessageId);
        sa.Active = null;
        sa.LastInbound = now;
        if ((sa.Local.Address.Equals(IPAddress.Any) || sa.Local.Address.Equals(IPAddress.IPv6Any)) && !local.Address.Equals(sa.Local.Address))
        {
            // We initiated from a wildcard socket: the first answer says which of our addresses the
            // peer reaches, which dynamic selectors and the data plane need.
            sa.Local = new IPEndPoint(local.Address, sa.Local.Port);
        }
        var received = new ReceivedMessage(message, payloads, datagram);
        foreach (IExchangeTask task in exchange.Tasks)
        {
            TaskResult result = task.ProcessResponse(received);
            switch (result.Status)
            {
                case TaskOutcome.Retry:
                    if (exchange.Exchange == ExchangeType.IkeSaInit)
                    {
                        // §1.3, §2.6: the retried IKE_SA_INIT is message 0 again, to a responder that kept no state.
                        sa.Requests.Restart();
                        sa.SpiR = 0;
                    }

                    RequeueFirst(sa, exchange);
                    StartNext(sa, now);
                    return;
                case TaskOutcome.FailIkeSa:
                    if (exchange.Exchange == ExchangeType.IkeAuth && result.Notify == NotifyType.AuthenticationFailed && sa.Outbound is not null)
                    {
                        // §2.21.2: the responder has set up its SAs already; when we, the initiator, refuse
                        // its authentication we say so in a separate INFORMATIONAL (the exception to not
                        // starting exchanges on errors in responses), with a Delete so the peer drops them.
                        // Sent once, not retransmitted: the SA is gone on our side either way.
                        byte[] notice = sa.Outbound.Seal(sa.SpiI, sa.SpiR, ExchangeType.Informational, IkeFlags.Initiator, sa.Requests.NextMessageId,
                            [NotifyPayload.Create(NotifyType.AuthenticationFailed, default), DeletePayload.IkeSa()]);
                        transmits.Enqueue(new Transmit(sa.Local, sa.Remote, notice));
                    }

                    events.Enqueue(new NegotiationFailed(now, sa.Config.Name, result.Reason ?? "failed"));
                    Remove(sa, result.Reason ?? "failed", SaCloseCause.Failed);
                    return;
                case TaskOutcome.FailChild:
                    break;
            }

            // The IKE SA is up once IKE_AUTH verifies, before the Child SA it carries: its event comes first.
            if (task is IkeAuthTask && result.Status == TaskOutcome.Done && sa.Authenticated && sa.State != IkeSaState.Established)
            {
                Establish(sa, now);
            }
        }

        if (message.ExchangeType == ExchangeType.IkeAuth && sa.Authenticated && sa.State != IkeSaState.Established)
        {
            Establish(sa, now);
        }

        if (message.ExchangeType == ExchangeType.IkeAuth && sa.State == IkeSaState.Established)
        {
            sa.ReleaseInitMaterial();
        }

        if (exchange.Tasks.OfType<InformationalTask>().Any(t => t.DeletesIkeSa))
        {
            bool rekeyedAway = sa.State == IkeSaState.Deleting && sa.Children.Count == 0 && sa.Rekeyed;
            Remove(sa, rekeyedAway ? "rekeyed" : "deleted by us", rekeyedAway ? SaCloseCause.Replaced : SaCloseCause.Local);
            return;
        }

        AfterExchange(sa, exchange.Tasks, weInitiated: true, now);
        StartNext(sa, now);
    }

    /// <summary>
    /// After a CREATE_CHILD_SA: a rekeyed Child SA is deleted by the side that rekeyed it (§2.8);
    /// a new IKE SA takes over the Child SAs, and the rekey's initiator deletes the old one (§2.18).
    /// </summary>
    private void AfterExchange(IkeSa sa, IEnumerable<IExchangeTask> tasks, bool weInitiated, long now)
    {
        foreach (IExchangeTask task in tasks)
        {
            if (task is ChildCreateTask { Installed: { } fresh })
            {
                ScheduleLifetime(sa, fresh, now);
            }

            if (task is ChildCreateTask { Replaced: { } old, Installed: { } installed } rekey)
            {
                context.Counters.ChildRekeys++;
                events.Enqueue(new ChildSaRekeyed(now, sa.Config.Name, old.Config.Name, old.SpiIn, old.SpiOut, installed.SpiIn, installed.SpiOut));
                if (weInitiated)
                {
                    Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteChildSa, old)], now);
                }

                // §2.8.1: both ends rekeyed the same Child SA. Once both exchanges are done here,
                // the new SA made with the lowest of the four nonces is redundant; its creator deletes it.
                if (old.OurRekey is { Installed: { } ours } ourTask && old.TheirRekey is { Installed: not null } theirTask && (rekey == ourTask || rekey == theirTask))
                {
                    bool weLost = ourTask.LowestNonce.AsSpan().SequenceCompareTo(theirTask.LowestNonce) < 0;
                    if (weLost && sa.Children.Contains(ours))
                    {
                        ours.Rekeyed = true;
                        Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteChildSa, ours)], now);
                    }
                }
            }

            if (task is IkeRekeyTask { NewSa: { } next })
            {
                bool collision = sa.Rekeyed;
                sas.Add(next.LocalSpi, next);
                if (!next.IsInitiator)
                {
                    byInitiator[(next.SpiI, next.InitialRemote)] = next;
                }

                if (next.Config.DpdDelay is { } dpd && dpd > TimeSpan.Zero)
                {
                    timers.Enqueue(new Timer(next.LocalSpi, TimerKind.Liveness, 0), now + (long)dpd.TotalMilliseconds);
                }

                ScheduleLifetime(next, now);
                if (collision && sa.OurIkeRekey?.NewSa is { } ours && sa.TheirIkeRekey?.NewSa is { } theirs)
                {
                    // §2.8.2: both ends rekeyed this IKE SA. The new SA made with the lowest of the four
                    // nonces is redundant; its creator deletes it. The Child SAs live on in the other.
                    bool weLost = sa.OurIkeRekey.LowestNonce.AsSpan().SequenceCompareTo(sa.TheirIkeRekey.LowestNonce) < 0;
                    IkeSa keep = weLost ? theirs : ours;
                    IkeSa drop = weLost ? ours : theirs;
                    keep.Children.AddRange(drop.Children);
                    drop.Children.Clear();
                    drop.Rekeyed = true;
                    if (weLost)
                    {
                        drop.State = IkeSaState.Deleting;
                        Queue(drop, ExchangeType.Informational, [new InformationalTask(drop, context, InformationalKind.DeleteIkeSa)], now);
                    }
                    else
                    {
                        // The peer should delete the redundant SA it made, but it may never have seen its
                        // rekey complete (our Delete of the old SA can overtake the response): so if the
                        // redundant SA is still here after a grace period, it goes quietly.
                        timers.Enqueue(new Timer(drop.LocalSpi, TimerKind.RedundantIkeSa, 0), now + RedundantGraceMs);
                    }

                    if (!weLost && sa.State != IkeSaState.Deleting)
                    {
                        // The winner's creator deletes the old IKE SA.
                        sa.State = IkeSaState.Deleting;
                        Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteIkeSa)], now);
                    }

                    continue;
                }

                next.Children.AddRange(sa.Children);
                sa.Children.Clear();
                sa.Rekeyed = true;

                // The Child SAs keep their own lifetimes; their timers follow them to the new IKE SA.
                foreach (ChildSa moved in next.Children)
                {
                    ScheduleLifetime(next, moved, moved.CreatedAt);
                }

                context.Counters.IkeRekeys++;
                events.Enqueue(new IkeSaRekeyed(now, sa.Config.Name, sa.SpiI, sa.SpiR, next.SpiI, next.SpiR));
                if (weInitiated)
                {
                    sa.State = IkeSaState.Deleting;
                    Queue(sa, ExchangeType.Informational, [new InformationalTask(sa, context, InformationalKind.DeleteIkeSa)], now);
                }
            }
        }
    }

    /// <summary>Puts a retried exchange in front of those queued after it.</summary>
    private static void RequeueFirst(IkeSa sa, PendingExchange exchange)
    {
        var rest = sa.Pending.Where(e => !ReferenceEquals(e, exchange)).ToList();
        sa.Pending.Clear();
        sa.Pending.Enqueue(exchange);
        foreach (PendingExchange e in rest)
        {
            sa.Pending.Enqueue(e);
        }
    }

    /// <summary>
    /// strongSwan's unique policy and INITIAL_CONTACT (RFC 7296 §2.4) for a newly authenticated IKE SA:
    /// older IKE SAs between the same identities go (silently: the peer has forgotten them), or the
    /// new one is refused with unique = keep. False when the new SA must be refused.
    /// </summary>
    private bool EnforceUniqueness(IkeSa fresh, bool initialContact, long now)
    {
        UniquePolicy policy = fresh.Config.Unique;
        if (policy == UniquePolicy.Never || (policy == UniquePolicy.No && !initialContact))
        {
            // unique = no keeps both unless the peer says INITIAL_CONTACT (RFC 7296 §2.4): nothing
            // to look for, and no scan of every IKE SA on every IKE_AUTH (a daemon holding 100,000).
            return true;
        }

        List<IkeSa> older = sas.Values.Where(o => !ReferenceEquals(o, fresh) && o.State == IkeSaState.Established && !o.Rekeyed &&
            o.Config.Name == fresh.Config.Name && o.RemoteId == fresh.RemoteId && o.LocalId == fresh.LocalId).ToList();
        if (older.Count == 0)
        {
            return true;
        }

        if (policy == UniquePolicy.Keep)
        {
            events.Enqueue(new AuthFailed(now, fresh.Config.Name, $"refused a second IKE SA for {fresh.RemoteId} (unique = keep)"));
            return false;
        }

        if (policy == UniquePolicy.Replace || initialContact)
        {
            foreach (IkeSa old in older)
            {
                if (policy == UniquePolicy.Replace && !initialContact)
                {
                    // The peer still knows the old SA: tell it.
                    old.State = IkeSaState.Deleting;
                    Queue(old, ExchangeType.Informational, [new InformationalTask(old, context, InformationalKind.DeleteIkeSa)], now);
                }
                else
                {
                    Remove(old, $"replaced by a new IKE SA from {fresh.RemoteId} ({(initialContact ? "INITIAL_CONTACT" : "unique = replace")})", SaCloseCause.Replaced);
                }
            }
        }

        return true;
    }

    /// <summary>Keeps the half-open counts of responder SAs (global and per address) that the thresholds read.</summary>
    private void CountHalfOpen(IkeSa sa, int delta)
    {
        if (sa.IsInitiator || sa.CountedHalfOpen == (delta > 0))
        {
            return;
        }

        sa.CountedHalfOpen = delta > 0;
        halfOpen += delta;
        int n = halfOpenByAddress.GetValueOrDefault(sa.InitialRemote.Address) + delta;
        if (n <= 0)
        {
            halfOpenByAddress.Remove(sa.InitialRemote.Address);
        }
        else
        {
            halfOpenByAddress[sa.InitialRemote.Address] = n;
        }
    }

    private void Establish(IkeSa sa, long now)
    {
        CountHalfOpen(sa, -1);
        sa.State = IkeSaState.Established;
        sa.EstablishedAt = now;
        if (sa.Config.DpdDelay is { } dpd && dpd > TimeSpan.Zero)
        {
            timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.Liveness, 0), now + (long)dpd.TotalMilliseconds);
        }

        ScheduleLifetime(sa, now);
        events.Enqueue(new IkeSaEstablished(now, sa.Config.Name, sa.SpiI, sa.SpiR, sa.IsInitiator, sa.Proposal!.Keywords, sa.LocalId, sa.RemoteId, sa.Local, sa.Remote));
    }

    /// <summary>
    /// Lifetimes are local policy, not negotiated (RFC 7296 §2.8): rekey at rekey_time less a random
    /// part of rand_time, so the two ends rarely collide; give up at rekey_time plus over_time
    /// (strongSwan's defaults: both 10% of rekey_time).
    /// </summary>
    private void ScheduleLifetime(IkeSa sa, long now)
    {
        long rekey = (long)sa.Config.RekeyTime.TotalMilliseconds;
        long reauth = (long)sa.Config.ReauthTime.TotalMilliseconds;
        if (rekey <= 0 && reauth <= 0)
        {
            return;
        }

        // strongSwan: over_time defaults to 10% of the larger of rekey_time and reauth_time, rand_time to over_time.
        long over = (long)(sa.Config.OverTime?.TotalMilliseconds ?? Math.Max(rekey, reauth) / 10);
        long rand = (long)(sa.Config.RandTime?.TotalMilliseconds ?? over);
        if (rekey > 0)
        {
            timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.IkeRekey, 0), now + rekey - Jitter(rand));
        }

        if (reauth > 0)
        {
            timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.IkeReauth, 0), now + reauth - Jitter(rand));
        }

        long first = rekey > 0 && reauth > 0 ? Math.Min(rekey, reauth) : Math.Max(rekey, reauth);
        timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.IkeExpire, 0), now + first + over);
    }

    private void ScheduleLifetime(IkeSa sa, ChildSa child, long now)
    {
        long rekey = (long)child.Config.RekeyTime.TotalMilliseconds;
        if (rekey <= 0)
        {
            return;
        }

        long life = (long)(child.Config.LifeTime?.TotalMilliseconds ?? rekey * 11 / 10);
        long rand = (long)(child.Config.RandTime?.TotalMilliseconds ?? (life - rekey));
        timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.ChildRekey, child.SpiIn), now + rekey - Jitter(rand));
        timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.ChildExpire, child.SpiIn), now + life);
    }

    private long Jitter(long range)
    {
        if (range <= 0)
        {
            return 0;
        }

        Span<byte> b = stackalloc byte[8];
        context.Random.Fill(b);
        return (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b) % (ulong)range);
    }

    private void HandleInitRequest(long now, IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> datagram, IkeMessage message)
    {
        if (byInitiator.TryGetValue((message.InitiatorSpi, remote), out IkeSa? existing))
        {
            // A retransmitted IKE_SA_INIT gets the same response, without new crypto (§2.1);
            // another IKE_SA_INIT under the same SPIi from the same peer is not a new SA.
            if (existing.InitRequest.Length == 0)
            {
                // IKE_AUTH is done: a late copy, or another message under its SPIi; the SA no longer keeps the INIT messages (ReleaseInitMaterial).
                Drop("IKE_SA_INIT under the SPIi of an established IKE SA");
            }
            else if (datagram.Span.SequenceEqual(existing.InitRequest))
            {
                transmits.Enqueue(new Transmit(local, remote, existing.InitResponse));
            }
            else
            {
                Drop("IKE_SA_INIT reusing the SPIi of an existing IKE SA");
            }

            return;
        }

        if (options.IkeSaLimit > 0 && sas.Count >= options.IkeSaLimit)
        {
            Drop("IKE_SA_INIT over ikesa_limit");
            return;
        }

        if (authFailures.IsBlocked(remote.Address, now))
        {
            // Online guessing of a PSK: this address failed IKE_AUTH too often lately.
            Drop("IKE_SA_INIT from an address over auth_failure_limit");
            return;
        }

        // §2.6 and strongSwan's thresholds: refuse a flood from one address, ask for cookies under load.
        int fromAddress = halfOpenByAddress.GetValueOrDefault(remote.Address);
        if (fromAddress >= options.BlockThreshold)
        {
            Drop("IKE_SA_INIT from an address over block_threshold");
            return;
        }

        if (halfOpen >= options.CookieThreshold || fromAddress >= options.CookieThresholdPerAddress)
        {
            NoncePayload? ni = message.Payloads.OfType<NoncePayload>().FirstOrDefault();
            bool valid = ni is not null && message.Payloads.Count > 0 && message.Payloads[0] is NotifyPayload { NotifyType: NotifyType.Cookie } cookie
                && cookies.Verify(now, cookie.Data.Span, ni.Data.Span, remote.Address, message.InitiatorSpi);
            if (!valid)
            {
                // Stateless: the response is computed, sent and forgotten.
                byte[] fresh = cookies.Make(now, ni is null ? default : ni.Data.Span, remote.Address, message.InitiatorSpi);
                RespondUnprotected(local, remote, message, NotifyType.Cookie, fresh);
                return;
            }
        }

        ConnectionConfig? config = connections.Values.FirstOrDefault(c =>
            (c.RemoteAddrs.Count == 0 || c.RemoteAddrs.Contains(remote.Address)) && (c.LocalAddrs.Count == 0 || c.LocalAddrs.Contains(local.Address)));
        if (config is null)
        {
            Drop("no connection for the peer's address");
            RespondUnprotected(local, remote, message, NotifyType.NoProposalChosen);
            events.Enqueue(new NegotiationFailed(now, "", $"IKE_SA_INIT from {remote}: no connection configured for this address pair"));
            return;
        }

        var sa = new IkeSa(config, isInitiator: false, message.InitiatorSpi, NewIkeSpi(), local, remote, schedule);
        var init = new IkeSaInitTask(sa, context);
        var received = new ReceivedMessage(message, message.Payloads, datagram);
        TaskResult result = init.ProcessRequest(received);
        if (result.Status != TaskOutcome.Done)
        {
            sa.Dispose();
            RespondUnprotected(local, remote, message, result.Notify ?? NotifyType.NoProposalChosen, result.NotifyData);
            events.Enqueue(new NegotiationFailed(now, config.Name, $"IKE_SA_INIT from {remote}: {result.Reason}"));
            return;
        }

        var builder = new MessageBuilder(ExchangeType.IkeSaInit);
        init.BuildResponse(builder);
        byte[] response = new IkeMessage(sa.SpiI, sa.SpiR, ExchangeType.IkeSaInit, IkeFlags.Response, 0, builder.Payloads).ToArray();
        sa.InitResponse = response;
        sa.Responses.Answered(0, datagram.Span, response);
        sa.LastInbound = now;
        sas.Add(sa.LocalSpi, sa);
        byInitiator[(sa.SpiI, remote)] = sa;
        CountHalfOpen(sa, +1);
        transmits.Enqueue(new Transmit(local, remote, response));
        timers.Enqueue(new Timer(sa.LocalSpi, TimerKind.HalfOpen, 0), now + (long)options.HalfOpenTimeout.TotalMilliseconds);
    }

    /// <summary>An IKE_SA_INIT error response, with no state kept (RFC 7296 §1.3, §2.6).</summary>
    private void RespondUnprotected(IPEndPoint local, IPEndPoint remote, IkeMessage request, NotifyType notify, ReadOnlyMemory<byte> data = default)
    {
        byte[] response = new IkeMessage(request.InitiatorSpi, 0, request.ExchangeType, IkeFlags.Response, request.MessageId, [NotifyPayload.Create(notify, data)]).ToArray();
        transmits.Enqueue(new Transmit(local, remote, response));
    }

    private void HandleRequest(IkeSa sa, long now, IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> datagram, IkeMessage message)
    {
        switch (sa.Responses.Classify(message.MessageId, datagram.Span))
        {
            case RequestVerdict.Retransmission:
                CachedResponsesResent++;
                transmits.Enqueue(new Transmit(local, remote, sa.Responses.LastResponse!));
                return;
            case RequestVerdict.Drop:
                Drop("request out of window");
                return;
        }

        if (message.ExchangeType == ExchangeType.IkeSaInit || sa.Inbound is null)
        {
            Drop("request before keys");
            return;
        }

        DecodeResult<Payload[]> opened = sa.Inbound.Open(datagram, message);
        if (!opened.TryGetValue(out Payload[] inner))
        {
            Drop($"undecryptable: {opened.Error!.Code}", $"undecryptable: {opened.Error}");
            return;
        }

        if (message.ExchangeType == ExchangeType.Informational && options.InformationalLimit > 0)
        {
            // An authenticated peer flooding INFORMATIONAL requests: beyond the limit per 10 s they go
            // unanswered (counted only once decrypted, so forged packets cannot spend a peer's budget).
            if (now - sa.InformationalWindowStart >= InformationalWindowMs)
            {
                sa.InformationalWindowStart = now;
                sa.InformationalCount = 0;
            }

            if (++sa.InformationalCount > options.InformationalLimit)
            {
                Drop("INFORMATIONAL over the rate limit");
                return;
            }
        }

        // Answer where the request came from: the peer may have floated to 4500 (RFC 3948) or moved.
        sa.Local = local;
        sa.Remote = remote;
        sa.LastInbound = now;
        var received = new ReceivedMessage(message, inner, datagram);
        var response = new MessageBuilder(message.ExchangeType);
        bool deleteAfter = false;
        if (ExchangeRules.CheckInner(message.ExchangeType, false, inner) is { } violation)
        {
            response.Notify(NotifyType.InvalidSyntax);
            Drop($"inner payloads not allowed in {message.ExchangeType.ToIanaName()}", $"inner payloads not allowed in {message.ExchangeType.ToIanaName()}: {violation}");
            deleteAfter = sa.State != IkeSaState.Established;
        }
        else
        {
            deleteAfter = RunResponderTasks(sa, message.ExchangeType, received, response, now);
        }

        byte[] bytes = sa.Outbound!.Seal(sa.SpiI, sa.SpiR, message.ExchangeType, IkeFlags.Response | (sa.IsInitiator ? IkeFlags.Initiator : IkeFlags.None), message.MessageId, response.Payloads);
        sa.Responses.Answered(message.MessageId, datagram.Span, bytes);
        transmits.Enqueue(new Transmit(local, remote, bytes));
        if (message.ExchangeType == ExchangeType.IkeAuth && sa.State == IkeSaState.Established)
        {
            // The response is built and cached: the IKE_SA_INIT material has served.
            sa.ReleaseInitMaterial();
        }
        if (deleteAfter)
        {
            bool closedByPeer = !sa.Rekeyed && sa.State == IkeSaState.Established;
            ChildConfig? restart = closedByPeer ? sa.Children.Select(c => c.Config).FirstOrDefault(c => c.CloseAction == CloseAction.Start) : null;
            Remove(sa, sa.Rekeyed ? "rekeyed" : closedByPeer ? "deleted by the peer" : "IKE_AUTH failed",
                sa.Rekeyed ? SaCloseCause.Replaced : closedByPeer ? SaCloseCause.Peer : SaCloseCause.Failed);

            // close_action = start also when the peer deletes the whole IKE SA: set the connection up
            // again, as far as we can initiate it (a responder without remote_addrs cannot).
            if (restart is not null && sa.Config.RemoteAddrs.Count > 0)
            {
                StartConnection(new Initiate(sa.Config.Name, restart.Name), now);
            }
        }
        else
        {
            // close_action = start (swanctl.conf): a Child SA the peer deleted is created again at once.
            foreach (ChildConfig closed in peerClosedChildren)
            {
                if (closed.CloseAction == CloseAction.Start && sa.State == IkeSaState.Established)
                {
                    Queue(sa, ExchangeType.CreateChildSa, [new ChildCreateTask(sa, context, closed, inCreateChildSa: true)], now);
                }
            }
        }

        peerClosedChildren.Clear();
    }

    /// <summary>Runs the tasks of a request; true when the IKE SA must go once the response is sent.</summary>
    private bool RunResponderTasks(IkeSa sa, ExchangeType exchange, ReceivedMessage received, MessageBuilder response, long now)
    {
        List<IExchangeTask> tasks = exchange switch
        {
            ExchangeType.IkeAuth when sa.State == IkeSaState.Authenticating => [new IkeAuthTask(sa, context), new ChildCreateTask(sa, context, null)],
            ExchangeType.Informational when sa.State is IkeSaState.Established or IkeSaState.Deleting => [new InformationalTask(sa, context, InformationalKind.Responder)],
            ExchangeType.CreateChildSa when sa.State == IkeSaState.Established && !sa.Rekeyed =>
                received.Find<SaPayload>()?.Proposals.FirstOrDefault()?.Protocol == SecurityProtocol.Ike
                    ? [new IkeRekeyTask(sa, context, NewIkeSpi, schedule)]
                    : [new ChildCreateTask(sa, context, null, inCreateChildSa: true)],
            _ => [],
        };
        if (tasks.Count == 0)
        {
            // CREATE_CHILD_SA and anything out of order: refuse politely (§1.3, §2.21).
            response.Notify(exchange == ExchangeType.CreateChildSa ? NotifyType.NoAdditionalSas : NotifyType.InvalidSyntax);
            return false;
        }

        foreach (IExchangeTask task in tasks)
        {
            TaskResult result = task.ProcessRequest(received);

            // Once the peer is authenticated, and before any Child SA: the unique policy (§2.4).
            if (task is IkeAuthTask && result.Status == TaskOutcome.Done && !EnforceUniqueness(sa, received.Notify(NotifyType.InitialContact) is not null, now))
            {
                result = TaskResult.FailIkeSa("refused by the unique policy", NotifyType.AuthenticationFailed);
            }

            if (task is IkeAuthTask && result.Status == TaskOutcome.Done && options.IkeSasPerIdentity > 0)
            {
                int held = sas.Values.Count(s => s != sa && s.State == IkeSaState.Established && s.Authenticated && s.RemoteId == sa.RemoteId);
                if (held >= options.IkeSasPerIdentity)
                {
                    result = TaskResult.FailIkeSa($"the peer identity {sa.RemoteId} already holds {held} IKE SAs (ike_sas_per_identity = {options.IkeSasPerIdentity})", NotifyType.AuthenticationFailed);
                    events.Enqueue(new NegotiationFailed(now, sa.Config.Name, result.Reason!));
                }
            }

            if (task is IkeAuthTask && result.Status == TaskOutcome.FailIkeSa && result.Notify is null or NotifyType.AuthenticationFailed)
            {
                authFailures.Record(sa.Remote.Address, now);
            }

            if (result.Status == TaskOutcome.FailIkeSa)
            {
                // Only the error goes back (§2.21.2: AUTHENTICATION_FAILED alone), and nothing is installed.
                response.Payloads.Clear();
                response.Notify(result.Notify ?? NotifyType.AuthenticationFailed, result.NotifyData);
                return true;
            }

            if (result.Status == TaskOutcome.FailChild)
            {
                response.Notify(result.Notify ?? NotifyType.NoProposalChosen, result.NotifyData);
                continue;
            }

            task.BuildResponse(response);
            if (task is IkeAuthTask && sa.Authenticated && sa.State != IkeSaState.Established)
            {
                // As for the initiator: IkeSaEstablished before the Child SA's ChildSaInstalled.
                Establish(sa, now);
            }
        }

        AfterExchange(sa, tasks, weInitiated: false, now);
        foreach (InformationalTask informational in tasks.OfType<InformationalTask>())
        {
            peerClosedChildren.AddRange(informational.ClosedByPeer);
        }

        if (exchange == ExchangeType.IkeAuth && sa.Authenticated && sa.State != IkeSaState.Established)
        {
            Establish(sa, now);
        }

        return tasks.OfType<InformationalTask>().Any(t => t.DeletesIkeSa);
    }

    private void Remove(IkeSa sa, string reason, SaCloseCause cause)
    {
        CountHalfOpen(sa, -1);
        foreach (ChildSa child in sa.Children)
        {
            context.ChildSpisInUse.Remove(child.SpiIn);
            events.Enqueue(new ChildSaDeleted(context.Now, sa.Config.Name, child.Config.Name, child.SpiIn, child.SpiOut, reason) { Cause = cause });
        }

        events.Enqueue(new IkeSaDeleted(context.Now, sa.Config.Name, sa.SpiI, sa.SpiR, reason) { Cause = cause });
        sas.Remove(sa.LocalSpi);
        if (!sa.IsInitiator)
        {
            byInitiator.Remove((sa.SpiI, sa.InitialRemote));
        }

        sa.Dispose();
    }

    private readonly record struct Timer(ulong Spi, TimerKind Kind, uint MessageId);

    private enum TimerKind
    {
        Retransmit,
        HalfOpen,
        Liveness,
        RedundantIkeSa,
        IkeRekey,
        IkeReauth,
        IkeExpire,
        /// <summary>MessageId carries the Child SA's inbound SPI.</summary>
        ChildRekey,
        ChildExpire,
    }
}

/// <summary>An IKE SA as <see cref="IkeEngine.IkeSas"/> shows it.</summary>
public sealed record IkeSaInfo(string Connection, ulong SpiI, ulong SpiR, bool IsInitiator, IkeSaState State, IPEndPoint Local, IPEndPoint Remote, IReadOnlyList<ChildSaInfo> Children)
{
    public string LocalId { get; init; } = "";

    public string RemoteId { get; init; } = "";

    /// <summary>The chosen IKE proposal in strongSwan's keywords, once IKE_SA_INIT is done.</summary>
    public string? Proposal { get; init; }

    /// <summary>Engine time (ms) at which IKE_AUTH completed; null until then.</summary>
    public long? EstablishedAt { get; init; }

    /// <summary>Our rekey of this IKE SA is in flight.</summary>
    public bool Rekeying { get; init; }

    /// <summary>We are behind a NAT (or force encapsulation): the owner sends NAT-keepalives (RFC 3948 §2.3).</summary>
    public bool BehindNat { get; init; }
}

public sealed record ChildSaInfo(string Name, uint SpiIn, uint SpiOut)
{
    public IpsecMode Mode { get; init; }

    public IReadOnlyList<TrafficSelector> LocalTs { get; init; } = [];

    public IReadOnlyList<TrafficSelector> RemoteTs { get; init; } = [];

    /// <summary>Engine time (ms) of installation.</summary>
    public long CreatedAt { get; init; }
}
