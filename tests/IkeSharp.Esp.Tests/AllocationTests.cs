namespace IkeSharp.Esp.Tests;

/// <summary>
/// The data plane allocates nothing per packet once warm (DESIGN.md), over 10,000 Seal + Open of
/// 1400-octet packets through the SA table, for every representative suite: the keyed primitives
/// of IkeSharp.Crypto allocate nothing per call either (AES-CBC, AES-CTR, AES-CCM and AES-XCBC keep
/// their OpenSSL contexts and scratch in the key object).
/// </summary>
public class AllocationTests
{
    private const int Warmup = 200;
    private const int Rounds = 10_000;

    public static TheoryData<string, bool> AllSuites => Suites(_ => true);

    private static IEnumerable<EspSuite> Candidates() =>
        EspSuite.Representative().Append(new EspSuite(AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.Null, 0)!, AlgorithmRegistry.Default.Integrity(IntegrityAlgorithm.HmacSha2_256_128)));

    private static TheoryData<string, bool> Suites(Func<EspSuite, bool> which)
    {
        var data = new TheoryData<string, bool>();
        foreach (EspSuite s in Candidates().Where(which))
        {
            data.Add(s.ToString(), false);
            data.Add(s.ToString(), true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllSuites))]
    public void Ten_thousand_seal_and_open_of_1400_octets_allocate_nothing(string name, bool esn) =>
        Assert.Equal(0, SealAndOpenAllocations(name, esn));

    private static EspSuite Find(string name) => Candidates().Single(s => s.ToString() == name);

    private static long SealAndOpenAllocations(string name, bool esn)
    {
        EspSuite suite = Find(name);
        (EspOutboundSa outbound, EspInboundSa inbound) = suite.Pair(0xABCDEF01, esn, window: 64);
        using (outbound)
        using (inbound)
        {
            byte[] inner = EspSuite.RandomBytes(1400, 1);
            byte[] packet = new byte[outbound.SealedLength(inner.Length)];
            byte[] opened = new byte[packet.Length];
            var table = new EspSaTable();
            Assert.True(table.TryAdd(inbound));

            void Once()
            {
                int n = outbound.Seal(inner, EspNextHeader.IPv4, packet);
                EspOpenResult r = table.Open(packet.AsSpan(0, n), opened);
                if (r.Status != EspOpenStatus.Ok || r.Length != inner.Length)
                {
                    Assert.Fail($"open failed: {r.Status}");
                }
            }

            for (int i = 0; i < Warmup; i++)
            {
                Once();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Rounds; i++)
            {
                Once();
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(Warmup + Rounds, inbound.Packets);
            Assert.Equal(inner, opened.AsSpan(0, inner.Length).ToArray());
            return allocated;
        }
    }
}
