using System.Collections.Concurrent;
using System.Net.Sockets;
using IkeSharp.Daemon.Transport;

namespace IkeSharp.Daemon.Tests.Offload;

/// <summary>UDP GSO on send and UDP GRO on receive, over loopback: what arrives is the datagrams that were sent, one by one.</summary>
public class DatagramSegmentationTests
{
    private static byte[] Datagram(int index, int length)
    {
        byte[] d = new byte[length];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = (byte)(index * 13 + i);
        }

        return d;
    }

    [Fact]
    public void Equal_datagrams_to_one_peer_share_a_message_and_a_short_or_other_one_starts_the_next()
    {
        using var batch = new DatagramBatch(8, 65536, segmentation: true);
        SocketAddress a = new IPEndPoint(IPAddress.Loopback, 1000).Serialize();
        SocketAddress b = new IPEndPoint(IPAddress.Loopback, 1001).Serialize();
        void Put(int length, SocketAddress to)
        {
            Span<byte> room = batch.Reserve(length, to);
            Assert.True(room.Length >= length);
            batch.Commit(length, to);
        }

        Put(1400, a);
        Put(1400, a);
        Put(1400, a);
        Put(900, a);    // short: the last of its message
        Put(900, a);
        Put(900, a);
        Put(1000, a);   // longer than the message's segments
        Put(1000, b);   // another peer
        Assert.Equal(4, batch.Count);
        Assert.Equal([4, 2, 1, 1], Enumerable.Range(0, 4).Select(batch.Segments).ToArray());
        Assert.Equal(4 * 1400 - 500, batch.Datagram(0).Length);

        // Without segmentation asked for, every datagram is its own message, as before.
        batch.Clear();
        batch.Reserve(1400, a, segment: false);
        batch.Commit(1400, a);
        batch.Reserve(1400, a, segment: false);
        batch.Commit(1400, a);
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void A_message_holds_at_most_64_datagrams_and_65000_octets()
    {
        using var batch = new DatagramBatch(8, 65536, segmentation: true);
        SocketAddress a = new IPEndPoint(IPAddress.Loopback, 1000).Serialize();
        for (int i = 0; i < 100; i++)
        {
            batch.Reserve(100, a);
            batch.Commit(100, a);
        }

        Assert.Equal([64, 36], Enumerable.Range(0, batch.Count).Select(batch.Segments).ToArray());
        batch.Clear();
        for (int i = 0; i < 50; i++)
        {
            batch.Reserve(1472, a);
            batch.Commit(1472, a);
        }

        Assert.Equal([44, 6], Enumerable.Range(0, batch.Count).Select(batch.Segments).ToArray());
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("127.0.0.1", false)]
    public async Task Segmented_batches_arrive_as_the_datagrams_that_were_sent(string address, bool receiverOffload)
    {
        var received = new ConcurrentQueue<byte[]>();
        int batchEnds = 0;
        using var receiver = new UdpPort(new IPEndPoint(IPAddress.Parse(address), 0), (_, _, _, d) => received.Enqueue(d.ToArray()), _ => { }, offload: receiverOffload, onBatchEnd: () => Interlocked.Increment(ref batchEnds));
        var errors = new ConcurrentQueue<string>();
        using var sender = new UdpPort(new IPEndPoint(IPAddress.Parse(address), 0), (_, _, _, _) => { }, errors.Enqueue, offload: true);
        Assert.True(sender.Gso, "this kernel has UDP GSO (Linux 4.18)");
        Assert.Equal(receiverOffload, receiver.Gro);
        receiver.Start();

        // Three rounds of: 40 datagrams of 1400 and a short one, then 10 of 700 (each batch of the
        // sender becomes a few GSO messages).
        SocketAddress to = receiver.Bound.Serialize();
        using var batch = new DatagramBatch(32, 65536, segmentation: true);
        var sent = new List<byte[]>();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 51; i++)
            {
                byte[] d = Datagram(sent.Count, i < 40 ? 1400 : i == 40 ? 333 : 700);
                d.CopyTo(batch.Reserve(d.Length, to));
                batch.Commit(d.Length, to);
                sent.Add(d);
            }

            Assert.True(batch.Count < 10, $"{batch.Count} messages for 51 datagrams");
            Assert.Equal(batch.Count, sender.Send(batch));
            batch.Clear();
        }

        await Hosting.DaemonRuntimeTests.WaitUntil(() => Task.FromResult(received.Count >= sent.Count));
        Assert.Empty(errors);
        Assert.Equal(sent, received.ToArray());
        Assert.True(batchEnds > 0);
        if (receiverOffload)
        {
            Assert.True(receiver.ReceiveCalls < sent.Count / 4, $"{receiver.ReceiveCalls} receives for {sent.Count} datagrams");
        }
    }

    [Fact]
    public async Task A_GSO_message_the_kernel_refuses_is_sent_datagram_by_datagram()
    {
        // UDP GSO needs each segment to fit the route's MTU (udp_send_skb refuses a larger gso_size,
        // EMSGSIZE on this kernel, EINVAL on some). On a loopback of MTU 1200 in a namespace of our own, a message of 1400-octet
        // segments is refused; the port must then send its datagrams one by one (IP fragments them).
        using var ns = new Tun.NetNs("tput-gso-refused");
        ns.Must("-n", ns.Name, "link", "set", "lo", "mtu", "1200");
        ns.Must("-n", ns.Name, "link", "set", "lo", "up");
        Exception? failure = null;
        ns.Run(() =>
        {
            try
            {
                var received = new ConcurrentQueue<byte[]>();
                using var receiver = new UdpPort(new IPEndPoint(IPAddress.Loopback, 0), (_, _, _, d) => received.Enqueue(d.ToArray()), _ => { });
                var errors = new ConcurrentQueue<string>();
                using var sender = new UdpPort(new IPEndPoint(IPAddress.Loopback, 0), (_, _, _, _) => { }, errors.Enqueue, offload: true);
                Assert.True(sender.Gso, "this kernel has UDP GSO (Linux 4.18)");
                receiver.Start();
                SocketAddress to = receiver.Bound.Serialize();
                using var batch = new DatagramBatch(32, 65536, segmentation: true);
                var sent = new List<byte[]>();
                for (int i = 0; i < 12; i++)
                {
                    byte[] d = Datagram(i, i < 10 ? 1400 : 600);
                    d.CopyTo(batch.Reserve(d.Length, to));
                    batch.Commit(d.Length, to);
                    sent.Add(d);
                }

                Assert.True(batch.Count < 4, $"{batch.Count} messages for 12 datagrams");
                Assert.Equal(batch.Count, sender.Send(batch));
                Assert.True(SpinWait.SpinUntil(() => received.Count >= sent.Count, 20_000), $"{received.Count} of {sent.Count} datagrams arrived");
                Assert.Equal(sent, received.ToArray());

                // A segment too large for the route is not the route's inability to offload (EIO): GSO stays on for the next batch.
                Assert.True(sender.Gso);
                Assert.Empty(errors);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        Assert.Null(failure);
        await Task.CompletedTask;
    }

    [Fact]
    public void A_plain_socket_receives_each_datagram_of_a_GSO_message_as_it_was_sent()
    {
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        sink.ReceiveTimeout = 5000;
        using var sender = new UdpPort(new IPEndPoint(IPAddress.Loopback, 0), (_, _, _, _) => { }, _ => { }, offload: true);
        SocketAddress to = sink.LocalEndPoint!.Serialize();
        using var batch = new DatagramBatch(4, 65536, segmentation: true);
        var sent = new List<byte[]>();
        for (int i = 0; i < 20; i++)
        {
            byte[] d = Datagram(i, i == 19 ? 10 : 1472);
            d.CopyTo(batch.Reserve(d.Length, to));
            batch.Commit(d.Length, to);
            sent.Add(d);
        }

        Assert.Equal(1, batch.Count);
        Assert.Equal(1, sender.Send(batch));
        byte[] buffer = new byte[65536];
        foreach (byte[] d in sent)
        {
            int n = sink.Receive(buffer);
            Assert.Equal(d, buffer.AsSpan(0, n).ToArray());
        }
    }
}
