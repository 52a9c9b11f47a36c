namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// A Diffie-Hellman group seen as a KEM (IKeyExchange.cs): both sides make a key pair; the
/// responder's "encapsulation" is its public value, and either side derives g^ir from the other's.
/// </summary>
public abstract class DiffieHellmanKem : IKeyExchangeAlgorithm
{
    public abstract KeyExchangeMethod Id { get; }

    /// <summary>Octets of a public value (the KE payload's data), the same for both sides.</summary>
    public abstract int PublicValueLength { get; }

    public int InitiatorShareLength => PublicValueLength;

    public int ResponderShareLength => PublicValueLength;

    /// <summary>True for groups too weak to use unless a configuration allows it (MODP 768/1024/1536).</summary>
    public virtual bool IsWeak => false;

    /// <summary>A fresh private key from <paramref name="random"/> and its public value.</summary>
    protected abstract DhKeyPair Generate(IRandomSource random);

    public IKeyExchangeInitiator Initiate(IRandomSource random) => new Side(this, Generate(random));

    public KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
    {
        using DhKeyPair pair = Generate(random);
        KeyExchangeResult result = Agree(pair, initiatorShare);
        return result.IsSuccess ? result with { ResponderShare = pair.PublicValue } : result;
    }

    private KeyExchangeResult Agree(DhKeyPair pair, ReadOnlySpan<byte> peer)
    {
        if (peer.Length != PublicValueLength)
        {
            return KeyExchangeResult.Fail($"the peer's {Id.ToKeyword()} public value is {peer.Length} octets; it must be {PublicValueLength}");
        }

        string? error = pair.Derive(peer, out SecretBytes? secret);
        return error is null ? new KeyExchangeResult(secret, ReadOnlyMemory<byte>.Empty, null) : KeyExchangeResult.Fail($"{Id.ToKeyword()}: {error}");
    }

    private sealed class Side(DiffieHellmanKem group, DhKeyPair pair) : IKeyExchangeInitiator
    {
        public ReadOnlyMemory<byte> Share => pair.PublicValue;

        public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare) => group.Agree(pair, responderShare);

        public void Dispose() => pair.Dispose();
    }
}

/// <summary>One side's key pair of a Diffie-Hellman group.</summary>
public abstract class DhKeyPair : IDisposable
{
    public abstract byte[] PublicValue { get; }

    /// <summary>Validates the peer's value and derives the shared secret; an error message instead of an exception.</summary>
    public abstract string? Derive(ReadOnlySpan<byte> peerPublic, out SecretBytes? secret);

    public abstract void Dispose();
}
