namespace IkeSharp.Crypto;

/// <summary>
/// prf+ (RFC 7296 §2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), output T1 | T2 | ...
/// At most 255 blocks.
/// </summary>
public static class PrfPlus
{
    public static void Expand(IPrf prf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        int blockLength = prf.OutputLength;
        if (output.Length > 255 * blockLength)
        {
            throw new ArgumentException($"prf+ yields at most {255 * blockLength} octets with {prf.Id.ToIanaName()}; {output.Length} asked", nameof(output));
        }

        byte[] input = new byte[blockLength + seed.Length + 1];
        Span<byte> block = stackalloc byte[64];
        block = block.Slice(0, blockLength);
        try
        {
            int previous = 0;
            for (int n = 1; !output.IsEmpty; n++)
            {
                // Tn-1 | S | n, with T0 empty.
                block.Slice(0, previous).CopyTo(input);
                seed.CopyTo(input.AsSpan(previous));
                input[previous + seed.Length] = (byte)n;
                prf.Compute(key, input.AsSpan(0, previous + seed.Length + 1), block);
                int take = Math.Min(blockLength, output.Length);
                block.Slice(0, take).CopyTo(output);
                output = output.Slice(take);
                previous = blockLength;
            }
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(input);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(block);
        }
    }
}
