using IkeSharp.Core.Engine;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>
/// ESP an attacker on the path can send (issue 7 §4): a replayed packet, a truncated one, one with a
/// flipped bit, one for an unknown SPI. Each is dropped and counted; the tunnel keeps working.
/// </summary>
public class HostileEspTests
{
    /// <summary>Passes ESP on to the host and keeps a copy of each packet sent one at a time.</summary>
    private sealed class Recording(IEspTransport inner) : IEspTransport
    {
        public List<byte[]> Sent { get; } = [];

        public bool SendUdp(IPEndPoint local, SocketAddress remote, ReadOnlySpan<byte> esp)
        {
            lock (Sent)
            {
                Sent.Add(esp.ToArray());
            }

            return inner.SendUdp(local, remote, esp);
        }

        public int SendUdp(IPEndPoint local, Daemon.Transport.DatagramBatch batch) => inner.SendUdp(local, batch);

        public bool SendRaw(SocketAddress remote, ReadOnlySpan<byte> esp) => inner.SendRaw(remote, esp);
    }

    [Fact]
    public async Task Replayed_truncated_modified_and_unknown_esp_is_dropped_and_the_tunnel_keeps_working()
    {
        var bobInner = new UserspaceDataPlaneTests.QueueInterface();
        Recording? wire = null;
        UserspaceDataPlane? alicePlane = null;
        UserspaceDataPlane? bobPlane = null;
        await using LoopbackPair p = LoopbackPair.Start(21780,
            aliceTweak: c => c with { Encap = true },
            aliceDataPlane: host => alicePlane = new UserspaceDataPlane(new UserspaceDataPlaneTests.QueueInterface(), wire = new Recording(host), new Crypto.SystemRandom(), NullLogger.Instance),
            bobDataPlane: host => bobPlane = new UserspaceDataPlane(bobInner, host, new Crypto.SystemRandom(), NullLogger.Instance));
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);

        Assert.True(alicePlane!.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 64, 1)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 1));
        byte[] genuine = wire!.Sent.Single();
        ChildSaInstalled bobSa = p.BobEvents.OfType<ChildSaInstalled>().Single();
        var from = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 21781).Serialize();
        long dropsBefore = bobPlane!.EspDrops;

        // RFC 4303 §3.4.3: a sequence number already seen is discarded.
        bobPlane.HandleEsp(genuine, bobSa.Local, from);

        // §3.4.4: a changed octet fails the ICV; so does a packet cut short.
        byte[] flipped = (byte[])genuine.Clone();
        flipped[^20] ^= 0x01;
        bobPlane.HandleEsp(flipped, bobSa.Local, from);
        bobPlane.HandleEsp(genuine.AsSpan(0, genuine.Length - 7), bobSa.Local, from);
        bobPlane.HandleEsp(genuine.AsSpan(0, 6), bobSa.Local, from);

        // §3.4.2: an SPI we do not have.
        byte[] stranger = (byte[])genuine.Clone();
        stranger[0] ^= 0xFF;
        bobPlane.HandleEsp(stranger, bobSa.Local, from);

        Assert.Equal(dropsBefore + 5, bobPlane.EspDrops);
        Assert.Single(bobInner.Delivered);

        // The SA is unharmed: the next genuine packet goes through.
        Assert.True(alicePlane.SendInner(UserspaceDataPlaneTests.Udp4("10.1.0.5", "10.2.0.7", 64, 2)));
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(bobInner.Delivered.Count == 2));
        Assert.Single(await p.Bob.StatusRowsAsync());
    }
}
