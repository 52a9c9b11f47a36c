using IkeSharp.Core.Policy;

namespace IkeSharp.Daemon.Load;

/// <summary>
/// A load run, sans-IO like the engine it drives (DESIGN.md): one <see cref="IkeEngine"/> holds every
/// IKE SA of the run; datagrams and the clock go in, datagrams to send and the next deadline come
/// out. On each input it starts new setups while fewer than the concurrency are in flight and the
/// rate allows, follows each SA through the engine's events (which name its connection, one per
/// SA), measures its latency, sorts failures into <see cref="LoadFailure"/> categories, and, with
/// <see cref="LoadProfile.Delete"/>, deletes every SA it set up once the setups are done. The
/// engine retransmits as any initiator does (RFC 7296 §2.1) on its own deadlines.
/// </summary>
public sealed class LoadRun
{
    private readonly LoadProfile profile;
    private readonly IkeEngine engine;
    private readonly Slot[] slots;
    private readonly List<double> latencies = [];
    private readonly Func<double>? fineClock;
    private readonly Dictionary<LoadFailure, int> failures = [];
    private readonly Dictionary<LoadFailure, string> examples = [];
    private long startedAt = -1;
    private long setupEndedAt = -1;
    private int started;
    private int inFlight;
    private int established;
    private int failed;
    private int deleted;
    private int deletesInFlight;
    private int nextDelete;
    private Phase phase = Phase.NotStarted;
    private long holdEndsAt = -1;
    private int heldAtStart;
    private int lost;
    private (long Liveness, long IkeRekeys, long ChildRekeys) countersAtHold;
    private HoldReport? hold;

    /// <param name="fineClock">
    /// Milliseconds with a fraction, for latencies only: the engine's clock is whole milliseconds, too
    /// coarse for a setup on loopback (issue 6: p50 &lt;= 2 ms). Null: latencies in the engine's milliseconds.
    /// </param>
    public LoadRun(LoadProfile profile, IPEndPoint local, IRandomSource random, IAlgorithmProvider algorithms, EngineOptions? options = null, Func<double>? fineClock = null)
    {
        this.fineClock = fineClock;
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Count <= 0 || profile.Concurrency <= 0)
        {
            throw new ArgumentException("count and concurrency must be positive", nameof(profile));
        }

