using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_CTR (RFC 3686 for ESP, RFC 5930 for IKEv2) with a 128-, 192- or 256-bit key. The key
/// material is the AES key followed by a 4-octet nonce (RFC 3686 §5.1); each packet carries an
/// 8-octet IV, and the counter block is nonce | IV | a 32-bit block counter that starts at 1
/// (RFC 3686 §4). A stream mode: no padding beyond what ESP or the SK payload need.
/// </summary>
public sealed class AesCtrCipher(int keyBits)
    : AesEncryptionAlgorithm(EncryptionAlgorithm.AesCtr, keyBits, NonceLength, ivLength: 8, blockSize: 1, icvLength: 0)
{
    internal const int NonceLength = 4;

    private protected override ICipherKey CreateCheckedKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) => new Key(this, key, salt);

    /// <summary>One AES key per SA and direction; no allocation per packet; one thread at a time.</summary>
    private sealed class Key(AesCtrCipher algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce) : UnauthenticatedKey(algorithm)
    {
        private readonly AesBlockCipher aes = new(key, decrypts: false);
        private readonly byte[] nonce = nonce.ToArray();

        public override void Dispose()
        {
            aes.Dispose();
            CryptographicOperations.ZeroMemory(nonce);
        }

        /// <summary>Encryption and decryption alike: the input XOR AES(nonce | IV | 1, 2, ...) (RFC 3686 §4).</summary>
        protected override void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool encrypt)
        {
            Span<byte> counterBlock = stackalloc byte[AesBlockCipher.BlockSize];
            nonce.CopyTo(counterBlock);
            iv.CopyTo(counterBlock[NonceLength..]);
            counterBlock[^1] = 1;
            counterBlock[^4..^1].Clear();
            aes.Ctr(counterBlock, input, output);
        }
    }
}
