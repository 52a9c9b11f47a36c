using System.Net;
using IkeSharp.Core.Engine;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// A deterministic network between engines, with a virtual clock: each datagram can be dropped,
/// duplicated, delayed (and so reordered) or corrupted, per seed.
/// </summary>
internal sealed class SimNetwork(int seed)
{
    private readonly Random random = new(seed);
    private readonly Dictionary<IPAddress, SimNode> nodes = [];
    private readonly PriorityQueue<(SimNode To, Transmit Datagram), (long, long)> inFlight = new();
    private long sequence;

    public long Now { get; private set; }

    public double Loss { get; set; }

    public double Duplication { get; set; }

    public double Corruption { get; set; }

    /// <summary>Latency per datagram, drawn in [MinDelay, MaxDelay] ms; a wide range reorders.</summary>
    public long MinDelay { get; init; } = 5;

    public long MaxDelay { get; init; } = 5;

    public int Delivered { get; private set; }

    public int Sent { get; private set; }

    public SimNode Add(IPAddress address, IkeEngine engine)
    {
        var node = new SimNode(address, engine);
        nodes.Add(address, node);
        return node;
    }

    /// <summary>How far ahead a timer may be and still count as activity (lifetimes of hours do not).</summary>
    public long QuietWindow { get; init; } = 5 * 60 * 1000;

    /// <summary>
    /// Moves datagrams and time until nothing is in flight and no timer is due within
    /// <see cref="QuietWindow"/>, or, when <paramref name="until"/> is given, until that time.
    /// </summary>
    public void RunUntilQuiet(long? until = null)
    {
        long limit = until ?? Now + (24L * 3600 * 1000);
        while (Now <= limit)
        {
            Collect();
            long? nextTimer = nodes.Values.Select(n => n.Engine.NextDeadline).Where(d => d.HasValue).Min();
            bool hasPacket = inFlight.TryPeek(out _, out (long At, long Seq) next);
            if (!hasPacket && (nextTimer is null || (until is null && nextTimer > Now + QuietWindow)))
            {
                return;
            }

            long at = hasPacket && (nextTimer is null || next.At <= nextTimer) ? next.At : nextTimer!.Value;
            if (at > limit)
            {
                Now = limit;
                return;
            }

            Now = Math.Max(Now, at);
            if (hasPacket && next.At <= Now)
            {
                (SimNode to, Transmit t) = inFlight.Dequeue();
                Delivered++;
                to.Engine.HandleDatagram(Now, t.Remote, t.Local, t.Datagram);
            }
            else
            {
                foreach (SimNode n in nodes.Values)
                {
                    if (n.Engine.NextDeadline <= Now)
                    {
                        n.Engine.HandleTimeout(Now);
                    }
                }
            }
        }
    }

    /// <summary>Takes what every engine wants to send and puts it on the wire, applying the faults.</summary>
    private void Collect()
    {
        foreach (SimNode node in nodes.Values)
        {
            while (node.Engine.TryPollTransmit(out Transmit t))
            {
                Sent++;
                node.Transmitted.Add(t);
                if (!nodes.TryGetValue(t.Remote.Address, out SimNode? to) || random.NextDouble() < Loss)
                {
                    continue;
                }

                int copies = random.NextDouble() < Duplication ? 2 : 1;
                for (int i = 0; i < copies; i++)
                {
                    byte[] bytes = (byte[])t.Datagram.Clone();
                    if (random.NextDouble() < Corruption)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    long delay = MinDelay + (long)(random.NextDouble() * (MaxDelay - MinDelay));
                    inFlight.Enqueue((to, t with { Datagram = bytes }), (Now + delay, sequence++));
                }
            }

            while (node.Engine.TryPollEvent(out IkeEvent e))
            {
                node.Events.Add(e);
            }
        }
    }
}

internal sealed class SimNode(IPAddress address, IkeEngine engine)
{
    public IPAddress Address { get; } = address;

    public IkeEngine Engine { get; } = engine;

    public List<IkeEvent> Events { get; } = [];

    public List<Transmit> Transmitted { get; } = [];
}
