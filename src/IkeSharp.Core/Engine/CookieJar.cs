using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace IkeSharp.Core.Engine;

/// <summary>
/// Stateless cookies (RFC 7296 §2.6): Cookie = &lt;VersionIDofSecret&gt; | Hash(Ni | IPi | SPIi | &lt;secret&gt;),
/// here HMAC-SHA-256 keyed with the secret, truncated to 16 octets. The secret is drawn from the
/// injected randomness and replaced every <see cref="EngineOptions.CookieSecretLifetime"/>; cookies
/// made with the previous secret stay valid until the next change.
/// </summary>
internal sealed class CookieJar(IRandomSource random, long lifetimeMs)
{
    private const int HashLength = 16;
    private byte[] current = [];
    private byte[] previous = [];
    private byte version;
    private long changedAt = long.MinValue;

    private void Rotate(long now)
    {
        if (current.Length > 0 && now - changedAt < lifetimeMs)
        {
            return;
        }

        CryptographicOperations.ZeroMemory(previous);
        previous = current;
        current = new byte[32];
        random.Fill(current);
        version++;
        changedAt = now;
    }

    public byte[] Make(long now, ReadOnlySpan<byte> ni, IPAddress initiator, ulong spiI)
    {
        Rotate(now);
        byte[] cookie = new byte[1 + HashLength];
        cookie[0] = version;
        Hash(current, ni, initiator, spiI, cookie.AsSpan(1));
        return cookie;
    }

    public bool Verify(long now, ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> ni, IPAddress initiator, ulong spiI)
    {
        Rotate(now);
        if (cookie.Length != 1 + HashLength)
        {
            return false;
        }

        byte[]? secret = cookie[0] == version ? current : cookie[0] == (byte)(version - 1) && previous.Length > 0 ? previous : null;
        if (secret is null)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashLength];
        Hash(secret, ni, initiator, spiI, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cookie.Slice(1));
    }

    private static void Hash(byte[] secret, ReadOnlySpan<byte> ni, IPAddress initiator, ulong spiI, Span<byte> output)
    {
        byte[] address = initiator.GetAddressBytes();
        byte[] input = new byte[ni.Length + address.Length + 8];
        ni.CopyTo(input);
        address.CopyTo(input, ni.Length);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(ni.Length + address.Length), spiI);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, input, mac);
        mac.Slice(0, output.Length).CopyTo(output);
    }
}
