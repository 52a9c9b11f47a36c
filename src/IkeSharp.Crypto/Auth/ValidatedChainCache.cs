using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// Peer certificate paths already validated (RFC 5280 §6), as strongSwan's cert_cache plugin keeps
/// them, so a peer that sets up many IKE SAs with the same certificate costs one path validation,
/// not one per SA: parsing the certificates, X509Chain's path building and the CA signature checks
/// are most of a certificate responder's work besides the key exchange and the AUTH signatures
/// (issue 6's profile). The AUTH signature itself is always verified per SA with the cached key.
/// <list type="bullet">
/// <item>An entry is found only for the exact DER of the end-entity certificate and of the
/// intermediates the peer sent, in order, together with the very trust anchor and CRL objects in
/// force when it was made: a config reload or a new CRL loads new objects, so old entries no longer
/// match (and the engine clears the cache on a reload).</item>
/// <item>It expires at the earliest of <see cref="CertificateValidation.ValidUntil"/> (the earliest
/// notAfter on the path, each consulted CRL's nextUpdate, a later thisUpdate or revocation date)
/// and a maximum age; a verification time before the entry was made (a clock stepped back) does
/// not use it.</item>
/// <item>Only valid paths are kept, at most <c>capacity</c> of them; the least recently used goes first.</item>
/// </list>
/// Time is handed in. Not thread-safe: it belongs to one engine, which runs on one thread, and an
/// entry found stays usable (not disposed) until the next <see cref="TryAdd"/>, <see cref="Clear"/>
/// or <see cref="Dispose"/>.
/// </summary>
public sealed class ValidatedChainCache : IDisposable
{
    public const int DefaultCapacity = 1024;

    /// <summary>strongSwan re-checks cached trust chains after a few minutes too; so does this cache by default.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromMinutes(5);

    private readonly Dictionary<Key, LinkedListNode<ValidatedPeerCertificate>> entries = [];
    private readonly LinkedList<ValidatedPeerCertificate> recency = new(); // most recently used first
    private readonly int capacity;
    private readonly TimeSpan maxAge;

