namespace IkeSharp.Esp;

/// <summary>
/// The ESP trailer (RFC 4303 §2.4, §2.5, §2.6): Padding, Pad Length, Next Header. The padded
/// plaintext (payload | padding | Pad Length | Next Header) is a multiple of the cipher's block
/// size and ends on a 4-octet boundary, so the ICV is aligned too. The default padding bytes are
/// 1, 2, 3, ... and the receiver checks them.
/// </summary>
internal static class EspPadding
{
    /// <summary>Pad Length and Next Header.</summary>
    public const int TrailerLength = 2;

    /// <summary>The Pad Length field is one octet (RFC 4303 §2.5).</summary>
    public const int MaxPadLength = 255;

    /// <summary>Length of payload | padding | trailer for a payload of <paramref name="payloadLength"/> octets.</summary>
    public static int PaddedLength(int payloadLength, int alignment)
    {
        int unpadded = payloadLength + TrailerLength;
        return (unpadded + alignment - 1) / alignment * alignment;
    }

    /// <summary>Writes padding 1, 2, 3, ..., Pad Length and Next Header after the payload already in <paramref name="plaintext"/>.</summary>
    public static void Write(Span<byte> plaintext, int payloadLength, byte nextHeader)
    {
        int padLength = plaintext.Length - payloadLength - TrailerLength;
        Span<byte> padding = plaintext.Slice(payloadLength, padLength);
        for (int i = 0; i < padding.Length; i++)
        {
            padding[i] = (byte)(i + 1);
        }

        plaintext[^2] = (byte)padLength;
        plaintext[^1] = nextHeader;
    }

    /// <summary>
    /// Reads the trailer of a decrypted plaintext: the payload length, or -1 when Pad Length runs
    /// past the start or the padding is not the default 1, 2, 3, ... (RFC 4303 §2.4: "the receiver
    /// SHOULD inspect the Padding field").
    /// </summary>
    public static int PayloadLength(ReadOnlySpan<byte> plaintext, out byte nextHeader)
    {
        nextHeader = 0;
        if (plaintext.Length < TrailerLength)
        {
            return -1;
        }

        int padLength = plaintext[^2];
        int payloadLength = plaintext.Length - TrailerLength - padLength;
        if (payloadLength < 0)
        {
            return -1;
        }

        ReadOnlySpan<byte> padding = plaintext.Slice(payloadLength, padLength);
        int bad = 0;
        for (int i = 0; i < padding.Length; i++)
        {
            bad |= padding[i] ^ (i + 1);
        }

        if (bad != 0)
        {
            return -1;
        }

        nextHeader = plaintext[^1];
        return payloadLength;
    }
}
