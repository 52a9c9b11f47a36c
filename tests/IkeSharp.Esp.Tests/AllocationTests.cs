namespace IkeSharp.Esp.Tests;

/// <summary>
/// The data plane allocates nothing per packet once warm (DESIGN.md), over 10,000 Seal + Open of
/// 1400-octet packets through the SA table. Where the keyed primitives of IkeSharp.Crypto allocate
/// inside the BCL (AES-CBC/ECB one-shots 64 B a call, AES-CCM 32 B, AES-XCBC 192 B on .NET 10 Linux),
/// ESP must add nothing to what the same primitive calls allocate on their own.
/// </summary>
public class AllocationTests
{
    private const int Warmup = 200;
    private const int Rounds = 10_000;

    public static TheoryData<string, bool> AllocationFreeSuites => Suites(s => s.Encryption.Id is EncryptionAlgorithm.AesGcm16 or EncryptionAlgorithm.Chacha20Poly1305 || s.ToString() == "null-sha256");

    public static TheoryData<string, bool> OtherSuites => Suites(s => s.Encryption.Id is EncryptionAlgorithm.AesCcm12 or EncryptionAlgorithm.AesCbc or EncryptionAlgorithm.AesCtr || s.ToString() == "null-aesxcbc");

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
    [MemberData(nameof(AllocationFreeSuites))]
    public void Ten_thousand_seal_and_open_of_1400_octets_allocate_nothing(string name, bool esn) =>
        Assert.Equal(0, SealAndOpenAllocations(name, esn));

    [Theory]
    [MemberData(nameof(OtherSuites))]
    public void Esp_adds_no_allocation_to_what_the_crypto_primitives_allocate(string name, bool esn)
    {
        long esp = SealAndOpenAllocations(name, esn);
        long primitives = PrimitiveAllocations(name);
        Assert.True(primitives > 0, "these primitives were expected to allocate; move the suite to the zero list");

        // Equal up to runtime bookkeeping (JIT tiering, pools) of some kilobytes per run on either side;
        // the smallest object is 24 octets, so any per-packet allocation would show as 240,000 over
        // 10,000 packets, ten times the tolerance.
        Assert.InRange(esp - primitives, -Rounds * 2, Rounds * 2);
    }

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

    /// <summary>The same encrypt, decrypt, ICV compute and verify calls ESP makes for a 1400-octet packet, on their own.</summary>
    private static long PrimitiveAllocations(string name)
    {
        EspSuite suite = Find(name);
        IEncryptionAlgorithm e = suite.Encryption;
        using ICipherKey cipher = e.CreateKey(new byte[e.KeyMaterialLength]);
        using IIntegrityKey? integrity = suite.Integrity?.CreateKey(new byte[suite.Integrity.KeyLength]);
        int alignment = Math.Max(4, e.BlockSize);
        int ciphertextLength = (1400 + 2 + alignment - 1) / alignment * alignment;
        byte[] plaintext = new byte[ciphertextLength];
        byte[] ciphertext = new byte[ciphertextLength];
        byte[] authenticated = new byte[8 + e.IvLength + ciphertextLength];
        byte[] iv = new byte[e.IvLength];
        byte[] tag = new byte[e.IcvLength];
        byte[] icv = new byte[integrity?.IcvLength ?? 0];

        void Once()
        {
            cipher.Encrypt(iv, plaintext, ciphertext, tag, default);
            integrity?.Compute(authenticated, icv);
            integrity?.Verify(authenticated, icv);
            if (!cipher.Decrypt(iv, ciphertext, tag, plaintext, default))
            {
                Assert.Fail("baseline decrypt failed");
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

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
