using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using IkeSharp.Daemon.Transport;
using Xunit.Abstractions;

namespace IkeSharp.Daemon.Tests.Transport;

/// <summary>Datagrams through recvmmsg(2) and sendmmsg(2) on loopback, with their sources and our local addresses.</summary>
public class UdpPortBatchTests
{
    private sealed record Received(IPEndPoint Local, IPEndPoint Remote, byte[] Bytes);

    /// <summary>Datagram <paramref name="index"/> of sender <paramref name="sender"/>: its numbers, then a fill that depends on both.</summary>
    private static byte[] Datagram(int sender, int index)
    {
        byte[] d = new byte[40 + (index * 13 % 1400)];
        BinaryPrimitives.WriteInt32BigEndian(d, sender);
        BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(4), index);
        for (int i = 8; i < d.Length; i++)
        {
            d[i] = (byte)(sender * 31 + index + i);
        }

        return d;
    }

    [Theory]
    [InlineData("127.0.0.1", new[] { "127.0.0.1" })]
    [InlineData("::1", new[] { "::1" })]
    [InlineData("0.0.0.0", new[] { "127.0.0.1", "127.0.0.2" })]
    [InlineData("::", new[] { "::1" })]
    public async Task A_queued_burst_arrives_in_batches_intact_with_each_source_and_local_address(string bind, string[] destinations)
    {
        var received = new ConcurrentQueue<Received>();
        var errors = new ConcurrentQueue<string>();
        using var port = new UdpPort(new IPEndPoint(IPAddress.Parse(bind), 0),
            (_, local, remote, bytes) => received.Enqueue(new Received(local, (IPEndPoint)new IPEndPoint(local.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(remote), bytes.ToArray())),
            errors.Enqueue);

        // Two senders, each sending 60 datagrams to each destination before the port reads at all,
        // so they wait in the socket's queue and come out of recvmmsg many at a time.
        const int PerDestination = 60;
        using var a = new Socket(port.Bound.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var b = new Socket(port.Bound.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        Socket[] senders = [a, b];
        IPAddress loopback = port.Bound.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        a.Bind(new IPEndPoint(loopback, 0));
        b.Bind(new IPEndPoint(loopback, 0));
        int total = 0;
        foreach (string destination in destinations)
        {
            for (int i = 0; i < PerDestination; i++)
            {
                for (int s = 0; s < senders.Length; s++)
                {
                    senders[s].SendTo(Datagram(s, total / senders.Length), new IPEndPoint(IPAddress.Parse(destination), port.Port));
                    total++;
                }
            }
        }

        port.Start();
        await Hosting.DaemonRuntimeTests.WaitUntil(() => Task.FromResult(received.Count >= total));
        Assert.Empty(errors);
        Assert.Equal(total, received.Count);
        Assert.Equal(total, port.DatagramsReceived);
        Assert.True(port.ReceiveCalls < total / 4, $"{port.ReceiveCalls} recvmmsg calls for {total} queued datagrams: not batched");

        Received[] all = [.. received];
        for (int s = 0; s < senders.Length; s++)
        {
            var source = (IPEndPoint)senders[s].LocalEndPoint!;
            Received[] mine = [.. all.Where(r => r.Remote.Equals(source))];
            Assert.Equal(total / senders.Length, mine.Length);
            for (int k = 0; k < mine.Length; k++)
            {
                // In order, whole, and reaching the address it was sent to.
                Assert.Equal(Datagram(s, k), mine[k].Bytes);
                Assert.Equal(IPAddress.Parse(destinations[k / PerDestination]), mine[k].Local.Address);
                Assert.Equal(port.Port, mine[k].Local.Port);
            }
        }

        if (port.IsWildcard)
        {
            // The local endpoint is made once per change of address, not once per datagram.
            int distinct = all.Select(r => r.Local).Distinct(ReferenceEqualityComparer.Instance).Count();
            Assert.Equal(destinations.Length, distinct);
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void A_batch_goes_out_with_sendmmsg_whole_and_in_order(string address)
    {
        using var port = new UdpPort(new IPEndPoint(IPAddress.Parse(address), 0), (_, _, _, _) => { }, _ => { });
        using var sink = new Socket(port.Bound.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        sink.ReceiveTimeout = 2000;
        SocketAddress to = sink.LocalEndPoint!.Serialize();
        using var batch = new DatagramBatch(32, 2048);
        for (int i = 0; i < 32; i++)
        {
            byte[] d = Datagram(7, i);
            d.CopyTo(batch.NextSlot);
            batch.Add(d.Length, to);
        }

        Assert.True(batch.IsFull);
        Assert.Equal(32, port.Send(batch));
        byte[] buffer = new byte[2048];
        for (int i = 0; i < 32; i++)
        {
            EndPoint from = new IPEndPoint(address.Contains(':', StringComparison.Ordinal) ? IPAddress.IPv6Any : IPAddress.Any, 0);
            int n = sink.ReceiveFrom(buffer, ref from);
            Assert.Equal(Datagram(7, i), buffer.AsSpan(0, n).ToArray());
            Assert.Equal(port.Bound, from);
        }
    }
}

/// <summary>What the wildcard receive path allocates: nothing per datagram (it runs in the non-parallel collection).</summary>
[Collection(nameof(Hosting.PacketPathAllocationTests))]
public class WildcardReceiveAllocationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("::", "::1")]
    public async Task Twenty_thousand_datagrams_on_a_wildcard_socket_allocate_nothing_per_datagram(string bind, string destination)
    {
        const int Warmup = 2000;
        const int Datagrams = 20_000;
        int count = 0;
        long threadBytesAtWarmup = 0;
        long threadBytesLast = 0;
        IPEndPoint? lastLocal = null;
        bool localsRight = true;
        IPAddress expected = IPAddress.Parse(destination);
        using var port = new UdpPort(new IPEndPoint(IPAddress.Parse(bind), 0), (_, local, _, bytes) =>
        {
            // On the receiving thread: what this thread has allocated so far (the call itself allocates nothing).
            localsRight &= local.Address.Equals(expected) && bytes.Length == 1200;
            lastLocal = local;
            int n = Interlocked.Increment(ref count);
            threadBytesLast = GC.GetAllocatedBytesForCurrentThread();
            if (n == Warmup)
            {
                threadBytesAtWarmup = threadBytesLast;
            }
        }, _ => { });
        port.Start();
        using var sender = new Socket(port.Bound.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        SocketAddress to = new IPEndPoint(IPAddress.Parse(destination), port.Port).Serialize();
        byte[] datagram = new byte[1200];

        for (int i = 0; i < Warmup; i++)
        {
            sender.SendTo(datagram, SocketFlags.None, to);
            if (i % 200 == 0)
            {
                Thread.Sleep(1);
            }
        }

        await Hosting.DaemonRuntimeTests.WaitUntil(() => Task.FromResult(Volatile.Read(ref count) >= Warmup));
        long processBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Datagrams; i++)
        {
            sender.SendTo(datagram, SocketFlags.None, to);
            if (i % 200 == 0)
            {
                Thread.Sleep(1);   // let the receiver keep up; loopback drops what overflows its buffer
            }
        }

        await Hosting.DaemonRuntimeTests.WaitUntil(() => Task.FromResult(Volatile.Read(ref count) - Warmup >= Datagrams * 9 / 10));
        long processDelta = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        int measured = Volatile.Read(ref count) - Warmup;
        long threadDelta = Volatile.Read(ref threadBytesLast) - threadBytesAtWarmup;
        output.WriteLine($"wildcard {bind}: {measured} datagrams; receive thread {threadDelta} B ({(double)threadDelta / measured:F2} B/datagram); whole process {processDelta} B ({(double)processDelta / measured:F2} B/datagram)");

        Assert.True(localsRight, "a datagram was reported with the wrong local address or length");
        Assert.Equal(IPAddress.Parse(destination), lastLocal!.Address);
        Assert.True(threadDelta == 0, $"the receive thread allocated {threadDelta} B for {measured} datagrams");
        Assert.True(processDelta < Datagrams * 8, $"{processDelta} B allocated in the process for {measured} datagrams");
    }
}
