using System.Buffers.Binary;
using System.Net.NetworkInformation;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The clear side of the userspace data plane on a TUN device: decrypted packets are written to
/// it; one reader thread per queue takes what the host routes into it, up to
/// <see cref="ReadBatchSize"/> packets per wakeup, hands each to the data plane to encrypt, and has
/// the batch sent at once (sendmmsg). Routes to the remote selectors go through rtnetlink while a
/// Child SA needs them.
/// </summary>
public sealed class TunInterface : IInnerInterface, IDisposable
{
    /// <summary>When nothing better is known: a path MTU of 1500 less the worst overhead <see cref="TunMtu"/> knows of.</summary>
    public const int DefaultMtu = 1400;

    /// <summary>Packets a reader drains from its queue per wakeup before the batch is sent.</summary>
    public const int ReadBatchSize = 32;

    /// <summary>Room for one packet read: the largest IP packet.</summary>
    private const int SlotSize = 65536;

    private readonly TunDevice device;
    private readonly RouteNetlink netlink = new();
    private readonly ILogger log;
    private readonly Lock routeLock = new();
    private readonly long[] queuePackets;
    private Thread[] readers = [];
    private IOutboundPackets? plane;
    private volatile bool stopping;

    private TunInterface(TunDevice device, ILogger log)
    {
        this.device = device;
        this.log = log;
        queuePackets = new long[device.Queues];
    }

    public string Name => device.Name;

    public int Queues => device.Queues;

    /// <summary>Packets read so far from queue <paramref name="queue"/>.</summary>
    public long QueuePackets(int queue) => Interlocked.Read(ref queuePackets[queue]);

    /// <summary>Creates the TUN device with <paramref name="queues"/> queues, sets its MTU (rtnetlink) and brings it up.</summary>
    public static TunInterface Open(string name, ILogger log, int mtu = DefaultMtu, int queues = 1)
    {
        TunDevice device = TunDevice.Open(name, queues);
        var tun = new TunInterface(device, log);
        try
        {
            tun.netlink.SetLinkUp(device.Index, mtu);
        }
        catch
        {
            tun.Dispose();
            throw;
        }

        log.LogInformation("TUN device {Name} up, MTU {Mtu}, {Queues} queue(s)", device.Name, mtu, device.Queues);
        return tun;
    }

    /// <summary>Connects the data plane and starts one reader per queue.</summary>
    public T Attach<T>(T dataPlane)
        where T : IOutboundPackets
    {
        plane = dataPlane;
        readers = new Thread[device.Queues];
        for (int q = 0; q < readers.Length; q++)
        {
            int queue = q;
            readers[q] = new Thread(() => ReadLoop(queue)) { IsBackground = true, Name = $"tun {device.Name} q{q}" };
            readers[q].Start();
        }

        return dataPlane;
    }

    private void ReadLoop(int queue)
    {
        // Not zeroed: the kernel writes each slot before it is read; untouched pages stay unused.
        byte[] slots = GC.AllocateUninitializedArray<byte>(ReadBatchSize * SlotSize);
        int[] lengths = new int[ReadBatchSize];
        while (!stopping)
        {
            int n = device.ReadBatch(queue, slots, SlotSize, lengths, 200);
            if (n < 0)
            {
                return;
            }

            if (n == 0 || plane is not { } p)
            {
                continue;
            }

            Interlocked.Add(ref queuePackets[queue], n);
            for (int i = 0; i < n; i++)
            {
                // Packets matching no Child SA are dropped and counted by the data plane.
                p.QueueInner(slots.AsSpan(i * SlotSize, lengths[i]));
            }

            p.FlushInner();
        }
    }

    public void Write(ReadOnlySpan<byte> ipPacket) => device.Write(ipPacket);

    public bool AddRoute(TrafficSelector remote, IReadOnlyList<TrafficSelector> local, out string? error)
    {
        error = null;
        IPAddress? source = PreferredSource(local);
        lock (routeLock)
        {
            try
            {
                foreach ((IPAddress network, int prefix) in Prefixes(remote))
                {
                    netlink.AddRoute(network, prefix, device.Index, source);
                    log.LogInformation("route {Network}/{Prefix} via {Tun}{Source}", network, prefix, device.Name, source is null ? "" : $" src {source}");
                }

                return true;
            }
            catch (IOException e)
            {
                error = e.Message;
                return false;
            }
        }
    }

    public void RemoveRoute(TrafficSelector remote)
    {
        lock (routeLock)
        {
            foreach ((IPAddress network, int prefix) in Prefixes(remote))
            {
                try
                {
                    netlink.DeleteRoute(network, prefix, device.Index);
                }
                catch (IOException e)
                {
                    log.LogDebug("route {Network}/{Prefix} was already gone: {Reason}", network, prefix, e.Message);
                }
            }
        }
    }

    /// <summary>One of this host's addresses inside our selectors, so locally made packets carry a source the peer accepts (strongSwan does the same).</summary>
    private static IPAddress? PreferredSource(IReadOnlyList<TrafficSelector> local)
    {
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (UnicastIPAddressInformation a in nic.GetIPProperties().UnicastAddresses)
            {
                byte[] bytes = a.Address.GetAddressBytes();
                foreach (TrafficSelector ts in local)
                {
                    if (ts.StartAddressBytes.Length == bytes.Length && Number(ts.StartAddressBytes.Span) <= Number(bytes) && Number(bytes) <= Number(ts.EndAddressBytes.Span))
                    {
                        return a.Address;
                    }
                }
            }
        }

        return null;
    }

    private static UInt128 Number(ReadOnlySpan<byte> a) => PacketSelector.ToNumber(a);

    /// <summary>The fewest CIDR prefixes that cover a selector's address range exactly.</summary>
    public static IReadOnlyList<(IPAddress Network, int Prefix)> Prefixes(TrafficSelector ts)
    {
        ArgumentNullException.ThrowIfNull(ts);
        int bits = ts.StartAddressBytes.Length * 8;
        UInt128 start = Number(ts.StartAddressBytes.Span);
        UInt128 end = Number(ts.EndAddressBytes.Span);
        var result = new List<(IPAddress, int)>();
        UInt128 max = bits == 32 ? uint.MaxValue : UInt128.MaxValue;
        if (start == 0 && end == max)
        {
            return [(ToAddress(0, bits), 0)];
        }

        while (start <= end)
        {
            int size = 0;
            while (size < bits - 1)
            {
                UInt128 block = UInt128.One << (size + 1);
                if ((start & (block - 1)) != 0 || start + block - 1 > end || start + block - 1 < start)
                {
                    break;
                }

                size++;
            }

            result.Add((ToAddress(start, bits), bits - size));
            UInt128 next = start + (UInt128.One << size);
            if (next == 0 || (bits == 32 && next > uint.MaxValue))
            {
                break;
            }

            start = next;
        }

        return result;
    }

    private static IPAddress ToAddress(UInt128 value, int bits)
    {
        byte[] bytes = new byte[bits / 8];
        if (bits == 32)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        }

        return new IPAddress(bytes);
    }

    public void Dispose()
    {
        stopping = true;
        foreach (Thread reader in readers)
        {
            reader.Join(TimeSpan.FromSeconds(1));
        }

        device.Dispose();
        netlink.Dispose();
    }
}
