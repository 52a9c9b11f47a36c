namespace IkeSharp.Crypto;

/// <summary>
/// A key exchange method (Transform Type 4) modelled as a KEM, so that Diffie-Hellman groups and
/// ML-KEM (RFC 9370) look alike to callers: the initiator makes a share; the responder makes its
/// share from the initiator's (and has the secret); the initiator finishes with the responder's share.
/// </summary>
public interface IKeyExchangeAlgorithm
{
    KeyExchangeMethod Id { get; }

    /// <summary>Octets of the initiator's share (the KE payload's data).</summary>
    int InitiatorShareLength { get; }

    /// <summary>Octets of the responder's share.</summary>
    int ResponderShareLength { get; }

    /// <summary>Makes the initiator's secret and share from <paramref name="random"/>.</summary>
    IKeyExchangeInitiator Initiate(IRandomSource random);

    /// <summary>
    /// The responder's side: validates the initiator's share (points on the curve and not the
    /// identity, MODP values in 2..p-2), makes its own share and the shared secret.
    /// </summary>
    KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random);
}

/// <summary>The initiator's pending key exchange: its share, and its secret until disposed.</summary>
public interface IKeyExchangeInitiator : IDisposable
{
    ReadOnlyMemory<byte> Share { get; }

    /// <summary>Validates the responder's share and derives the shared secret.</summary>
    KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare);
}

/// <summary>
/// The outcome of a key exchange step: the shared secret (and, for the responder, its share), or
/// a reason a person can read ("the peer's x25519 share is 31 octets; it must be 32").
/// </summary>
public sealed record KeyExchangeResult(SecretBytes? SharedSecret, ReadOnlyMemory<byte> ResponderShare, string? Error)
{
    public bool IsSuccess => Error is null;

    public static KeyExchangeResult Fail(string error) => new(null, ReadOnlyMemory<byte>.Empty, error);
}
