using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// Key material that is zeroed when its owner (an IKE or Child SA) is disposed. Never printed:
/// <see cref="ToString"/> says only how long it is. Disposing also lets the array go: an event or
/// record that outlives the keys it carried (the daemon keeps each Child SA's ChildSaInstalled for
/// its status) then holds a few octets, not the key's array (issue 6: memory per SA).
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private byte[] bytes;
    private bool disposed;

    public SecretBytes(int length)
    {
        bytes = new byte[length];
        Length = length;
    }

    /// <summary>Copies <paramref name="source"/>; the caller clears its own copy.</summary>
    public SecretBytes(ReadOnlySpan<byte> source)
    {
        bytes = source.ToArray();
        Length = bytes.Length;
    }

    /// <summary>The key's length, also once disposed.</summary>
    public int Length { get; }

    public Span<byte> Span => disposed ? throw new ObjectDisposedException(nameof(SecretBytes)) : bytes;

    public ReadOnlySpan<byte> ReadOnlySpan => Span;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(bytes);
        bytes = [];
        disposed = true;
    }

    public override string ToString() => $"[secret, {Length} bytes]";
}
