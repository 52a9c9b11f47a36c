using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_CTR (RFC 3686 for ESP, RFC 5930 for IKEv2) with a 128-, 192- or 256-bit key. The key
/// material is the AES key followed by a 4-octet nonce (RFC 3686 §5.1); each packet carries an
/// 8-octet IV, and the counter block is nonce | IV | a 32-bit block counter that starts at 1
/// (RFC 3686 §4). A stream mode: no padding beyond what ESP or the SK payload need.
/// </summary>
public sealed class AesCtrCipher : IEncryptionAlgorithm
{
    internal const int NonceLength = 4;

    public AesCtrCipher(int keyBits)
    {
        if (keyBits is not (128 or 192 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(keyBits), keyBits, "AES keys are 128, 192 or 256 bits");
        }

        KeyBits = keyBits;
    }

    public EncryptionAlgorithm Id => EncryptionAlgorithm.AesCtr;

    public int KeyBits { get; }

    public int KeyMaterialLength => (KeyBits / 8) + NonceLength;

    public int IvLength => 8;

    public int BlockSize => 1;

    public bool IsAead => false;

    public int IcvLength => 0;

    public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial)
    {
        CipherArguments.CheckKeyMaterial(this, keyMaterial);
        return new Key(this, keyMaterial);
    }

    public override string ToString() => TransformKeywords.ToKeyword(Id, KeyBits);

    /// <summary>
    /// AES in ECB mode makes the keystream from counter blocks, a chunk at a time on the stack, so a
    /// packet costs a few BCL calls and no heap allocation of ours.
    /// </summary>
    private sealed class Key : ICipherKey
    {
        private const int Block = 16;
        private const int ChunkBlocks = 64;

        private readonly AesCtrCipher algorithm;
        private readonly Aes aes = Aes.Create();
        private readonly byte[] nonce;

        public Key(AesCtrCipher algorithm, ReadOnlySpan<byte> keyMaterial)
        {
            this.algorithm = algorithm;
            int keyLength = keyMaterial.Length - NonceLength;
            aes.SetKey(keyMaterial.Slice(0, keyLength));
            nonce = keyMaterial.Slice(keyLength).ToArray();
        }

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
        {
            CipherArguments.CheckEncrypt(algorithm, iv, plaintext, ciphertext, tag);
            Transform(iv, plaintext, ciphertext);
        }

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            if (!CipherArguments.DecryptLengthsValid(algorithm, iv, ciphertext, tag, plaintext))
            {
                return false;
            }

            Transform(iv, ciphertext, plaintext);
            return true;
        }

        /// <summary>output = input XOR AES(nonce | IV | counter), counter = 1, 2, ... (RFC 3686 §4).</summary>
        private void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
        {
            Span<byte> counterBlocks = stackalloc byte[ChunkBlocks * Block];
            Span<byte> keystream = stackalloc byte[ChunkBlocks * Block];
            for (int b = 0; b < ChunkBlocks; b++)
            {
                Span<byte> block = counterBlocks.Slice(b * Block, Block);
                nonce.CopyTo(block);
                iv.CopyTo(block.Slice(NonceLength));
            }

            uint counter = 1;
            try
            {
                for (int offset = 0; offset < input.Length; offset += ChunkBlocks * Block)
                {
                    int length = Math.Min(ChunkBlocks * Block, input.Length - offset);
                    int blocks = (length + Block - 1) / Block;
                    for (int b = 0; b < blocks; b++)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(counterBlocks.Slice((b * Block) + 12), counter++);
                    }

                    aes.EncryptEcb(counterBlocks.Slice(0, blocks * Block), keystream.Slice(0, blocks * Block), PaddingMode.None);
                    Xor(input.Slice(offset, length), keystream.Slice(0, length), output.Slice(offset, length));
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(keystream);
            }
        }

        private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= a.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    (new Vector<byte>(a.Slice(i)) ^ new Vector<byte>(b.Slice(i))).CopyTo(destination.Slice(i));
                }
            }

            for (; i < a.Length; i++)
            {
                destination[i] = (byte)(a[i] ^ b[i]);
            }
        }

        public void Dispose()
        {
            aes.Dispose();
            CryptographicOperations.ZeroMemory(nonce);
        }
    }
}
