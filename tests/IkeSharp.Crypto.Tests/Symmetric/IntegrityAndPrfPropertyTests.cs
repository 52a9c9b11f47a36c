using CsCheck;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace IkeSharp.Crypto.Tests.Symmetric;

/// <summary>ICVs verify what they computed and nothing else; AES-CMAC and AES-CTR agree with BouncyCastle on random input.</summary>
public class IntegrityAndPrfPropertyTests
{
    public static TheoryData<IntegrityAlgorithm> IntegrityIds =>
        [.. AlgorithmRegistry.Default.IntegrityAlgorithms.Select(a => a.Id)];

    public static TheoryData<PseudorandomFunction> PrfIds =>
        [.. AlgorithmRegistry.Default.Prfs.Select(p => p.Id)];

    [Theory]
    [MemberData(nameof(IntegrityIds))]
    public void An_icv_verifies_its_own_data_and_fails_on_any_flipped_bit(IntegrityAlgorithm id)
    {
        IIntegrityAlgorithm a = AlgorithmRegistry.Default.Integrity(id)!;
        var gen = from key in Gen.Byte.Array[a.KeyLength]
                  from data in Gen.Byte.Array[0, 700]
                  from flip in Gen.Int[0, int.MaxValue]
                  select (key, data, flip);
        gen.Sample(input =>
        {
            using IIntegrityKey key = a.CreateKey(input.key);
            Assert.Equal(a.IcvLength, key.IcvLength);
            byte[] icv = new byte[a.IcvLength];
            key.Compute(input.data, icv);
            Assert.True(key.Verify(input.data, icv));

            byte[] badIcv = (byte[])icv.Clone();
            badIcv[input.flip % badIcv.Length] ^= (byte)(1 << (input.flip % 8));
            Assert.False(key.Verify(input.data, badIcv));
            Assert.False(key.Verify(input.data, icv.AsSpan(0, icv.Length - 1)));
            Assert.False(key.Verify(input.data, [.. icv, 0]));
            if (input.data.Length > 0)
            {
                byte[] badData = (byte[])input.data.Clone();
                badData[input.flip % badData.Length] ^= (byte)(1 << (input.flip % 8));
                Assert.False(key.Verify(badData, icv));
            }
        }, iter: 60, threads: 1);
    }

    [Theory]
    [MemberData(nameof(PrfIds))]
    public void A_prf_is_deterministic_and_takes_keys_of_any_length(PseudorandomFunction id)
    {
        IPrf prf = AlgorithmRegistry.Default.Prf(id)!;
        var gen = from key in Gen.Byte.Array[0, 200]
                  from data in Gen.Byte.Array[0, 300]
                  select (key, data);
        gen.Sample(input =>
        {
            byte[] a = new byte[prf.OutputLength];
            byte[] b = new byte[prf.OutputLength];
            prf.Compute(input.key, input.data, a);
            prf.Compute(input.key, input.data, b);
            Assert.Equal(a, b);
        }, iter: 40, threads: 1);
        Assert.Throws<ArgumentException>(() => prf.Compute([1], [2], new byte[prf.OutputLength + 1]));
    }

    [Fact]
    public void Aes_cmac_agrees_with_bouncycastle()
    {
        var gen = from key in Gen.Byte.Array[16]
                  from data in Gen.Byte.Array[0, 1100]
                  select (key, data);
        gen.Sample(input =>
        {
            var oracle = new CMac(new AesEngine());
            oracle.Init(new KeyParameter(input.key));
            oracle.BlockUpdate(input.data, 0, input.data.Length);
            byte[] expected = new byte[16];
            oracle.DoFinal(expected, 0);

            byte[] actual = new byte[16];
            AlgorithmRegistry.Default.Prf(PseudorandomFunction.Aes128Cmac)!.Compute(input.key, input.data, actual);
            Assert.Equal(expected, actual);
        }, iter: 100, threads: 1);
    }

    [Fact]
    public void Aes_ctr_agrees_with_bouncycastle()
    {
        var gen = from bits in Gen.Int[1, 3].Select(i => 64 + (64 * i))
                  from key in Gen.Byte.Array[bits / 8]
                  from nonce in Gen.Byte.Array[4]
                  from iv in Gen.Byte.Array[8]
                  from data in Gen.Byte.Array[0, 2000]
                  select (bits, key, nonce, iv, data);
        gen.Sample(input =>
        {
            // RFC 3686 §4: the first counter block is nonce | IV | 00000001.
            var oracle = new SicBlockCipher(new AesEngine());
            oracle.Init(true, new ParametersWithIV(new KeyParameter(input.key), [.. input.nonce, .. input.iv, 0, 0, 0, 1]));
            byte[] expected = new byte[input.data.Length];
            for (int offset = 0; offset < input.data.Length; offset += 16)
            {
                byte[] block = new byte[16];
                int n = Math.Min(16, input.data.Length - offset);
                input.data.AsSpan(offset, n).CopyTo(block);
                byte[] output = new byte[16];
                oracle.ProcessBlock(block, 0, output, 0);
                output.AsSpan(0, n).CopyTo(expected.AsSpan(offset));
            }

            IEncryptionAlgorithm ctr = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesCtr, input.bits)!;
            using ICipherKey key = ctr.CreateKey([.. input.key, .. input.nonce]);
            byte[] actual = new byte[input.data.Length];
            key.Encrypt(input.iv, input.data, actual, [], []);
            Assert.Equal(expected, actual);
        }, iter: 60, threads: 1);
    }
}
