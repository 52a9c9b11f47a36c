namespace IkeSharp.Crypto;

/// <summary>
/// Where SPIs, nonces, IVs and key-exchange secrets come from. Handed in, never global, so a test
/// can run two engines deterministically (DESIGN.md, "The engine is sans-IO").
/// </summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);
}

/// <summary>The operating system's CSPRNG; what a daemon uses.</summary>
public sealed class SystemRandom : IRandomSource
{
    public void Fill(Span<byte> destination) => System.Security.Cryptography.RandomNumberGenerator.Fill(destination);
}

/// <summary>
/// A repeatable stream for tests and simulations: SHA-256 over (seed, counter). Not for production
/// keys: anyone who knows the seed knows every secret.
/// </summary>
public sealed class DeterministicRandom(ulong seed) : IRandomSource
{
    private ulong counter;

    public void Fill(Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[16];
        Span<byte> block = stackalloc byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(input, seed);
        while (!destination.IsEmpty)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(input.Slice(8), counter++);
            System.Security.Cryptography.SHA256.HashData(input, block);
            int n = Math.Min(block.Length, destination.Length);
            block.Slice(0, n).CopyTo(destination);
            destination = destination.Slice(n);
        }
    }
}
