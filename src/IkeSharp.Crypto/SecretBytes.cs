using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// Key material that is zeroed when its owner (an IKE or Child SA) is disposed. Never printed:
/// <see cref="ToString"/> says only how long it is.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] bytes;
    private bool disposed;

    public SecretBytes(int length) => bytes = new byte[length];

    /// <summary>Copies <paramref name="source"/>; the caller clears its own copy.</summary>
    public SecretBytes(ReadOnlySpan<byte> source) => bytes = source.ToArray();

    public int Length => bytes.Length;

    public Span<byte> Span => disposed ? throw new ObjectDisposedException(nameof(SecretBytes)) : bytes;

    public ReadOnlySpan<byte> ReadOnlySpan => Span;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(bytes);
        disposed = true;
    }

    public override string ToString() => $"[secret, {bytes.Length} bytes]";
}
