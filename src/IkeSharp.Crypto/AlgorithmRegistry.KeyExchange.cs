namespace IkeSharp.Crypto;

// Extension point for key exchange (Transform Types 4 and 6-12). The key-exchange implementation
// replaces this whole file: it may add fields (with initializers) and helpers to this part of the
// class, as long as it keeps this method's signature. Until then no method is supported.
public sealed partial class AlgorithmRegistry
{
    /// <summary>The key exchange method for <paramref name="id"/>, or null when IkeSharp has none.</summary>
    public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) => null;
}
