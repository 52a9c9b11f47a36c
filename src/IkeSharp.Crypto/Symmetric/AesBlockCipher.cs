using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric;

/// <summary>
/// One AES key and the block-cipher modes that the non-AEAD transforms and the MACs are built
/// from: CBC (RFC 3602), CTR with a 32-bit big-endian block counter (RFC 3686 §4, RFC 4309 §4,
/// RFC 4106 §4) and the CBC-MAC (RFC 3566 §4, RFC 4493 §2.4, RFC 3610 §2.2).
/// </summary>
/// <remarks>
/// <para>
/// Why not the BCL's one-shot <c>Aes.EncryptCbc</c>/<c>EncryptEcb</c>: on .NET 10 each call makes a
/// fresh OpenSSL context, expands the key again and allocates 64 octets. Here the key is expanded
/// once into persistent <see cref="ICryptoTransform"/>s, whose <c>TransformBlock</c> is a plain
/// EVP_CipherUpdate on the kept context, and data goes through a scratch buffer that this object
/// owns (the transforms take arrays, not spans). After construction no call allocates.
/// </para>
/// <para>
/// Not safe for concurrent use: the scratch buffer and the CBC chaining state are per instance.
/// IkeSharp keys one instance per SA and direction and uses it from one thread at a time (ESP's
/// <c>EspOutboundSa</c> and <c>EspInboundSa</c> promise no more). Disposing zeroes the scratch and
/// frees the OpenSSL contexts, which cleanse their key schedules.
/// </para>
/// </remarks>
internal sealed class AesBlockCipher : IDisposable
{
    public const int BlockSize = 16;

    /// <summary>128 blocks, 2 KiB: a full-sized ESP packet in one native call.</summary>
    public const int PacketScratchBlocks = 128;

    private readonly ICryptoTransform ecbEncryptor;
    private readonly ICryptoTransform cbcEncryptor;
    private readonly ICryptoTransform? ecbDecryptor;
    private readonly byte[] scratch;

    // The CBC transform chains across calls (it is never reset: a reset would mean
    // TransformFinalBlock, which allocates). This is the last block it wrote, so the state it
    // will XOR into the next block it is given.
    private readonly byte[] chain = new byte[BlockSize];
    private bool disposed;

