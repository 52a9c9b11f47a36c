using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// ENCR_AES_CCM_8/12/16 (RFC 4309 for ESP, RFC 5282 for IKEv2) with a 128-, 192- or 256-bit key.
/// The key material is the AES key followed by a 3-octet salt (RFC 4309 §7.1); each packet
/// carries an 8-octet IV, and the 11-octet CCM nonce is salt | IV, which leaves a 4-octet length
/// field (RFC 4309 §4). The ICV is the CCM tag of 8, 12 or 16 octets (RFC 4309 §3.2).
/// </summary>
/// <remarks>
/// CCM is computed here (RFC 3610 §2) over <see cref="AesBlockCipher"/> rather than by the BCL's
/// <see cref="AesCcm"/>, which on .NET 10 Linux makes a new OpenSSL context, key schedule and
/// 32-octet handle for every packet; this allocates nothing per packet.
/// </remarks>
public sealed class AesCcmCipher(int keyBits, int icvLength) : AesEncryptionAlgorithm(
    ByIcvLength(icvLength, EncryptionAlgorithm.AesCcm8, EncryptionAlgorithm.AesCcm12, EncryptionAlgorithm.AesCcm16, "AES-CCM ICVs are 8, 12 or 16 octets (RFC 4309 §3.2)"),
    keyBits,
    SaltLength,
    ivLength: 8,
    blockSize: 1,
    icvLength)
{
    internal const int SaltLength = 3;

    // RFC 4309 §4: an 11-octet nonce leaves L = 15 - 11 = 4 octets for the message length.
    private const int LengthOctets = 4;
    private const int Block = AesBlockCipher.BlockSize;

    private protected override ICipherKey CreateCheckedKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) => new Key(this, key, salt);

    /// <summary>One AES key per SA and direction; no allocation per packet; one thread at a time.</summary>
    private sealed class Key(AesCcmCipher algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) : SaltedAeadKey(algorithm, salt)
    {
        private readonly AesBlockCipher aes = new(key, decrypts: false);

        /// <summary>RFC 3610 §2.2 then §2.3: T from the CBC-MAC of the plaintext, C = P ^ S_1.., U = T ^ S_0.</summary>
        protected override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
        {
            Span<byte> mac = stackalloc byte[Block];
            Span<byte> counter = stackalloc byte[Block];
            Mac(nonce, associatedData, plaintext, mac);
            CounterBlock(nonce, 1, counter);
            aes.Ctr(counter, plaintext, ciphertext);
            CounterBlock(nonce, 0, counter);
            aes.Ctr(counter, mac[..tag.Length], tag);
            CryptographicOperations.ZeroMemory(mac);
        }

        /// <summary>RFC 3610 §2.5: decrypt, recompute T over the plaintext, compare with U ^ S_0 in constant time.</summary>
        protected override void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
        {
            Span<byte> mac = stackalloc byte[Block];
            Span<byte> received = stackalloc byte[Block];
            Span<byte> counter = stackalloc byte[Block];
            CounterBlock(nonce, 1, counter);
            aes.Ctr(counter, ciphertext, plaintext);
            Mac(nonce, associatedData, plaintext, mac);
            CounterBlock(nonce, 0, counter);
            aes.Ctr(counter, tag, received[..tag.Length]);
            bool valid = CryptographicOperations.FixedTimeEquals(mac[..tag.Length], received[..tag.Length]);
            CryptographicOperations.ZeroMemory(mac);
            CryptographicOperations.ZeroMemory(received);
            if (!valid)
            {
                // RFC 3610 §2.5: nothing of the plaintext is released when the tag fails.
                CryptographicOperations.ZeroMemory(plaintext);
                throw new AuthenticationTagMismatchException();
            }
        }

        protected override void DisposeCipher() => aes.Dispose();

        /// <summary>A_i = Flags (L - 1) | nonce | i in L octets (RFC 3610 §2.3).</summary>
        private static void CounterBlock(ReadOnlySpan<byte> nonce, uint i, Span<byte> block)
        {
            block[0] = LengthOctets - 1;
            nonce.CopyTo(block[1..]);
            BinaryPrimitives.WriteUInt32BigEndian(block[(1 + nonce.Length)..], i);
        }

        /// <summary>
        /// The CBC-MAC of RFC 3610 §2.2: B_0 = Flags | nonce | l(m), then l(a) | a padded with
        /// zeros to whole blocks, then m padded likewise.
        /// </summary>
        private void Mac(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> message, Span<byte> mac)
        {
            // B_0 and, in the same call, the block that opens the associated data.
            Span<byte> head = stackalloc byte[2 * Block];
            head.Clear();
            int flags = (associatedData.IsEmpty ? 0 : 0x40) | (((Algorithm.IcvLength - 2) / 2) << 3) | (LengthOctets - 1);
            head[0] = (byte)flags;
            nonce.CopyTo(head[1..]);
            BinaryPrimitives.WriteUInt32BigEndian(head[(Block - LengthOctets)..Block], (uint)message.Length);
            ReadOnlySpan<byte> rest = associatedData;
            if (!associatedData.IsEmpty)
            {
                // l(a): two octets below 2^16 - 2^8, else 0xFF 0xFE and four octets (RFC 3610 §2.2).
                int prefix;
                if (associatedData.Length < 0xFF00)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(head[Block..], (ushort)associatedData.Length);
                    prefix = 2;
                }
                else
                {
                    head[Block] = 0xFF;
                    head[Block + 1] = 0xFE;
                    BinaryPrimitives.WriteUInt32BigEndian(head[(Block + 2)..], (uint)associatedData.Length);
                    prefix = 6;
                }

                int first = Math.Min(Block - prefix, associatedData.Length);
                associatedData[..first].CopyTo(head[(Block + prefix)..]);
                rest = associatedData[first..];
            }

            mac.Clear();
            aes.CbcMac(associatedData.IsEmpty ? head[..Block] : head, mac);
            aes.CbcMacZeroPadded(rest, mac);
            aes.CbcMacZeroPadded(message, mac);
        }
    }
}
