using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Diagnostics;
using IkeSharp.Daemon.Control;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>
/// Large and hostile messages through a running daemon (issue 7 §2), not only through the codec:
/// crafted datagrams at its IKE port and its NAT-T port while a tunnel runs. Each is dropped with a
/// clear, rate-limited log line (what, where), the tunnel keeps carrying traffic, no SA appears or
/// goes, and memory stays bounded. The sender is 127.0.0.3, for which no connection is configured.
/// </summary>
public class HostileDatagramTests
{
    private const int Port = 21800;

    /// <summary>Keeps every line the daemons write.</summary>
    private sealed class Lines : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> All { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            All.Enqueue($"{logLevel}: {formatter(state, exception)}");

        public void Dispose()
        {
        }
    }

    // ---- crafted messages (RFC 7296 §3.1 header, §3.2 generic payload header)

    private static byte[] Header(ulong spiI, ulong spiR, byte next, byte exchange, byte flags, uint messageId, uint length, int size)
    {
        byte[] m = new byte[size];
        BinaryPrimitives.WriteUInt64BigEndian(m, spiI);
        BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(8), spiR);
        m[16] = next;
        m[17] = 0x20;
        m[18] = exchange;
        m[19] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(20), messageId);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(24), length);
        return m;
    }

    /// <summary>An IKE_SA_INIT request (SPIr zero) carrying the given payloads, each (type, body).</summary>
    private static byte[] InitRequest(IReadOnlyList<(byte Type, byte[] Body)> payloads)
    {
        int length = 28 + payloads.Sum(p => 4 + p.Body.Length);
        byte[] m = Header(0x1122334455667788, 0, payloads.Count == 0 ? (byte)0 : payloads[0].Type, 34, 0x08, 0, (uint)length, length);
        int at = 28;
        for (int i = 0; i < payloads.Count; i++)
        {
            m[at] = i + 1 < payloads.Count ? payloads[i + 1].Type : (byte)0;
            BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(at + 2), (ushort)(4 + payloads[i].Body.Length));
            payloads[i].Body.CopyTo(m, at + 4);
            at += 4 + payloads[i].Body.Length;
        }

        return m;
    }

    private static byte[] Transform(byte type, ushort id, int attributes = 0, bool last = true)
    {
        // §3.3.2: last(0) or more(3), reserved, length, type, reserved, id; attributes in TV form (§3.3.5).
        byte[] t = new byte[8 + (4 * attributes)];
        t[0] = last ? (byte)0 : (byte)3;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), (ushort)t.Length);
        t[4] = type;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(6), id);
        for (int i = 0; i < attributes; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(8 + (4 * i)), 0x800E);
            BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(10 + (4 * i)), 128);
        }

        return t;
    }

    private static byte[] Proposal(int number, bool last, params byte[][] transforms)
    {
        // §3.3.1: last(0) or more(2), reserved, length, number, protocol IKE (1), SPI size 0, transform count.
        byte[] body = [.. transforms.SelectMany(t => t)];
        byte[] p = new byte[8 + body.Length];
        p[0] = last ? (byte)0 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        p[4] = (byte)number;
        p[5] = 1;
        p[7] = (byte)transforms.Length;
        body.CopyTo(p, 8);
        return p;
    }

    private static byte[] AesGcmX25519(int number, bool last) =>
        Proposal(number, last, Transform(1, 20, 1, last: false), Transform(2, 5, last: false), Transform(4, 31));

    private static byte[] Ke() => [0, 31, 0, 0, .. new byte[32]];

    private static byte[] Nonce() => [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    private static byte[] TrafficSelectors(int count)
    {
        // §3.13: count, reserved; each IPv6 range selector (type 8) is 40 octets.
        byte[] ts = new byte[4 + (40 * count)];
        ts[0] = (byte)count;
        for (int i = 0; i < count; i++)
        {
            int at = 4 + (40 * i);
            ts[at] = 8;
            BinaryPrimitives.WriteUInt16BigEndian(ts.AsSpan(at + 2), 40);
            BinaryPrimitives.WriteUInt16BigEndian(ts.AsSpan(at + 6), 0xFFFF);
            ts[at + 8] = 0xFD;
            ts[at + 24] = 0xFD;
            ts[at + 39] = (byte)i;
        }

        return ts;
    }

    private static IEnumerable<(string What, byte[] Datagram)> AtIkePort(ulong spiI, ulong spiR)
    {
        byte[] hugeLength = Header(1, 0, 0, 34, 0x08, 0, uint.MaxValue, 28);
        yield return ("a header declaring 4 GiB", hugeLength);
        yield return ("a header declaring 60,000 octets in 100", Header(1, 0, 0, 34, 0x08, 0, 60_000, 100));
        byte[] longPayload = Header(1, 0, 43, 34, 0x08, 0, 40, 40);
        BinaryPrimitives.WriteUInt16BigEndian(longPayload.AsSpan(30), 0xFFFF);
        yield return ("a payload declaring 65,535 octets in 12", longPayload);
        yield return ("5,000 chained Vendor ID payloads", InitRequest([.. Enumerable.Range(0, 5000).Select(_ => ((byte)43, Array.Empty<byte>()))]));
        yield return ("1,000 proposals", InitRequest([(33, [.. Enumerable.Range(0, 1000).SelectMany(i => Proposal((i % 255) + 1, i == 999, Transform(4, 31)))]), (34, Ke()), (40, Nonce())]));
        yield return ("255 proposals of 3 transforms", InitRequest([(33, [.. Enumerable.Range(0, 255).SelectMany(i => AesGcmX25519(i + 1, i == 254))]), (34, Ke()), (40, Nonce())]));
        yield return ("255 transforms", InitRequest([(33, Proposal(1, true, [.. Enumerable.Range(0, 255).Select(i => Transform(4, 31, last: i == 254))])), (34, Ke()), (40, Nonce())]));
        yield return ("a transform with 100 attributes", InitRequest([(33, Proposal(1, true, Transform(1, 20, 100))), (34, Ke()), (40, Nonce())]));
        yield return ("255 traffic selectors each way in IKE_SA_INIT", InitRequest([(33, AesGcmX25519(1, true)), (34, Ke()), (40, Nonce()), (44, TrafficSelectors(255)), (45, TrafficSelectors(255))]));
        yield return ("300 CERT payloads", InitRequest([.. Enumerable.Range(0, 300).Select(_ => ((byte)37, (byte[])[4, .. new byte[200]]))]));
        yield return ("200 CERT payloads in IKE_SA_INIT", InitRequest([(33, AesGcmX25519(1, true)), (34, Ke()), (40, Nonce()), .. Enumerable.Range(0, 200).Select(_ => ((byte)37, (byte[])[4, .. new byte[200]]))]));
        yield return ("a 65,000-octet IKE_SA_INIT", InitRequest([(33, AesGcmX25519(1, true)), (34, Ke()), (40, Nonce()), (43, new byte[65_000 - 28 - 4 - 4 - 36 - 40 - 4 - AesGcmX25519(1, true).Length])]));
        byte[] junk = new byte[65_000];
        new Random(7).NextBytes(junk);
        yield return ("65,000 random octets", junk);
        byte[] header = Header(spiI, spiR, 46, 36, 0x08, 5, 28, 28);
        for (int cut = 0; cut < 28; cut += 3)
        {
            yield return ($"a header cut to {cut} octets", header[..cut]);
        }

        // The tunnel's own SPIs: an SK payload that does not decrypt, and one cut short.
        byte[] forged = Header(spiI, spiR, 46, 37, 0x08, 2, 28 + 4 + 80, 28 + 4 + 80);
        forged[28] = 41;
        BinaryPrimitives.WriteUInt16BigEndian(forged.AsSpan(30), 84);
        yield return ("a forged INFORMATIONAL with the tunnel's SPIs", forged);
        yield return ("an IKE_AUTH request in the clear with the tunnel's SPIs", Header(spiI, spiR, 0, 35, 0x08, 2, 28, 28));
    }

    /// <summary>
    /// An IKE_AUTH fragment (RFC 7383 §2.5: SKF with fragment number and total) with the tunnel's
    /// SPIs. IkeSharp does not negotiate IKE fragmentation, so a fragment must be dropped, not reassembled.
    /// </summary>
    private static byte[] Fragment(ulong spiI, ulong spiR, ushort number, ushort total)
    {
        int length = 28 + 4 + 4 + 16 + 64 + 16;
        // Message ID 2: the next request the responder expects, so only the payload can refuse it.
        byte[] m = Header(spiI, spiR, 53, 35, 0x08, 2, (uint)length, length);
        m[28] = number == 1 ? (byte)35 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(30), (ushort)(length - 28));
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(32), number);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(34), total);
        return m;
    }

    private static IEnumerable<(string What, byte[] Datagram)> AtNatTPort(ulong spiI, ulong spiR)
    {
        byte[] Marked(byte[] ike) => [0, 0, 0, 0, .. ike];
        yield return ("a non-ESP marker alone", [0, 0, 0, 0]);
        yield return ("a non-ESP marker and 100 octets of junk", Marked([.. Enumerable.Range(0, 100).Select(i => (byte)(i * 7))]));
        yield return ("a marked header declaring 4 GiB", Marked(Header(1, 0, 0, 34, 0x08, 0, uint.MaxValue, 28)));
        yield return ("IKE fragment 1 of 2", Marked(Fragment(spiI, spiR, 1, 2)));
        yield return ("IKE fragment 2 of 2", Marked(Fragment(spiI, spiR, 2, 2)));
        yield return ("IKE fragment 9 of 2", Marked(Fragment(spiI, spiR, 9, 2)));
        for (int size = 1; size < 8; size += 2)
        {
            yield return ($"{size} octets that are neither marker nor ESP", [.. Enumerable.Range(1, size).Select(i => (byte)i)]);
        }

        yield return ("ESP for an unknown SPI", [0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 1, .. new byte[64]]);
        yield return ("65,000 octets of ESP for an unknown SPI", [0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 2, .. new byte[65_000 - 8]]);
        yield return ("a marked 5,000-payload chain", Marked(InitRequest([.. Enumerable.Range(0, 5000).Select(_ => ((byte)43, Array.Empty<byte>()))])));
    }

    [Fact]
    public async Task Hostile_datagrams_at_both_ports_are_dropped_and_logged_within_the_limit_while_the_tunnel_carries_on()
    {
        using var lines = new Lines();
        using var logs = LoggerFactory.Create(b => b.AddProvider(lines).SetMinimumLevel(LogLevel.Information));
        var aliceInner = new UserspaceDataPlaneTests.QueueInterface();
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        UserspaceDataPlane? alicePlane = null;
        UserspaceDataPlane? bobPlane = null;
        await using LoopbackPair p = LoopbackPair.Start(Port,
            aliceTweak: c => c with { Encap = true },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(aliceInner, host, new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => bobPlane = new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance),
            logs: logs);
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        Assert.True(alicePlane!.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 64, 1)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 1));

        StatusReport.IkeRow before = Assert.Single(await p.Bob.StatusRowsAsync());
        long espDropsBefore = bobPlane!.EspDrops;
        long rejectedBefore = await p.Bob.Host.InvokeAsync((e, _) => e.Rejected);
        int linesBefore = lines.All.Count;
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        (string What, byte[] Datagram)[] ike = [.. AtIkePort(before.SpiI, before.SpiR)];
        (string What, byte[] Datagram)[] natT = [.. AtNatTPort(before.SpiI, before.SpiR)];
        using var sender = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        var ikePort = new IPEndPoint(IPAddress.Parse("127.0.0.2"), Port);
        var natTPort = new IPEndPoint(IPAddress.Parse("127.0.0.2"), Port + 1);
        var burst = Stopwatch.StartNew();
        int sent = 0;
        long octets = 0;
        for (int round = 0; round < 20; round++)
        {
            foreach ((IPEndPoint to, (string What, byte[] Datagram)[] set) in new[] { (ikePort, ike), (natTPort, natT) })
            {
                foreach ((_, byte[] datagram) in set)
                {
                    await sender.SendAsync(datagram, to);
                    sent++;
                    octets += datagram.Length;
                }

                // Paced a little, so the receive buffers keep up and the daemon sees the 65,000-octet ones.
                await Task.Delay(5);
            }
        }

        // Every hostile datagram is handled: the engine's count of rejections rises, then stands still.
        long rejected = 0;
        await DaemonRuntimeTests.WaitUntil(async () =>
        {
            long now = await p.Bob.Host.InvokeAsync((e, _) => e.Rejected);
            bool settled = now == rejected && now > rejectedBefore;
            rejected = now;
            await Task.Delay(200);
            return settled;
        });
        burst.Stop();
        Dictionary<string, int> dropped = await p.Bob.Host.InvokeAsync((e, _) => new Dictionary<string, int>(e.Dropped));

        // The tunnel is intact: the same IKE SA with the same Child SA, and traffic still flows both ways.
        StatusReport.IkeRow after = Assert.Single(await p.Bob.StatusRowsAsync());
        Assert.Equal((before.SpiI, before.SpiR, before.State), (after.SpiI, after.SpiR, after.State));
        Assert.Equal(before.Children.Select(c => (c.SpiIn, c.SpiOut, c.State)), after.Children.Select(c => (c.SpiIn, c.SpiOut, c.State)));
        Assert.Single(await p.Alice.StatusRowsAsync());
        Assert.True(alicePlane.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 64, 2)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 2));
        Assert.True(bobPlane.SendInner(UserspaceDataPlaneTests.Udp4("10.2.0.7", "10.1.0.5", 64, 3)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(aliceInner.Delivered.Count == 1));

        // The IKE SA's message IDs are untouched by the forgeries: the next real request (ID 2) goes through.
        Assert.True((await p.Alice.RekeyAsync("to-bob", child: true)).Ok);
        await DaemonRuntimeTests.WaitUntil(async () => (await p.Bob.StatusRowsAsync()) is [{ Children: [var c] }] && c.SpiIn != before.Children[0].SpiIn);

        // Each kind of damage is named by the codec and counted; ESP for no SA is dropped by the data plane.
        string reasons = string.Join(", ", dropped.Select(d => $"{d.Key}={d.Value}"));
        Assert.True(dropped.GetValueOrDefault("malformed: LimitExceeded") > 0, reasons);
        Assert.True(dropped.GetValueOrDefault("malformed: BadLength") + dropped.GetValueOrDefault("malformed: Truncated") > 0, reasons);
        Assert.True(dropped.GetValueOrDefault("payloads not allowed in IKE_SA_INIT") > 0, reasons);
        Assert.True(dropped.GetValueOrDefault("no connection for the peer's address") > 0, reasons);
        Assert.True(dropped.GetValueOrDefault("IKE fragment") > 0, reasons);
        Assert.True(dropped.GetValueOrDefault("undecryptable: IntegrityCheckFailed") > 0, reasons);
        Assert.True(bobPlane.EspDrops > espDropsBefore, "ESP for an unknown SPI is dropped and counted");

        // Memory: nothing of the ~1.5 MB a round is kept (a leak of the 65,000-octet ones alone would be more than this bound).
        long memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(memoryAfter - memoryBefore < 24 << 20, $"managed heap grew from {memoryBefore} to {memoryAfter} octets after {sent} datagrams ({octets} octets)");

        // The log: clear lines (what was wrong, where), at most 20 a second; what was held back is
        // counted in a line before the next one, once a new second has begun.
        await Task.Delay(1100);
        await sender.SendAsync(new byte[5], ikePort);
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(lines.All.Any(l => l.Contains("were not logged", StringComparison.Ordinal))));
        string[] written = [.. lines.All.Skip(linesBefore)];
        string[] drops = [.. written.Where(l => l.Contains("dropped a ", StringComparison.Ordinal))];
        string log = string.Join("\n", written);
        Assert.True(drops.Any(l => l.Contains("from 127.0.0.3:", StringComparison.Ordinal) && l.Contains("LimitExceeded", StringComparison.Ordinal) && l.Contains("at offset", StringComparison.Ordinal)), log);
        Assert.True(written.Any(l => l.Contains("were not logged", StringComparison.Ordinal)), log);
        int limited = written.Count(l => l.Contains("dropped a ", StringComparison.Ordinal) || l.Contains("negotiation failed", StringComparison.Ordinal) || l.Contains("authentication failed", StringComparison.Ordinal));
        long seconds = (long)Math.Ceiling(burst.Elapsed.TotalSeconds) + 1;
        Assert.True(limited <= seconds * EngineHost.UnauthenticatedLogLimit, $"{limited} lines in {seconds} s:\n{log}");
        Assert.DoesNotContain(written, l => l.Contains("engine failed", StringComparison.Ordinal));
        Console.WriteLine($"hostile datagrams: {sent} sent ({octets} octets) in {burst.ElapsedMilliseconds} ms; rejected {rejected - rejectedBefore}; ESP drops {bobPlane.EspDrops - espDropsBefore}; " +
            $"{written.Length} log lines ({drops.Length} drop lines); heap {memoryBefore} -> {memoryAfter}; dropped: {reasons}");
    }
}
