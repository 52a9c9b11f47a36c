namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// What every key exchange method in this folder shares: the IANA id (Transform Type 4, RFC 7296
/// §3.3.2), strongSwan's proposal keyword, and whether the group is too weak to be used unless a
/// configuration allows it explicitly.
/// </summary>
public abstract class KeyExchangeAlgorithm : IKeyExchangeAlgorithm
{
    private protected KeyExchangeAlgorithm(KeyExchangeMethod id, string name, bool isWeak)
    {
        Id = id;
        Name = name;
        IsWeak = isWeak;
    }

    public KeyExchangeMethod Id { get; }

    /// <summary>strongSwan's proposal keyword: <c>modp2048</c>, <c>ecp256</c>, <c>ecp256bp</c>, <c>curve25519</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// True for groups that offer less than 112 bits of security (MODP 768, 1024, 1536 and the
    /// 1024-bit group of RFC 5114): a configuration must allow them explicitly, with a warning.
    /// </summary>
    public bool IsWeak { get; }

    public abstract int InitiatorShareLength { get; }

    public abstract int ResponderShareLength { get; }

    public abstract IKeyExchangeInitiator Initiate(IRandomSource random);

    public abstract KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random);

    public override string ToString() => Name;

    /// <summary>The message for a share of the wrong size, the same wording for every method.</summary>
    private protected string WrongLength(int actual, int expected, string layout) =>
        $"the peer's {Name} share is {actual} octets; it must be {expected} ({layout})";
}
