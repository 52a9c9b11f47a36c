using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto.Auth;

namespace IkeSharp.Crypto.Tests.Auth;

/// <summary>The cache of validated peer certificate paths: what finds an entry, what does not, and when it ends.</summary>
public class ValidatedChainCacheTests
{
    private static readonly DateTimeOffset Revoked = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static CertificateRevocationList Load(byte[] crl) => CertificateRevocationList.Load(crl).GetValueOrThrow().Single();

    private static ReadOnlyMemory<byte>[] Der(params X509Certificate2[] certificates) => [.. certificates.Select(c => new ReadOnlyMemory<byte>(c.RawData))];

    /// <summary>Validates as the engine does and adds the path; the cache owns a copy of the end entity.</summary>
    private static ValidatedPeerCertificate Add(ValidatedChainCache cache, X509Certificate2 leaf, X509Certificate2[] intermediates, X509Certificate2[] anchors, CertificateRevocationList[] crls, DateTime now)
    {
        X509Certificate2 parsed = X509CertificateLoader.LoadCertificate(leaf.RawData);
        CertificateValidation validation = new CertificateValidator(anchors, crls).Validate(parsed, intermediates, now);
        Assert.True(validation.IsValid, validation.FailureReason);
        Assert.True(cache.TryAdd(Der([leaf, .. intermediates]), anchors, crls, parsed, validation, now, out ValidatedPeerCertificate? entry));
        return entry!;
    }

    [Fact]
    public void The_same_certificates_under_the_same_cas_find_the_entry_and_its_key_verifies()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        using var cache = new ValidatedChainCache();
        ValidatedPeerCertificate added = Add(cache, leaf, [], [ca], [], TestPki.Now);

        // Another copy of the same bytes, as the next IKE_AUTH brings them, and a fresh list of the same CAs.
        ValidatedPeerCertificate? found = cache.Find(Der(X509CertificateLoader.LoadCertificate(leaf.RawData)), [ca], [], TestPki.Now.AddMinutes(4));

