namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_CBC (RFC 3602) with a 128-, 192- or 256-bit key, for the SK payload (RFC 7296 §3.14)
/// and ESP. The IV is a full 16-octet block carried in the packet (RFC 3602 §2.1) and must be
/// unpredictable; the plaintext is padded to whole blocks by the caller (RFC 3602 §2.4). No ICV of
/// its own: an integrity transform goes with it.
/// </summary>
public sealed class AesCbcCipher(int keyBits)
    : AesEncryptionAlgorithm(EncryptionAlgorithm.AesCbc, keyBits, saltLength: 0, ivLength: AesBlockCipher.BlockSize, blockSize: AesBlockCipher.BlockSize, icvLength: 0)
{
    private protected override ICipherKey CreateCheckedKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) => new Key(this, key);

    /// <summary>One AES key per SA and direction; no allocation per packet; one thread at a time.</summary>
    private sealed class Key(AesCbcCipher algorithm, ReadOnlySpan<byte> key) : UnauthenticatedKey(algorithm)
    {
        private readonly AesBlockCipher aes = new(key, decrypts: true);

        public override void Dispose() => aes.Dispose();

        protected override void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool encrypt)
        {
            if (encrypt)
            {
                aes.EncryptCbc(iv, input, output);
            }
            else
            {
                aes.DecryptCbc(iv, input, output);
            }
        }
    }
}
