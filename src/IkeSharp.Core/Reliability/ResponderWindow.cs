using System.Security.Cryptography;

namespace IkeSharp.Core.Reliability;

/// <summary>
/// Our side as responder (RFC 7296 §2.3): the Message ID we expect next, and the last response with
/// a hash of the request that produced it, so a retransmitted request gets the cached response and
/// costs no crypto (§2.1). Anything older or further ahead is dropped.
/// </summary>
public sealed class ResponderWindow
{
    private byte[]? lastRequestHash;

    public uint ExpectedMessageId { get; private set; }

    public byte[]? LastResponse { get; private set; }

    public RequestVerdict Classify(uint messageId, ReadOnlySpan<byte> datagram)
    {
        if (messageId == ExpectedMessageId)
        {
            return RequestVerdict.New;
        }

        if (LastResponse is not null && messageId == ExpectedMessageId - 1)
        {
            // Same Message ID: a retransmission only if the bytes match (§2.1); otherwise drop it.
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(datagram, hash);
            return lastRequestHash is not null && CryptographicOperations.FixedTimeEquals(hash, lastRequestHash)
                ? RequestVerdict.Retransmission
                : RequestVerdict.Drop;
        }

        return RequestVerdict.Drop;
    }

    /// <summary>Records the response to the request <paramref name="messageId"/> and advances the window.</summary>
    public void Answered(uint messageId, ReadOnlySpan<byte> request, byte[] response)
    {
        if (messageId != ExpectedMessageId)
        {
            throw new InvalidOperationException($"answered request {messageId} but the window expects {ExpectedMessageId}");
        }

        lastRequestHash = SHA256.HashData(request);
        LastResponse = response;
        ExpectedMessageId++;
    }
}

public enum RequestVerdict
{
    /// <summary>The next request: process it.</summary>
    New,
    /// <summary>The previous request again: resend <see cref="ResponderWindow.LastResponse"/>.</summary>
    Retransmission,
    /// <summary>Out of window, or a different message under an old ID: ignore (§2.3).</summary>
    Drop,
}
