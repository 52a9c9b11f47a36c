using System.Buffers.Binary;
using System.Net.NetworkInformation;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The clear side of the userspace data plane on a TUN device: decrypted packets are written to
/// it; a reader thread takes what the host routes into it and hands each packet to the data plane
/// to encrypt. Routes to the remote selectors go through rtnetlink while a Child SA needs them.
/// </summary>
public sealed class TunInterface : IInnerInterface, IDisposable
{
    /// <summary>A path MTU of 1500 less IPv4 (20), UDP (8) and the largest ESP overhead we produce (SPI, sequence, 16-octet IV, padding, trailer, 32-octet ICV: about 72).</summary>
    public const int DefaultMtu = 1400;

    private readonly TunDevice device;
    private readonly RouteNetlink netlink = new();
    private readonly ILogger log;
    private readonly Lock routeLock = new();
    private Thread? reader;
    private IOutboundPackets? plane;
    private volatile bool stopping;

    private TunInterface(TunDevice device, ILogger log)
    {
        this.device = device;
        this.log = log;
    }

    public string Name => device.Name;

    /// <summary>Creates the TUN device, sets its MTU and brings it up.</summary>
    public static TunInterface Open(string name, ILogger log, int mtu = DefaultMtu)
    {
        TunDevice device = TunDevice.Open(name);
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

        log.LogInformation("TUN device {Name} up, MTU {Mtu}", device.Name, mtu);
        return tun;
    }

    /// <summary>Connects the data plane and starts reading packets for it.</summary>
    public T Attach<T>(T dataPlane)
        where T : IOutboundPackets
    {
        plane = dataPlane;
        reader = new Thread(ReadLoop) { IsBackground = true, Name = $"tun {device.Name}" };
        reader.Start();
        return dataPlane;
    }

    private void ReadLoop()
    {
        byte[] buffer = new byte[65536];
        while (!stopping)
        {
            int n = device.Read(buffer, 200);
            if (n < 0)
            {
                return;
            }

            if (n > 0)
            {
                // Packets matching no Child SA are dropped and counted by the data plane.
                plane?.SendInner(buffer.AsSpan(0, n));
            }
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
        reader?.Join(TimeSpan.FromSeconds(1));
        device.Dispose();
        netlink.Dispose();
    }
}
