namespace IkeSharp.Esp.Tests;

/// <summary>The inbound SAD: lookup by SPI, add and remove, concurrent readers.</summary>
public class EspSaTableTests
{
    [Fact]
    public void Packets_go_to_the_sa_of_their_spi()
    {
        StrongSwanCapture capture = StrongSwanCapture.Load("aes256_sha256_modp2048");
        var table = new EspSaTable();
        var sas = capture.Sas.Select(sa => new EspInboundSa(sa.Spi, sa.Encryption, sa.EncryptionKey, sa.Integrity, sa.IntegrityKey, false)).ToList();
        foreach (EspInboundSa sa in sas)
        {
            Assert.True(table.TryAdd(sa));
        }

        Assert.False(table.TryAdd(sas[0]));
        Assert.Equal(2, table.Count);
        byte[] inner = new byte[200];
        foreach (CapturedFrame f in capture.Frames)
        {
            EspOpenResult r = table.Open(f.Esp, inner);
            Assert.Equal(EspOpenStatus.Ok, r.Status);
        }

        Assert.All(sas, sa => Assert.Equal(5, sa.Packets));

        Assert.True(table.TryRemove(sas[0].Spi, out EspInboundSa? removed));
        Assert.Same(sas[0], removed);
        Assert.False(table.TryGet(sas[0].Spi, out _));
        EspOpenResult unknown = table.Open(capture.Frames[0].Esp, inner);
        Assert.Equal(EspOpenStatus.UnknownSpi, unknown.Status);
        Assert.Equal(sas[0].Spi, unknown.Spi);
        Assert.Equal(EspOpenStatus.TooShort, table.Open([1, 2, 3], inner).Status);
        Assert.True(table.TryGet(sas[1].Spi, out EspInboundSa? kept));
        Assert.Same(sas[1], kept);
        sas.ForEach(sa => sa.Dispose());
    }

    [Fact]
    public async Task Readers_on_other_threads_see_adds_and_removes_without_errors()
    {
        var table = new EspSaTable();
        IEncryptionAlgorithm gcm = AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.AesGcm16, 128)!;
        using var stop = new CancellationTokenSource();
        CancellationToken token = stop.Token;
        long lookups = 0;
        Task[] readers = Enumerable.Range(0, 3).Select(t => Task.Run(() =>
        {
            while (!token.IsCancellationRequested)
            {
                for (uint spi = 1000; spi < 1100; spi++)
                {
                    if (table.TryGet(spi, out EspInboundSa? sa))
                    {
                        Assert.Equal(spi, sa.Spi);
                    }

                    Interlocked.Increment(ref lookups);
                }
            }
        })).ToArray();

        SpinWait.SpinUntil(() => Interlocked.Read(ref lookups) > 0, TimeSpan.FromSeconds(10));
        var live = new List<EspInboundSa>();
        for (int round = 0; round < 2000; round++)
        {
            uint spi = 1000 + (uint)(round % 100);
            if (table.TryRemove(spi, out EspInboundSa? old))
            {
                live.Remove(old);
                old.Dispose();
            }

            var sa = new EspInboundSa(spi, gcm, new byte[20], null, [], false, 64);
            Assert.True(table.TryAdd(sa));
            live.Add(sa);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(100, table.Count);
        Assert.True(Interlocked.Read(ref lookups) > 0);
        live.ForEach(sa => sa.Dispose());
    }
}