        this.profile = profile;
        engine = new IkeEngine(LoadConnections.Build(profile, local), LoadConnections.Credentials(profile), algorithms, random, options);
        slots = new Slot[profile.Count];
    }

    private enum Phase
    {
        NotStarted,
        Setup,
        Holding,
        Deleting,
        Done,
    }

    // The events of one engine call, reused (see Drain).
    private readonly List<IkeEvent> drained = [];

    private enum SlotState
    {
        Waiting,
        Connecting,
        Up,
        Failed,
        Deleting,
        Gone,
    }

    /// <summary>True once every setup (and with --delete every delete) has finished, or the run was stopped.</summary>
    public bool IsFinished => phase == Phase.Done;

    /// <summary>IKE SAs the engine holds now, half-open ones included.</summary>
    public int IkeSaCount => engine.IkeSaCount;

    /// <summary>When the run wants its next <see cref="HandleTimeout"/>: an engine timer, the next initiation the rate allows, or the end of --duration.</summary>
    public long? NextDeadline
    {
        get
        {
            if (phase == Phase.Done)
            {
                return null;
            }

            long? next = engine.NextDeadline;
            if (phase == Phase.Setup)
            {
                if (started < slots.Length && inFlight < profile.Concurrency && RateSlot(started) is { } slot)
                {
                    next = Min(next, slot);
                }

                if (profile.Duration is { } d)
                {
                    next = Min(next, startedAt + (long)d.TotalMilliseconds);
                }
            }
            else if (phase == Phase.Holding)
            {
                next = Min(next, holdEndsAt);
            }

            return next;
        }
    }

    public bool TryPollTransmit(out Transmit transmit) => engine.TryPollTransmit(out transmit);

    public LoadProgress Progress(long now) => new(started, inFlight, established, failed, deleted, engine.Retransmissions, startedAt < 0 ? 0 : now - startedAt, phase == Phase.Deleting);

    /// <summary>Starts the run: the first setups go out at once.</summary>
    public void Start(long now)
    {
        if (phase != Phase.NotStarted)
        {
            throw new InvalidOperationException("the load run has already started");
        }

        startedAt = now;
        phase = Phase.Setup;
        Advance(now);
    }

    public void HandleDatagram(long now, IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> datagram)
    {
        engine.HandleDatagram(now, local, remote, datagram);
        Advance(now);
    }

    public void HandleTimeout(long now)
    {
        if (engine.NextDeadline is { } due && due <= now)
        {
            engine.HandleTimeout(now);
        }

        Advance(now);
    }

    /// <summary>Ends the run now (interrupted): setups in flight count as unfinished, nothing more is deleted.</summary>
    public void Stop(long now)
    {
        Drain();
        EndSetup(now);
        if (phase == Phase.Holding)
        {
            EndHold(now);
        }

        phase = Phase.Done;
    }

    public LoadReport Report(long now)
    {
        long end = setupEndedAt >= 0 ? setupEndedAt : now;
        double seconds = Math.Max(end - Math.Max(startedAt, 0), 1) / 1000.0;
        return new LoadReport
        {
            Started = started,
            Established = established,
            Failed = failed,
            Deleted = deleted,
            SetupsPerSecond = established / seconds,
            LatencyMs = LatencyPercentiles.Of(latencies),
            Retransmissions = engine.Retransmissions,
            Failures = new Dictionary<LoadFailure, int>(failures),
            FailureExamples = new Dictionary<LoadFailure, string>(examples),
            SetupTime = TimeSpan.FromMilliseconds(end - Math.Max(startedAt, 0)),
            Childless = !profile.Child,
            Hold = hold,
        };
    }

    /// <summary>Reads the engine's events, then starts or deletes what the state now allows.</summary>
    private void Advance(long now)
    {
        // Each round may queue more events (an initiation that fails at once, a delete): go until quiet.
        while (true)
        {
            Drain();
            if (phase == Phase.Setup)
            {
                if (profile.Duration is { } d && now - startedAt >= (long)d.TotalMilliseconds)
                {
                    EndSetup(now);
                    continue;
                }

                if (started < slots.Length && inFlight < profile.Concurrency && RateSlot(started) is { } slot && slot <= now)
                {
                    Initiate(started, now);
                    continue;
                }

                if (started == slots.Length && inFlight == 0)
                {
                    EndSetup(now);
                    continue;
                }
            }
            else if (phase == Phase.Holding)
            {
                if (now >= holdEndsAt)
                {
                    EndHold(now);
                    continue;
                }
            }
            else if (phase == Phase.Deleting)
            {
                if (nextDelete < slots.Length && deletesInFlight < profile.Concurrency)
                {
                    DeleteNext(now);
                    continue;
                }

                if (nextDelete == slots.Length && deletesInFlight == 0)
                {
                    phase = Phase.Done;
                }
            }

            return;
        }
    }

    /// <summary>With --rate R, setup i may start R per second after the first: i / R seconds in.</summary>
    private long? RateSlot(int index) => profile.Rate is { } rate ? startedAt + (long)Math.Ceiling(index * 1000.0 / rate) : startedAt;

    private static long Min(long? a, long b) => a is { } x ? Math.Min(x, b) : b;

    private void Initiate(int index, long now)
    {
        slots[index] = new Slot { State = SlotState.Connecting, StartedAt = fineClock?.Invoke() ?? now };
        started++;
        inFlight++;
        engine.Execute(new Initiate(LoadConnections.Name(index), profile.Child ? LoadConnections.ChildName : null), now);
    }

    private void EndSetup(long now)
    {
        if (phase is Phase.Done or Phase.Deleting or Phase.Holding)
        {
            return;
        }

        for (int i = 0; i < started; i++)
        {
            if (slots[i].State == SlotState.Connecting)
            {
                // The engine keeps trying; with --delete, one that still comes up is deleted (Observe).
                Fail(slots[i], LoadFailure.Unfinished, "the run ended before this setup finished");
            }
        }

        setupEndedAt = now;
        if (profile.Hold is { } h && phase == Phase.Setup)
        {
            phase = Phase.Holding;
            holdEndsAt = now + (long)h.TotalMilliseconds;
            heldAtStart = slots.Count(s => s is { State: SlotState.Up });
            EngineCounters c = engine.Counters;
            countersAtHold = (c.PeerLivenessChecks, c.IkeRekeys, c.ChildRekeys);
            return;
        }

        phase = profile.Delete ? Phase.Deleting : Phase.Done;
    }

    /// <summary>The hold is over (or the run was stopped during it): report it, then delete or finish.</summary>
    private void EndHold(long now)
    {
        EngineCounters c = engine.Counters;
        hold = new HoldReport(TimeSpan.FromMilliseconds(now - setupEndedAt), heldAtStart, slots.Count(s => s is { State: SlotState.Up }), lost,
            c.PeerLivenessChecks - countersAtHold.Liveness, c.IkeRekeys - countersAtHold.IkeRekeys, c.ChildRekeys - countersAtHold.ChildRekeys);
        phase = profile.Delete ? Phase.Deleting : Phase.Done;
    }

    private void DeleteNext(long now)
    {
        Slot? slot = slots[nextDelete++];
        if (slot is { State: SlotState.Up, Spi: not 0 })
        {
            slot.State = SlotState.Deleting;
            deletesInFlight++;
            try
            {
                engine.Execute(new DeleteIkeSa(slot.Spi), now);
            }
            catch (ArgumentException)
            {
                // Gone meanwhile (the responder deleted it): nothing to delete.
                slot.State = SlotState.Gone;
                deletesInFlight--;
            }
        }
    }

    private void Drain()
    {
        drained.Clear();
        while (engine.TryPollEvent(out IkeEvent e))
        {
            drained.Add(e);
        }

        // The engine reports an IKE SA as established before the Child SA its IKE_AUTH carried (or
        // the reason it was refused); a setup's outcome needs both, so each IkeSaEstablished is
        // observed after the Child SA events of its connection that follow it in the same batch.
        for (int i = 0; i < drained.Count; i++)
        {
            if (drained[i] is IkeSaEstablished established)
            {
                int j = i + 1;
                while (j < drained.Count && drained[j].Connection == established.Connection && drained[j] is ChildSaInstalled or NegotiationFailed)
                {
                    Observe(drained[j]);
                    j++;
                }

                Observe(established);
                i = j - 1;
            }
            else
            {
                Observe(drained[i]);
            }
        }

        drained.Clear();
    }

    private void Observe(IkeEvent e)
    {
        if (e is ChildSaInstalled installed)
        {
            // The keys are ours to dispose (IkeEvent.ChildSaInstalled); a load run has no data plane.
            installed.EncryptionKeyIn.Dispose();
            installed.EncryptionKeyOut.Dispose();
            installed.IntegrityKeyIn.Dispose();
            installed.IntegrityKeyOut.Dispose();
        }

        int index = LoadConnections.Index(e.Connection);
        if (index < 0 || index >= slots.Length || slots[index] is not { } slot)
        {
            return;
        }

        switch (e)
        {
            case ChildSaInstalled when slot.State == SlotState.Connecting:
                slot.ChildInstalledAt = fineClock?.Invoke() ?? e.Time;
                break;
            case AuthFailed auth when slot.State == SlotState.Connecting:
                slot.Pending ??= (LoadFailure.AuthenticationFailed, auth.Reason);
                break;
            case NegotiationFailed negotiation when slot.State == SlotState.Connecting:
                slot.Pending ??= (LoadFailure.NegotiationFailed, negotiation.Reason);
                break;
            case IkeSaEstablished up:
                slot.Spi = up.SpiI;
                if (slot.State == SlotState.Connecting)
                {
                    inFlight--;
                    if (profile.Child && slot.ChildInstalledAt < 0)
                    {
                        // §1.2: a refused Child SA leaves the IKE SA up; it still counts as a failed setup.
                        Fail(slot, LoadFailure.ChildSaNotCreated, slot.Pending?.Reason ?? "IKE_AUTH completed without a Child SA");
                        slot.State = SlotState.Up;
                    }
                    else
                    {
                        slot.State = SlotState.Up;
                        established++;
                        latencies.Add((profile.Child ? slot.ChildInstalledAt : fineClock?.Invoke() ?? up.Time) - slot.StartedAt);
                    }
                }
                else if (slot.State == SlotState.Failed)
                {
                    // An unfinished setup came up after the run's end: with --delete it goes too.
                    slot.State = SlotState.Up;
                    if (phase == Phase.Deleting && nextDelete > index)
                    {
                        nextDelete = index;
                    }
                }

                break;
            case IkeSaRekeyed rekeyed when rekeyed.OldSpiI == slot.Spi:
                // A long run outlives rekey_time (RFC 7296 §2.18): the SA goes on under new SPIs.
                slot.Spi = rekeyed.NewSpiI;
                break;
            case IkeSaDeleted gone when (gone.SpiI == slot.Spi || slot.Spi == 0):
                switch (slot.State)
                {
                    case SlotState.Connecting:
                        inFlight--;
                        (LoadFailure failure, string reason) = slot.Pending ?? (LoadFailure.NoResponse, gone.Reason);
                        Fail(slot, failure, reason);
                        break;
                    case SlotState.Deleting:
                        deletesInFlight--;
                        deleted++;
                        break;
                    case SlotState.Up when phase == Phase.Holding:
                        // Held, and gone before the hold ended: the responder deleted it or stopped answering.
                        lost++;
                        break;
                }

                slot.State = slot.State == SlotState.Failed ? SlotState.Failed : SlotState.Gone;
                break;
        }
    }

    private void Fail(Slot slot, LoadFailure failure, string reason)
    {
        if (slot.State == SlotState.Connecting && failure == LoadFailure.Unfinished)
        {
            inFlight--;
        }

        slot.State = SlotState.Failed;
        failed++;
        failures[failure] = failures.GetValueOrDefault(failure) + 1;
        examples.TryAdd(failure, reason);
    }

    /// <summary>One SA of the run.</summary>
    private sealed class Slot
    {
        public SlotState State { get; set; }

        /// <summary>When the initiation started, in the fine clock's milliseconds (or the engine's).</summary>
        public double StartedAt { get; init; }

        public double ChildInstalledAt { get; set; } = -1;

        /// <summary>Our SPI (SPIi) once IKE_AUTH is done.</summary>
        public ulong Spi { get; set; }

        /// <summary>The first failure the engine reported while connecting; the SA's end decides which category counts.</summary>
        public (LoadFailure Failure, string Reason)? Pending { get; set; }
    }
}