        Assert.Same(added, found);
        Assert.Equal(leaf.RawData, found!.EndEntity.RawData);
        using SigningKey key = TestPki.KeyOf(leaf);
        SignatureChoice choice = SignatureAuthentication.Choose(key.KeyType, SignatureAuthentication.AnnouncedHashes).GetValueOrThrow();
        byte[] octets = "signed octets"u8.ToArray();
        Assert.True(SignatureAuthentication.Verify(found.Key().GetValueOrThrow(), SignatureAuthentication.Sign(key, choice, octets), octets, SignatureAuthentication.AnnouncedHashes).Succeeded);
        Assert.Same(found.Key().Value, found.Key().Value);
    }

    [Fact]
    public void Other_certificates_other_intermediates_other_cas_or_other_crls_miss()
    {
        X509Certificate2 root = TestPki.Root("CN=Lab Root");
        X509Certificate2 intermediate = TestPki.Intermediate(root, "CN=Lab Intermediate");
        X509Certificate2 leaf = TestPki.Leaf(intermediate, "CN=moon");
        X509Certificate2 sun = TestPki.Leaf(intermediate, "CN=sun");
        CertificateRevocationList unrelated = Load(TestPki.Crl(root, Revoked));
        using var cache = new ValidatedChainCache();
        Add(cache, leaf, [intermediate], [root], [], TestPki.Now);

        Assert.NotNull(cache.Find(Der(leaf, intermediate), [root], [], TestPki.Now));
        Assert.Null(cache.Find(Der(sun, intermediate), [root], [], TestPki.Now));
        Assert.Null(cache.Find(Der(leaf), [root], [], TestPki.Now));
        Assert.Null(cache.Find(Der(leaf, intermediate, intermediate), [root], [], TestPki.Now));
        Assert.Null(cache.Find(Der(leaf, intermediate), [root, intermediate], [], TestPki.Now));
        Assert.Null(cache.Find(Der(leaf, intermediate), [X509CertificateLoader.LoadCertificate(root.RawData)], [], TestPki.Now)); // a reloaded CA
        Assert.Null(cache.Find(Der(leaf, intermediate), [root], [unrelated], TestPki.Now)); // a CRL added
        Assert.Null(cache.Find([], [root], [], TestPki.Now));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void An_entry_expires_after_the_maximum_age()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        using var cache = new ValidatedChainCache(maxAge: TimeSpan.FromMinutes(5));
        ValidatedPeerCertificate entry = Add(cache, leaf, [], [ca], [], TestPki.Now);

        Assert.Equal(TestPki.Now.AddMinutes(5), entry.ExpiresAt);
        Assert.NotNull(cache.Find(Der(leaf), [ca], [], TestPki.Now.AddMinutes(5).AddTicks(-1)));
        Assert.Null(cache.Find(Der(leaf), [ca], [], TestPki.Now.AddMinutes(5)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void An_entry_ends_at_the_earliest_not_after_on_the_path()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        DateTime justBefore = TestPki.LeafUntil.UtcDateTime.AddMinutes(-1);
        using var cache = new ValidatedChainCache();
        ValidatedPeerCertificate entry = Add(cache, leaf, [], [ca], [], justBefore);

        Assert.Equal(TestPki.LeafUntil.UtcDateTime, entry.ExpiresAt);
        Assert.Null(cache.Find(Der(leaf), [ca], [], TestPki.LeafUntil.UtcDateTime.AddSeconds(1)));
    }

    [Fact]
    public void An_entry_ends_at_the_crls_next_update_and_at_a_later_revocation_date()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        X509Certificate2 sun = TestPki.Leaf(ca, "CN=sun");
        DateTimeOffset thisUpdate = TestPki.Now.AddDays(-30).AddMinutes(2); // nextUpdate (thisUpdate + 30 days) is 2 minutes away
        CertificateRevocationList crl = Load(TestPki.Crl(ca, thisUpdate, (sun, TestPki.Now.AddMinutes(1))));
        using var cache = new ValidatedChainCache();

        Assert.Equal(TestPki.Now.AddMinutes(2), Add(cache, leaf, [], [ca], [crl], TestPki.Now).ExpiresAt);
        Assert.Null(cache.Find(Der(leaf), [ca], [crl], TestPki.Now.AddMinutes(3)));

        // sun is revoked from one minute on: its entry must not outlive that.
        Assert.Equal(TestPki.Now.AddMinutes(1), Add(cache, sun, [], [ca], [crl], TestPki.Now).ExpiresAt);
        Assert.Null(cache.Find(Der(sun), [ca], [crl], TestPki.Now.AddMinutes(1)));
        Assert.False(new CertificateValidator([ca], [crl]).Validate(sun, [], TestPki.Now.AddMinutes(1)).IsValid);
    }

    [Fact]
    public void A_stale_crl_an_invalid_path_and_a_clock_stepped_back_are_not_cached()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2 other = TestPki.Root("CN=Other CA");
        X509Certificate2 leaf = TestPki.Leaf(ca, "CN=moon");
        CertificateRevocationList stale = Load(TestPki.Crl(ca, TestPki.Now.AddDays(-40)));
        using var cache = new ValidatedChainCache();

        X509Certificate2 parsed = X509CertificateLoader.LoadCertificate(leaf.RawData);
        CertificateValidation withStaleCrl = new CertificateValidator([ca], [stale]).Validate(parsed, [], TestPki.Now);
        Assert.True(withStaleCrl.IsValid);
        Assert.False(cache.TryAdd(Der(leaf), [ca], [stale], parsed, withStaleCrl, TestPki.Now, out _));

        CertificateValidation untrusted = new CertificateValidator([other]).Validate(parsed, [], TestPki.Now);
        Assert.False(cache.TryAdd(Der(leaf), [other], [], parsed, untrusted, TestPki.Now, out _));
        Assert.Equal(0, cache.Count);
        parsed.Dispose();

        Add(cache, leaf, [], [ca], [], TestPki.Now);
        Assert.Null(cache.Find(Der(leaf), [ca], [], TestPki.Now.AddSeconds(-1)));
    }

    [Fact]
    public void The_least_recently_used_entry_goes_when_full_and_a_reload_clears_all()
    {
        X509Certificate2 ca = TestPki.Root("CN=Lab CA");
        X509Certificate2[] leaves = [TestPki.Leaf(ca, "CN=one"), TestPki.Leaf(ca, "CN=two"), TestPki.Leaf(ca, "CN=three")];
        using var cache = new ValidatedChainCache(capacity: 2);
        Add(cache, leaves[0], [], [ca], [], TestPki.Now);
        Add(cache, leaves[1], [], [ca], [], TestPki.Now);
        Assert.NotNull(cache.Find(Der(leaves[0]), [ca], [], TestPki.Now)); // one is now the most recent
        Add(cache, leaves[2], [], [ca], [], TestPki.Now);

        Assert.Equal(2, cache.Count);
        Assert.Null(cache.Find(Der(leaves[1]), [ca], [], TestPki.Now));
        Assert.NotNull(cache.Find(Der(leaves[0]), [ca], [], TestPki.Now));
        Assert.NotNull(cache.Find(Der(leaves[2]), [ca], [], TestPki.Now));

        cache.Clear();
        Assert.Equal(0, cache.Count);
        Assert.Null(cache.Find(Der(leaves[0]), [ca], [], TestPki.Now));
        Assert.Equal("CN=Lab CA", ca.Subject); // the configured CA is not disposed with the entries
    }
}