    /// <param name="key">16, 24 or 32 octets.</param>
    /// <param name="decrypts">True to also keep an AES decryption context (only CBC decryption needs one).</param>
    /// <param name="scratchBlocks">Blocks handed to OpenSSL per call; longer input goes in several calls.</param>
    public AesBlockCipher(ReadOnlySpan<byte> key, bool decrypts, int scratchBlocks = PacketScratchBlocks)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"AES keys are 16, 24 or 32 octets; {key.Length} given", nameof(key));
        }

        scratch = new byte[scratchBlocks * BlockSize];

        // CreateEncryptor(key, iv) takes our own copy of the key, which we zero; the parameterless
        // overload would read Aes.Key, a copy the GC keeps and nobody clears.
        byte[] keyCopy = key.ToArray();
        try
        {
            using Aes aes = Aes.Create();
            aes.Padding = PaddingMode.None;
            aes.Mode = CipherMode.CBC;
            cbcEncryptor = aes.CreateEncryptor(keyCopy, new byte[BlockSize]);
            aes.Mode = CipherMode.ECB;
            ecbEncryptor = aes.CreateEncryptor(keyCopy, null);
            ecbDecryptor = decrypts ? aes.CreateDecryptor(keyCopy, null) : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }
    }

    /// <summary>
    /// CBC encryption of whole blocks under <paramref name="iv"/> (NIST SP 800-38A §6.2). With an
    /// empty <paramref name="output"/> the ciphertext is dropped, which is the CBC-MAC's use.
    /// <paramref name="output"/> may be <paramref name="input"/> itself.
    /// </summary>
    public void EncryptCbc(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckBlocks(input, output, allowNoOutput: true);
        for (int offset = 0; offset < input.Length; offset += scratch.Length)
        {
            int length = Math.Min(scratch.Length, input.Length - offset);
            input.Slice(offset, length).CopyTo(scratch);
            if (offset == 0)
            {
                // The transform computes AES(X1 ^ chain); X1 = P1 ^ IV ^ chain makes that AES(P1 ^ IV),
                // CBC under this packet's IV. Later chunks continue the chain as CBC wants.
                Xor(scratch.AsSpan(0, BlockSize), iv, chain, scratch.AsSpan(0, BlockSize));
            }

            cbcEncryptor.TransformBlock(scratch, 0, length, scratch, 0);
            scratch.AsSpan(length - BlockSize, BlockSize).CopyTo(chain);
            if (!output.IsEmpty)
            {
                scratch.AsSpan(0, length).CopyTo(output.Slice(offset));
            }
        }

        ClearScratch(input.Length);
    }

    /// <summary>
    /// CBC decryption (NIST SP 800-38A §6.2): P_i = AES⁻¹(C_i) ^ C_(i-1), C_0 = IV, so all blocks
    /// are decrypted in one ECB call and then XORed with the ciphertext shifted by one block.
    /// <paramref name="output"/> may be <paramref name="input"/> itself.
    /// </summary>
    public void DecryptCbc(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckBlocks(input, output, allowNoOutput: false);
        if (ecbDecryptor is null)
        {
            throw new InvalidOperationException("this AES key was made for encryption only");
        }

        Span<byte> previous = stackalloc byte[BlockSize];
        Span<byte> first = stackalloc byte[BlockSize];
        iv.CopyTo(previous);
        for (int offset = 0; offset < input.Length; offset += scratch.Length)
        {
            int length = Math.Min(scratch.Length, input.Length - offset);
            ReadOnlySpan<byte> chunk = input.Slice(offset, length);
            Span<byte> plain = output.Slice(offset, length);
            chunk.CopyTo(scratch);
            ecbDecryptor.TransformBlock(scratch, 0, length, scratch, 0);

            // Everything read from the input before anything is written to the output, which may
            // be the same memory: the first block's predecessor, the next chunk's one; then the
            // other blocks from the last down, so no block overwrites a predecessor still needed.
            Xor(scratch.AsSpan(0, BlockSize), previous, first);
            chunk.Slice(length - BlockSize, BlockSize).CopyTo(previous);
            for (int b = length - BlockSize; b > 0; b -= BlockSize)
            {
                Xor(scratch.AsSpan(b, BlockSize), chunk.Slice(b - BlockSize, BlockSize), plain.Slice(b, BlockSize));
            }

            first.CopyTo(plain);
        }

        CryptographicOperations.ZeroMemory(first);
        ClearScratch(input.Length);
    }

    /// <summary>
    /// Continues a CBC-MAC over whole blocks: <paramref name="state"/> is the MAC so far (zero to
    /// start) and becomes the MAC including <paramref name="blocks"/>.
    /// </summary>
    public void CbcMac(ReadOnlySpan<byte> blocks, Span<byte> state)
    {
        if (blocks.IsEmpty)
        {
            return;
        }

        EncryptCbc(state, blocks, Span<byte>.Empty);
        chain.CopyTo(state);
    }

    /// <summary>
    /// The CBC-MAC over <paramref name="data"/> with its last partial block padded with zero
    /// octets, the padding of the CCM CBC-MAC (RFC 3610 §2.2).
    /// </summary>
    public void CbcMacZeroPadded(ReadOnlySpan<byte> data, Span<byte> state)
    {
        int whole = data.Length / BlockSize * BlockSize;
        CbcMac(data[..whole], state);
        if (whole < data.Length)
        {
            Span<byte> last = stackalloc byte[BlockSize];
            last.Clear();
            data[whole..].CopyTo(last);
            CbcMac(last, state);
            CryptographicOperations.ZeroMemory(last);
        }
    }

    /// <summary>
    /// Counter mode (NIST SP 800-38A §6.5): output = input ^ AES(T_1) ^ ..., where T_1 is
    /// <paramref name="counterBlock"/> and each next block adds one to its last four octets, a
    /// big-endian counter (RFC 3686 §4; the CCM and GCM counters of RFC 3610 §2.3 and
    /// NIST SP 800-38D §6.2 alike). Any length; <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    public void Ctr(ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (counterBlock.Length != BlockSize || output.Length != input.Length)
        {
            throw new ArgumentException("CTR takes a 16-octet counter block and an output as long as the input");
        }

        uint counter = BinaryPrimitives.ReadUInt32BigEndian(counterBlock[12..]);
        int used = 0;
        for (int offset = 0; offset < input.Length; offset += scratch.Length)
        {
            int length = Math.Min(scratch.Length, input.Length - offset);
            int blocks = (length + BlockSize - 1) / BlockSize;
            for (int b = 0; b < blocks; b++)
            {
                Span<byte> block = scratch.AsSpan(b * BlockSize, BlockSize);
                counterBlock[..12].CopyTo(block);
                BinaryPrimitives.WriteUInt32BigEndian(block[12..], counter++);
            }

            used = Math.Max(used, blocks * BlockSize);
            ecbEncryptor.TransformBlock(scratch, 0, blocks * BlockSize, scratch, 0);
            Xor(input.Slice(offset, length), scratch.AsSpan(0, length), output.Slice(offset, length));
        }

        // The keystream is as secret as the plaintext it hides.
        ClearScratch(used);
    }

    /// <summary>AES on each block alone (ECB), for deriving subkeys; at most the scratch's length.</summary>
    public void EncryptBlocks(ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckBlocks(input, output, allowNoOutput: false);
        if (input.Length > scratch.Length)
        {
            throw new ArgumentException("too many blocks for one call", nameof(input));
        }

        input.CopyTo(scratch);
        ecbEncryptor.TransformBlock(scratch, 0, input.Length, scratch, 0);
        scratch.AsSpan(0, input.Length).CopyTo(output);
        ClearScratch(input.Length);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        cbcEncryptor.Dispose();
        ecbEncryptor.Dispose();
        ecbDecryptor?.Dispose();
        CryptographicOperations.ZeroMemory(scratch);
        CryptographicOperations.ZeroMemory(chain);
    }

    /// <summary>destination = a ^ b, any length; destination may be a or b.</summary>
    public static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                (new Vector<byte>(a[i..]) ^ new Vector<byte>(b[i..])).CopyTo(destination[i..]);
            }
        }

        for (; i < a.Length; i++)
        {
            destination[i] = (byte)(a[i] ^ b[i]);
        }
    }

    /// <summary>destination = a ^ b ^ c for one block.</summary>
    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> destination) =>
        (Vector128.Create(a) ^ Vector128.Create(b) ^ Vector128.Create(c)).CopyTo(destination);

    private void CheckBlocks(ReadOnlySpan<byte> input, Span<byte> output, bool allowNoOutput)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (input.Length % BlockSize != 0)
        {
            throw new ArgumentException($"AES here takes whole {BlockSize}-octet blocks; {input.Length} octets given", nameof(input));
        }

        if (output.Length != input.Length && !(allowNoOutput && output.IsEmpty))
        {
            throw new ArgumentException($"output of {output.Length} octets for {input.Length} octets of input", nameof(output));
        }
    }

    private void ClearScratch(int length) => CryptographicOperations.ZeroMemory(scratch.AsSpan(0, Math.Min(length, scratch.Length)));
}
