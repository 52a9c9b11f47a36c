using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric;

/// <summary>
/// The CBC-MAC with a final-block subkey that AES-XCBC-MAC (RFC 3566 §4) and AES-CMAC
/// (RFC 4493 §2.4) share: CBC over every block but the last; the last block, if complete, is
/// XORed with one subkey, and otherwise padded with 0x80 0x00... and XORed with the other; one more
/// AES encryption gives the 16-octet MAC. Only the subkeys differ (<see cref="ForXcbc"/>,
/// <see cref="ForCmac"/>). One instance per key; not for concurrent use.
/// </summary>
internal sealed class AesCbcMac : IDisposable
{
    public const int BlockSize = 16;
    private const int ChunkBlocks = 64;

    private readonly Aes aes = Aes.Create();

    // Subkey for a complete last block, then the one for a padded last block.
    private readonly byte[] subkeys = new byte[2 * BlockSize];

    private AesCbcMac()
    {
    }

    /// <summary>
    /// RFC 3566 §4: K1 = AES(K, 0x01..), K2 = AES(K, 0x02..), K3 = AES(K, 0x03..); the CBC runs
    /// under K1, a complete last block takes K2 and a padded one K3.
    /// </summary>
    public static AesCbcMac ForXcbc(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        var mac = new AesCbcMac();
        Span<byte> constants = stackalloc byte[3 * BlockSize];
        Span<byte> derived = stackalloc byte[3 * BlockSize];
        constants.Slice(0, BlockSize).Fill(0x01);
        constants.Slice(BlockSize, BlockSize).Fill(0x02);
        constants.Slice(2 * BlockSize, BlockSize).Fill(0x03);
        try
        {
            mac.aes.SetKey(key);
            mac.aes.EncryptEcb(constants, derived, PaddingMode.None);
            mac.aes.SetKey(derived.Slice(0, BlockSize));
            derived.Slice(BlockSize).CopyTo(mac.subkeys);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }

        return mac;
    }

    /// <summary>
    /// RFC 4493 §2.3: L = AES(K, 0); K1 = L doubled in GF(2^128), K2 = K1 doubled; the CBC runs
    /// under K itself, a complete last block takes K1 and a padded one K2.
    /// </summary>
    public static AesCbcMac ForCmac(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        var mac = new AesCbcMac();
        Span<byte> l = stackalloc byte[BlockSize];
        try
        {
            mac.aes.SetKey(key);
            mac.aes.EncryptEcb(stackalloc byte[BlockSize], l, PaddingMode.None);
            Double(l, mac.subkeys.AsSpan(0, BlockSize));
            Double(mac.subkeys.AsSpan(0, BlockSize), mac.subkeys.AsSpan(BlockSize, BlockSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(l);
        }

        return mac;
    }

    /// <summary>The full 16-octet MAC of <paramref name="message"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> mac)
    {
        if (mac.Length != BlockSize)
        {
            throw new ArgumentException($"the MAC is {BlockSize} octets; the buffer has {mac.Length}", nameof(mac));
        }

        Span<byte> state = stackalloc byte[BlockSize];
        Span<byte> chunk = stackalloc byte[ChunkBlocks * BlockSize];
        Span<byte> last = stackalloc byte[BlockSize];
        state.Clear();
        try
        {
            // Every block except the last goes through plain CBC with the running state as IV.
            int leading = message.IsEmpty ? 0 : (message.Length - 1) / BlockSize * BlockSize;
            for (int offset = 0; offset < leading; offset += chunk.Length)
            {
                int length = Math.Min(chunk.Length, leading - offset);
                aes.EncryptCbc(message.Slice(offset, length), state, chunk.Slice(0, length), PaddingMode.None);
                chunk.Slice(length - BlockSize, BlockSize).CopyTo(state);
            }

            ReadOnlySpan<byte> tail = message.Slice(leading);
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

            for (int i = 0; i < BlockSize; i++)
            {
                last[i] ^= (byte)(subkey[i] ^ state[i]);
            }

            aes.EncryptEcb(last, mac, PaddingMode.None);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(state);
            CryptographicOperations.ZeroMemory(chunk);
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
