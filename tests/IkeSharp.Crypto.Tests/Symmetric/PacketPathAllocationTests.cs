namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>
/// Every ESP algorithm (each cipher and key size of the registry plus ENCR_NULL, each integrity
/// transform) seals and opens a 1400-octet packet without allocating once its key is made: the
/// bytes this thread allocates over many calls after a warm-up are zero.
/// </summary>
public class PacketPathAllocationTests
{
    private const int Warmup = 20;
    private const int Rounds = 500;
    private const int PacketLength = 1400;

    public static TheoryData<string> Ciphers
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (IEncryptionAlgorithm a in EspCiphers())
            {
                data.Add(a.ToString()!);
            }

            return data;
        }
    }

    public static TheoryData<string> Integrity
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (IIntegrityAlgorithm a in AlgorithmRegistry.Default.IntegrityAlgorithms)
            {
                data.Add(a.ToString()!);
            }

            return data;
        }
    }

    private static IEnumerable<IEncryptionAlgorithm> EspCiphers() =>
        AlgorithmRegistry.Default.EncryptionAlgorithms.Append(AlgorithmRegistry.Default.EspEncryption(EncryptionAlgorithm.Null, 0)!);

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Encrypt_and_decrypt_allocate_nothing_once_keyed(string name)
    {
        IEncryptionAlgorithm a = EspCiphers().Single(c => c.ToString() == name);
        byte[] keyMaterial = new byte[a.KeyMaterialLength];
        Random.Shared.NextBytes(keyMaterial);
        using ICipherKey key = a.CreateKey(keyMaterial);
        int length = (PacketLength + a.BlockSize - 1) / a.BlockSize * a.BlockSize;
        byte[] plaintext = new byte[length];
        Random.Shared.NextBytes(plaintext);
        byte[] ciphertext = new byte[length];
        byte[] opened = new byte[length];
        byte[] iv = new byte[a.IvLength];
        byte[] aad = new byte[8];
        byte[] tag = new byte[a.IcvLength];

        void Once(int i)
        {
            iv.AsSpan().Fill((byte)i);
            key.Encrypt(iv, plaintext, ciphertext, tag, aad);
            if (!key.Decrypt(iv, ciphertext, tag, opened, aad))
            {
                Assert.Fail("a packet this key sealed did not open");
            }
        }

        Assert.Equal(0, AllocatedBy(Once));
        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [MemberData(nameof(Integrity))]
    public void Icv_compute_and_verify_allocate_nothing_once_keyed(string name)
    {
        IIntegrityAlgorithm a = AlgorithmRegistry.Default.IntegrityAlgorithms.Single(i => i.ToString() == name);
        byte[] keyBytes = new byte[a.KeyLength];
        Random.Shared.NextBytes(keyBytes);
        using IIntegrityKey key = a.CreateKey(keyBytes);
        byte[] packet = new byte[PacketLength + 24];
        Random.Shared.NextBytes(packet);
        byte[] icv = new byte[a.IcvLength];

        void Once(int i)
        {
            packet[0] = (byte)i;
            key.Compute(packet, icv);
            if (!key.Verify(packet, icv))
            {
                Assert.Fail("an ICV this key computed did not verify");
            }
        }

        Assert.Equal(0, AllocatedBy(Once));

        // The check is real: a changed octet fails.
        packet[^1] ^= 1;
        Assert.False(key.Verify(packet, icv));
    }

    private static long AllocatedBy(Action<int> once)
    {
        for (int i = 0; i < Warmup; i++)
        {
            once(i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            once(i);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
