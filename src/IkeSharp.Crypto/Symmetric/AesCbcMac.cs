using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric;

/// <summary>
/// The CBC-MAC with a final-block subkey that AES-XCBC-MAC (RFC 3566 §4) and AES-CMAC
/// (RFC 4493 §2.4) share: CBC over every block but the last; the last block, if complete, is
/// XORed with one subkey, and otherwise padded with 0x80 0x00... and XORed with the other; one more
/// AES encryption gives the 16-octet MAC. Only the subkeys differ (<see cref="ForXcbc"/>,
/// <see cref="ForCmac"/>). One instance per key; after it is made, <see cref="Compute"/>
/// allocates nothing; not for concurrent use (see <see cref="AesBlockCipher"/>).
/// </summary>
internal sealed class AesCbcMac : IDisposable
{
    public const int BlockSize = AesBlockCipher.BlockSize;

    private readonly AesBlockCipher aes;

    // Subkey for a complete last block, then the one for a padded last block.
    private readonly byte[] subkeys;

    private AesCbcMac(AesBlockCipher aes, byte[] subkeys)
    {
        this.aes = aes;
        this.subkeys = subkeys;
    }

    /// <summary>
    /// RFC 3566 §4: K1 = AES(K, 0x01..), K2 = AES(K, 0x02..), K3 = AES(K, 0x03..); the CBC runs
    /// under K1, a complete last block takes K2 and a padded one K3.
    /// </summary>
    /// <param name="key">The 16-octet key.</param>
    /// <param name="scratchBlocks">Blocks per native call: packet-sized for a per-SA key, small for a one-off.</param>
    public static AesCbcMac ForXcbc(ReadOnlySpan<byte> key, int scratchBlocks = AesBlockCipher.PacketScratchBlocks)
    {
        CheckKey(key);
        Span<byte> derived = stackalloc byte[3 * BlockSize];
        for (int i = 0; i < 3; i++)
        {
            derived.Slice(i * BlockSize, BlockSize).Fill((byte)(i + 1));
        }

        try
        {
            using (var k = new AesBlockCipher(key, decrypts: false, scratchBlocks: 3))
            {
                k.EncryptBlocks(derived, derived);
            }

            return new AesCbcMac(new AesBlockCipher(derived[..BlockSize], decrypts: false, scratchBlocks), derived[BlockSize..].ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>
    /// RFC 4493 §2.3: L = AES(K, 0); K1 = L doubled in GF(2^128), K2 = K1 doubled; the CBC runs
    /// under K itself, a complete last block takes K1 and a padded one K2.
    /// </summary>
    /// <param name="key">The 16-octet key.</param>
    /// <param name="scratchBlocks">Blocks per native call: packet-sized for a per-SA key, small for a one-off.</param>
    public static AesCbcMac ForCmac(ReadOnlySpan<byte> key, int scratchBlocks = AesBlockCipher.PacketScratchBlocks)
    {
        CheckKey(key);
        var aes = new AesBlockCipher(key, decrypts: false, scratchBlocks);
        Span<byte> l = stackalloc byte[BlockSize];
        l.Clear();
        byte[] subkeys = new byte[2 * BlockSize];
        try
        {
            aes.EncryptBlocks(l, l);
            Double(l, subkeys.AsSpan(0, BlockSize));
            Double(subkeys.AsSpan(0, BlockSize), subkeys.AsSpan(BlockSize, BlockSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(l);
        }

        return new AesCbcMac(aes, subkeys);
    }

    /// <summary>The full 16-octet MAC of <paramref name="message"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> mac)
    {
        if (mac.Length != BlockSize)
        {
            throw new ArgumentException($"the MAC is {BlockSize} octets; the buffer has {mac.Length}", nameof(mac));
        }

        Span<byte> last = stackalloc byte[BlockSize];
        try
        {
            // Every block except the last goes through plain CBC with the running state as IV.
            int leading = message.IsEmpty ? 0 : (message.Length - 1) / BlockSize * BlockSize;
            mac.Clear();
            aes.CbcMac(message[..leading], mac);

            ReadOnlySpan<byte> tail = message[leading..];
            ReadOnlySpan<byte> subkey;
            last.Clear();
            tail.CopyTo(last);
            if (tail.Length == BlockSize)
            {
                subkey = subkeys.AsSpan(0, BlockSize);
            }
            else
            {
                last[tail.Length] = 0x80;
                subkey = subkeys.AsSpan(BlockSize, BlockSize);
            }

            // The last block, XORed with its subkey, continues the same CBC: MAC = AES(last ^ subkey ^ state).
            AesBlockCipher.Xor(last, subkey, last);
            aes.CbcMac(last, mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(last);
        }
    }

    public void Dispose()
    {
        aes.Dispose();
        CryptographicOperations.ZeroMemory(subkeys);
    }

    private static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != BlockSize)
        {
            throw new ArgumentException($"AES-XCBC and AES-CMAC keys are {BlockSize} octets here; {key.Length} given", nameof(key));
        }
    }

    /// <summary>Multiplication by x in GF(2^128): shift left one bit, and XOR 0x87 into the last octet if a bit fell off (RFC 4493 §2.3).</summary>
    private static void Double(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int carry = input[0] >> 7;
        for (int i = 0; i < BlockSize - 1; i++)
        {
            output[i] = (byte)((input[i] << 1) | (input[i + 1] >> 7));
        }

        output[BlockSize - 1] = (byte)((input[BlockSize - 1] << 1) ^ (0x87 & -carry));
    }
}
