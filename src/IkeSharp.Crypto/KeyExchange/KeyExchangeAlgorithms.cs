using System.Collections.Frozen;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Every key exchange method IkeSharp implements, by IANA id (Transform Type 4). Immutable and
/// shared: the algorithms hold no per-exchange state; each exchange's secret lives in the
/// <see cref="IKeyExchangeInitiator"/> or is gone when <see cref="IKeyExchangeAlgorithm.Respond"/>
/// returns.
/// </summary>
public static class KeyExchangeAlgorithms
{
    private static readonly FrozenDictionary<KeyExchangeMethod, KeyExchangeAlgorithm> ById = Build();

    /// <summary>All of them, in IANA order.</summary>
    public static IReadOnlyList<KeyExchangeAlgorithm> All { get; } = [.. ById.Values.OrderBy(a => a.Id)];

    /// <summary>
    /// The algorithm for <paramref name="method"/>, or null if IkeSharp does not implement it (or,
    /// for Brainpool, if this platform's OpenSSL lacks the curve). Weak groups (1, 2, 5, 22) are
    /// returned too, marked <see cref="KeyExchangeAlgorithm.IsWeak"/>; refusing them is the
    /// configuration's job.
    /// </summary>
    public static KeyExchangeAlgorithm? Get(KeyExchangeMethod method) => ById.GetValueOrDefault(method);

    private static FrozenDictionary<KeyExchangeMethod, KeyExchangeAlgorithm> Build()
    {
        KeyExchangeAlgorithm[] all =
        [
            new ModpKeyExchange(ModpGroups.Modp768, isWeak: true),
            new ModpKeyExchange(ModpGroups.Modp1024, isWeak: true),
            new ModpKeyExchange(ModpGroups.Modp1536, isWeak: true),
            new ModpKeyExchange(ModpGroups.Modp2048, isWeak: false),
            new ModpKeyExchange(ModpGroups.Modp3072, isWeak: false),
            new ModpKeyExchange(ModpGroups.Modp4096, isWeak: false),
            new ModpKeyExchange(ModpGroups.Modp6144, isWeak: false),
            new ModpKeyExchange(ModpGroups.Modp8192, isWeak: false),
            new ModpKeyExchange(ModpGroups.Modp1024s160, isWeak: true),
            new ModpKeyExchange(ModpGroups.Modp2048s224, isWeak: false),
            new ModpKeyExchange(ModpGroups.Modp2048s256, isWeak: false),
            new EcpKeyExchange(KeyExchangeMethod.Ecp256, "ecp256", ECCurve.NamedCurves.nistP256, 32),
            new EcpKeyExchange(KeyExchangeMethod.Ecp384, "ecp384", ECCurve.NamedCurves.nistP384, 48),
            new EcpKeyExchange(KeyExchangeMethod.Ecp521, "ecp521", ECCurve.NamedCurves.nistP521, 66),
            new EcpKeyExchange(KeyExchangeMethod.Brainpool256, "ecp256bp", ECCurve.NamedCurves.brainpoolP256r1, 32),
            new EcpKeyExchange(KeyExchangeMethod.Brainpool384, "ecp384bp", ECCurve.NamedCurves.brainpoolP384r1, 48),
            new EcpKeyExchange(KeyExchangeMethod.Brainpool512, "ecp512bp", ECCurve.NamedCurves.brainpoolP512r1, 64),
            XdhKeyExchange.Curve25519,
            XdhKeyExchange.Curve448,
        ];

        return all
            .Where(a => a is not EcpKeyExchange ecp || ecp.IsSupported())
            .ToFrozenDictionary(a => a.Id);
    }
}
