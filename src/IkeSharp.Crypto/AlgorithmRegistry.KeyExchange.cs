using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto;

/// <summary>Key exchange methods (Transform Type 4, and 6-12 for additional key exchanges).</summary>
public sealed partial class AlgorithmRegistry
{
    /// <summary>Every key exchange method implemented, weak ones included (see <see cref="KeyExchangeAlgorithm.IsWeak"/>).</summary>
    public IReadOnlyList<KeyExchangeAlgorithm> KeyExchangeMethods => KeyExchangeAlgorithms.All;

    /// <summary>The key exchange method for <paramref name="id"/>, or null when IkeSharp has none.</summary>
    public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) => KeyExchangeAlgorithms.Get(id);
}
