using IkeSharp.Crypto;
using IkeSharp.Wire;

namespace IkeSharp.Core.Engine;

/// <summary>
/// The responder's own Diffie-Hellman values, reused for a short time (RFC 7296 §2.12: "an
/// implementation MAY choose to reuse Diffie-Hellman exponentials for a short time", a private
/// choice that the peer cannot see): one key pair per key exchange method, made at the first
/// IKE_SA_INIT that needs it, used for every IKE_SA_INIT of that method until
/// <see cref="EngineOptions.KeyExchangeReuseTime"/> has passed, then disposed, which zeroes the
/// private value (see each method's Dispose). Zero, the default, reuses nothing: each exchange
/// draws a fresh value, as before. Reuse is safe only with the peer's value checked, which every
/// method does in the shared-secret computation it reuses here: MODP 1 &lt; y &lt; p-1 and, for
/// the RFC 5114 groups, y^q = 1 (RFC 6989 §2.1, §2.2); ECP a point on the prime-order curve
/// (RFC 6989 §2.3); X25519/X448 not a small-order point (RFC 8031 §2.1, §5). Only IKE_SA_INIT
/// reuses: a CREATE_CHILD_SA with a KE payload (rekey, PFS) always draws a fresh value. Used on
/// the engine's thread only.
/// </summary>
internal sealed class ResponderKeyReuse(TimeSpan reuseTime) : IDisposable
{
    private readonly long reuseMs = (long)reuseTime.TotalMilliseconds;
    private readonly Dictionary<KeyExchangeMethod, Entry> keys = [];

    /// <summary>Key pairs made (for tests and status): with reuse off, none.</summary>
    public long KeyPairsMade { get; private set; }

    public bool Enabled => reuseMs > 0;

    /// <summary>When the next kept key pair is to be erased, if any is kept.</summary>
    public long? NextExpiry
    {
        get
        {
            long? next = null;
            foreach (Entry e in keys.Values)
            {
                next = next is { } n ? Math.Min(n, e.Expires) : e.Expires;
            }

            return next;
        }
    }

    /// <summary>
    /// The responder's half of a key exchange: with reuse off exactly
    /// <see cref="IKeyExchangeAlgorithm.Respond"/>; with reuse on, the method's kept key pair (made
    /// anew when there is none or its time is up) agreed with <paramref name="initiatorShare"/>.
    /// </summary>
    public KeyExchangeResult Respond(IKeyExchangeAlgorithm algorithm, ReadOnlySpan<byte> initiatorShare, IRandomSource random, long now)
    {
        if (!Enabled)
        {
            return algorithm.Respond(initiatorShare, random);
        }

        Expire(now);
        if (!keys.TryGetValue(algorithm.Id, out Entry? entry))
        {
            IKeyExchangeInitiator pair = algorithm.Initiate(random);
            entry = new Entry(pair, pair.Share.ToArray(), now + reuseMs);
            keys[algorithm.Id] = entry;
            KeyPairsMade++;
        }

        // Finish validates the peer's value (see above) before it computes anything with our key.
        KeyExchangeResult agreed = entry.Pair.Finish(initiatorShare);
        return agreed.IsSuccess ? new KeyExchangeResult(agreed.SharedSecret, entry.Share, null) : agreed;
    }

    /// <summary>Erases every key pair whose time is up at <paramref name="now"/>.</summary>
    public void Expire(long now)
    {
        if (keys.Count == 0)
        {
            return;
        }

        foreach ((KeyExchangeMethod method, Entry e) in keys)
        {
            if (now >= e.Expires)
            {
                e.Pair.Dispose();
                keys.Remove(method);
            }
        }
    }

    public void Dispose()
    {
        foreach (Entry e in keys.Values)
        {
            e.Pair.Dispose();
        }

        keys.Clear();
    }

    private sealed record Entry(IKeyExchangeInitiator Pair, byte[] Share, long Expires);
}
