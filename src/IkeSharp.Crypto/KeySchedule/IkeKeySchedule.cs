using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeySchedule;

/// <summary>
/// The IKEv2 key schedule: SKEYSEED and SK_* for a new IKE SA (RFC 7296 §2.14), for a rekeyed
/// IKE SA (§2.18), and Child SA KEYMAT with and without a PFS key exchange (§2.17).
/// </summary>
public static class IkeKeySchedule
{
    /// <summary>
    /// SKEYSEED = prf(Ni | Nr, g^ir). A PRF with a fixed key size (AES-XCBC-PRF-128, AES-CMAC-PRF-128)
    /// is keyed with the first half of its key from Ni and the second from Nr (§2.14).
    /// </summary>
    public static SecretBytes Skeyseed(IPrf prf, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ReadOnlySpan<byte> sharedSecret)
    {
        byte[] key = NonceKey(prf, ni, nr);
        var skeyseed = new SecretBytes(prf.OutputLength);
        prf.Compute(key, sharedSecret, skeyseed.Span);
        CryptographicOperations.ZeroMemory(key);
        return skeyseed;
    }

    /// <summary>SKEYSEED of an IKE SA made by rekeying: prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18).</summary>
    public static SecretBytes RekeyedSkeyseed(IPrf oldPrf, ReadOnlySpan<byte> oldSkD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr)
    {
        byte[] data = Concat(sharedSecret, ni, nr);
        var skeyseed = new SecretBytes(oldPrf.OutputLength);
        oldPrf.Compute(oldSkD, data, skeyseed.Span);
        CryptographicOperations.ZeroMemory(data);
        return skeyseed;
    }

    /// <summary>
    /// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
    /// SK_d, SK_pi and SK_pr take the PRF's preferred key length; SK_a* the integrity key length
    /// (none with an AEAD cipher); SK_e* the cipher's key material, salt included (RFC 5282 §7.1).
    /// </summary>
    public static IkeSaKeys DeriveIkeSaKeys(IPrf prf, IEncryptionAlgorithm encryption, IIntegrityAlgorithm? integrity,
        ReadOnlySpan<byte> skeyseed, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ulong spiI, ulong spiR)
    {
        int prfKey = prf.KeyLength;
        int integKey = encryption.IsAead ? 0 : integrity?.KeyLength ?? throw new ArgumentException($"{encryption.Id.ToIanaName()} is not AEAD and needs an integrity algorithm", nameof(integrity));
        int encKey = encryption.KeyMaterialLength;
        int total = (3 * prfKey) + (2 * integKey) + (2 * encKey);

        byte[] seed = new byte[ni.Length + nr.Length + 16];
        ni.CopyTo(seed);
        nr.CopyTo(seed.AsSpan(ni.Length));
        BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(ni.Length + nr.Length), spiI);
        BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(ni.Length + nr.Length + 8), spiR);

        byte[] keymat = new byte[total];
        try
        {
            PrfPlus.Expand(prf, skeyseed, seed, keymat);
            var take = new KeymatReader(keymat);
            return new IkeSaKeys(take.Next(prfKey), take.Next(integKey), take.Next(integKey), take.Next(encKey), take.Next(encKey), take.Next(prfKey), take.Next(prfKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keymat);
        }
    }

    /// <summary>
    /// Child SA keys: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), taken as encryption then integrity
    /// key for initiator→responder, then the same for responder→initiator (§2.17).
    /// </summary>
    public static ChildSaKeys DeriveChildSaKeys(IPrf prf, ReadOnlySpan<byte> skD, int encryptionKeyLength, int integrityKeyLength,
        ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ReadOnlySpan<byte> pfsSharedSecret = default)
    {
        byte[] seed = Concat(pfsSharedSecret, ni, nr);
        byte[] keymat = new byte[2 * (encryptionKeyLength + integrityKeyLength)];
        try
        {
            PrfPlus.Expand(prf, skD, seed, keymat);
            var take = new KeymatReader(keymat);
            return new ChildSaKeys(take.Next(encryptionKeyLength), take.Next(integrityKeyLength), take.Next(encryptionKeyLength), take.Next(integrityKeyLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(keymat);
        }
    }

    private static byte[] NonceKey(IPrf prf, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr)
    {
        if (prf.Id is PseudorandomFunction.Aes128Xcbc or PseudorandomFunction.Aes128Cmac)
        {
            int half = prf.KeyLength / 2;
            if (ni.Length < half || nr.Length < half)
            {
                throw new ArgumentException($"{prf.Id.ToIanaName()} needs nonces of at least {half} octets");
            }

            return Concat(ni.Slice(0, half), nr.Slice(0, half), default);
        }

        return Concat(ni, nr, default);
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        byte[] result = new byte[a.Length + b.Length + c.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        c.CopyTo(result.AsSpan(a.Length + b.Length));
        return result;
    }

    /// <summary>Cuts prf+ output into keys in order (RFC 7296 §2.14, §2.17).</summary>
    private sealed class KeymatReader(byte[] keymat)
    {
        private int position;

        public SecretBytes Next(int length)
        {
            var key = new SecretBytes(keymat.AsSpan(position, length));
            position += length;
            return key;
        }
    }
}
