using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto;

/// <summary>Key exchange methods (Transform Type 4, and 6-12 for additional key exchanges).</summary>
public sealed partial class AlgorithmRegistry
{
    private static readonly DiffieHellmanKem[] KeyExchangeList =
    [
        MontgomeryCurve.X25519, MontgomeryCurve.X448,
        EcpGroup.Ecp256, EcpGroup.Ecp384, EcpGroup.Ecp521,
        EcpGroup.Brainpool256, EcpGroup.Brainpool384, EcpGroup.Brainpool512,
        ModpGroup.Modp2048, ModpGroup.Modp3072, ModpGroup.Modp4096, ModpGroup.Modp6144, ModpGroup.Modp8192,
        ModpGroup.Modp768, ModpGroup.Modp1024, ModpGroup.Modp1536,
    ];

    private static readonly System.Collections.Frozen.FrozenDictionary<KeyExchangeMethod, DiffieHellmanKem> KeyExchanges =
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(KeyExchangeList, k => k.Id);

    /// <summary>Every key exchange method implemented, weak ones included (see <see cref="DiffieHellmanKem.IsWeak"/>).</summary>
    public IReadOnlyList<DiffieHellmanKem> KeyExchangeMethods => KeyExchangeList;

    /// <summary>The key exchange method for <paramref name="id"/>, or null when IkeSharp has none.</summary>
    public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) => KeyExchanges.GetValueOrDefault(id);
}