    public ValidatedChainCache(int capacity = DefaultCapacity, TimeSpan? maxAge = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        this.capacity = capacity;
        this.maxAge = maxAge ?? DefaultMaxAge;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.maxAge, TimeSpan.Zero, nameof(maxAge));
    }

    public int Count => entries.Count;

    /// <summary>
    /// The entry for this end-entity certificate and intermediates (<paramref name="presented"/>, as
    /// the peer sent them, end entity first) under these trust anchors and CRLs, valid at
    /// <paramref name="utc"/>; null when there is none. An expired entry is dropped.
    /// </summary>
    public ValidatedPeerCertificate? Find(IReadOnlyList<ReadOnlyMemory<byte>> presented, IReadOnlyList<X509Certificate2> anchors, IReadOnlyList<CertificateRevocationList> crls, DateTime utc)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (presented.Count == 0 || !entries.TryGetValue(Key.Of(presented, anchors, crls), out LinkedListNode<ValidatedPeerCertificate>? node))
        {
            return null;
        }

        ValidatedPeerCertificate entry = node.Value;
        DateTime now = Utc(utc);
        if (now >= entry.ExpiresAt || now < entry.ValidatedAt)
        {
            Remove(node);
            return null;
        }

        recency.Remove(node);
        recency.AddFirst(node);
        return entry;
    }

    /// <summary>
    /// Keeps a path <paramref name="validation"/> found valid at <paramref name="utc"/> for the
    /// certificates the peer sent. On true the cache owns <paramref name="endEntity"/> (the parsed
    /// first of <paramref name="presented"/>) and the certificates of the validated path, and
    /// <paramref name="entry"/> is what a later <see cref="Find"/> returns; on false (an invalid
    /// path, one that expires at once, or a cache of capacity 0) the caller keeps them.
    /// </summary>
    public bool TryAdd(IReadOnlyList<ReadOnlyMemory<byte>> presented, IReadOnlyList<X509Certificate2> anchors, IReadOnlyList<CertificateRevocationList> crls,
        X509Certificate2 endEntity, CertificateValidation validation, DateTime utc, out ValidatedPeerCertificate? entry)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(endEntity);
        ArgumentNullException.ThrowIfNull(validation);
        entry = null;
        DateTime now = Utc(utc);
        DateTime expiresAt = validation.ValidUntil - now < maxAge ? validation.ValidUntil : now + maxAge;
        if (capacity == 0 || presented.Count == 0 || !validation.IsValid || expiresAt <= now)
        {
            return false;
        }

        var key = Key.Of(presented, anchors, crls);
        if (entries.TryGetValue(key, out LinkedListNode<ValidatedPeerCertificate>? old))
        {
            Remove(old);
        }

        while (entries.Count >= capacity)
        {
            Remove(recency.Last!);
        }

        entry = new ValidatedPeerCertificate(key, endEntity, validation, now, expiresAt);
        entries[key] = recency.AddFirst(entry);
        return true;
    }

    /// <summary>Drops every entry (a config reload), disposing their certificates and keys.</summary>
    public void Clear()
    {
        foreach (ValidatedPeerCertificate entry in recency)
        {
            entry.Dispose();
        }

        recency.Clear();
        entries.Clear();
    }

    public void Dispose() => Clear();

    private void Remove(LinkedListNode<ValidatedPeerCertificate> node)
    {
        entries.Remove(node.Value.CacheKey);
        recency.Remove(node);
        node.Value.Dispose();
    }

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime();

    /// <summary>The certificates' DER, each with its length, and the trust anchor and CRL objects in force (by reference).</summary>
    internal sealed class Key : IEquatable<Key>
    {
        private readonly byte[] presented;
        private readonly X509Certificate2[] anchors;
        private readonly CertificateRevocationList[] crls;
        private readonly int hash;

        private Key(byte[] presented, X509Certificate2[] anchors, CertificateRevocationList[] crls)
        {
            this.presented = presented;
            this.anchors = anchors;
            this.crls = crls;
            var h = new HashCode();
            h.AddBytes(presented);
            foreach (X509Certificate2 a in anchors)
            {
                h.Add(RuntimeHelpers.GetHashCode(a));
            }

            foreach (CertificateRevocationList c in crls)
            {
                h.Add(RuntimeHelpers.GetHashCode(c));
            }

            hash = h.ToHashCode();
        }

        public static Key Of(IReadOnlyList<ReadOnlyMemory<byte>> presented, IReadOnlyList<X509Certificate2> anchors, IReadOnlyList<CertificateRevocationList> crls)
        {
            ArgumentNullException.ThrowIfNull(anchors);
            ArgumentNullException.ThrowIfNull(crls);
            int length = 0;
            foreach (ReadOnlyMemory<byte> der in presented)
            {
                length += 4 + der.Length;
            }

            byte[] bytes = new byte[length];
            int offset = 0;
            foreach (ReadOnlyMemory<byte> der in presented)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(offset), der.Length);
                der.Span.CopyTo(bytes.AsSpan(offset + 4));
                offset += 4 + der.Length;
            }

            return new Key(bytes, [.. anchors], [.. crls]);
        }

        public bool Equals(Key? other) =>
            other is not null && hash == other.hash && presented.AsSpan().SequenceEqual(other.presented)
            && SameObjects(anchors, other.anchors) && SameObjects(crls, other.crls);

        public override bool Equals(object? obj) => Equals(obj as Key);

        internal bool IsAnchor(X509Certificate2 certificate) => Array.Exists(anchors, a => ReferenceEquals(a, certificate));

        public override int GetHashCode() => hash;

        private static bool SameObjects<T>(T[] a, T[] b)
            where T : class
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (!ReferenceEquals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>
/// A peer's end-entity certificate whose path to a trusted CA was validated, with its public key
/// made once (for the AUTH signature of each IKE SA), owned by a <see cref="ValidatedChainCache"/>.
/// </summary>
public sealed class ValidatedPeerCertificate : IDisposable
{
    private VerificationKey? key;

    internal ValidatedPeerCertificate(ValidatedChainCache.Key cacheKey, X509Certificate2 endEntity, CertificateValidation validation, DateTime validatedAt, DateTime expiresAt)
    {
        CacheKey = cacheKey;
        EndEntity = endEntity;
        Validation = validation;
        ValidatedAt = validatedAt;
        ExpiresAt = expiresAt;
    }

    public X509Certificate2 EndEntity { get; }

    public CertificateValidation Validation { get; }

    /// <summary>The verification time (UTC) of the validation.</summary>
    public DateTime ValidatedAt { get; }

    /// <summary>When (UTC) the entry stops being used.</summary>
    public DateTime ExpiresAt { get; }

    internal ValidatedChainCache.Key CacheKey { get; }

    /// <summary>The end entity's public key, made on first use and kept with the entry.</summary>
    public Outcome<VerificationKey> Key()
    {
        if (key is not null)
        {
            return Outcome<VerificationKey>.Success(key);
        }

        Outcome<VerificationKey> made = VerificationKey.FromCertificate(EndEntity);
        key = made.Value;
        return made;
    }

    public void Dispose()
    {
        key?.Dispose();
        key = null;
        foreach (X509Certificate2 certificate in Validation.Chain)
        {
            // The path's certificates are X509Chain's own copies; a configured anchor is never disposed here.
            if (!ReferenceEquals(certificate, EndEntity) && !CacheKey.IsAnchor(certificate))
            {
                certificate.Dispose();
            }
        }

        EndEntity.Dispose();
    }
}
