using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto.Auth;
using IkeSharp.Crypto.Tests.Auth;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// IKE_AUTH with certificates (RFC 7296 §2.15, RFC 7427), asymmetric authentication, CERTREQ, and
/// every way a certificate can fail: each failure installs nothing at either end.
/// </summary>
public class CertificateAuthTests
{
    private sealed class FixedCalendar(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }

    private static readonly EngineOptions AtNow = new() { CalendarClock = new FixedCalendar(TestPki.Now) };

    /// <summary>A CA and one ECDSA (or RSA) leaf for each gateway, carrying its FQDN as a SAN.</summary>
    private sealed class Pki
    {
        public X509Certificate2 Ca { get; } = TestPki.Root("CN=Lab CA");

        public X509Certificate2 AliceCert { get; }

        public X509Certificate2 BobCert { get; }

        public Pki(SignatureKeyType aliceKey = SignatureKeyType.EcdsaP256, SignatureKeyType bobKey = SignatureKeyType.EcdsaP256)
        {
            AliceCert = TestPki.Leaf(Ca, "CN=alice.lab.example", new TestPki.Sans(Dns: ["alice.lab.example"]), aliceKey);
            BobCert = TestPki.Leaf(Ca, "CN=bob.lab.example", new TestPki.Sans(Dns: ["bob.lab.example"]), bobKey);
        }

        public CredentialStore Store(X509Certificate2 own, X509Certificate2? trusted = null, SigningKey? key = null) =>
            new CredentialStore()
                .AddCertificate("own", own, key ?? TestPki.KeyOf(own))
                .AddAuthority("ca", trusted ?? Ca);
    }

    private static Func<ConnectionConfig, ConnectionConfig> Pubkey(string localId, string remoteId, AuthKind remote = AuthKind.PublicKey) =>
        c => c with { Local = new AuthConfig(AuthKind.PublicKey, localId) { Certs = ["own"] }, Remote = new AuthConfig(remote, remoteId) };

    private static Pair Run(int seed, Pki pki, Func<ConnectionConfig, ConnectionConfig> alice, Func<ConnectionConfig, ConnectionConfig> bob,
        ICredentialStore? aliceStore = null, ICredentialStore? bobStore = null, EngineOptions? bobOptions = null)
    {
        Pair p = Pair.Create(seed, alice, bob, aliceCredentials: aliceStore ?? pki.Store(pki.AliceCert), bobCredentials: bobStore ?? pki.Store(pki.BobCert),
            aliceOptions: AtNow, bobOptions: bobOptions ?? AtNow);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();
        return p;
    }

    private static void AssertEstablished(Pair p)
    {
        ChildSaInstalled a = Assert.Single(p.Alice.Events.OfType<ChildSaInstalled>());
        ChildSaInstalled b = Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Equal(a.SpiOut, b.SpiIn);
        Assert.Equal(a.EncryptionKeyOut.ReadOnlySpan.ToArray(), b.EncryptionKeyIn.ReadOnlySpan.ToArray());
        Assert.Empty(p.Alice.Events.OfType<AuthFailed>());
        Assert.Empty(p.Bob.Events.OfType<AuthFailed>());
    }

    private static void AssertRefusedByBob(Pair p, string reasonFragment)
    {
        AuthFailed failed = Assert.Single(p.Bob.Events.OfType<AuthFailed>());
        Assert.Contains(reasonFragment, failed.Reason, StringComparison.Ordinal);
        Assert.Contains(p.Alice.Events.OfType<AuthFailed>(), e => e.Reason.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal));
        Assert.Empty(p.Alice.Events.OfType<ChildSaInstalled>());
        Assert.Empty(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
    }

    [Theory]
    [InlineData(SignatureKeyType.EcdsaP256, SignatureKeyType.EcdsaP256)]
    [InlineData(SignatureKeyType.EcdsaP384, SignatureKeyType.Rsa)]
    [InlineData(SignatureKeyType.Rsa, SignatureKeyType.EcdsaP521)]
    public void Certificates_both_ways_establish_with_ids_bound_to_the_certificates(SignatureKeyType aliceKey, SignatureKeyType bobKey)
    {
        var pki = new Pki(aliceKey, bobKey);
        Pair p = Run(10, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"));

        AssertEstablished(p);
        Assert.Equal("bob.lab.example", Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>()).RemoteId);
        Assert.Equal("alice.lab.example", Assert.Single(p.Bob.Events.OfType<IkeSaEstablished>()).RemoteId);
    }

    [Fact]
    public void Without_a_configured_id_the_certificate_subject_dn_is_the_identity()
    {
        var pki = new Pki();
        Pair p = Run(11, pki, c => Pubkey("x", "CN=bob.lab.example")(c) with { Local = new AuthConfig(AuthKind.PublicKey) { Certs = ["own"] } },
            c => Pubkey("x", "%any")(c) with { Local = new AuthConfig(AuthKind.PublicKey) { Certs = ["own"] } });

        AssertEstablished(p);
        Assert.Equal("CN=alice.lab.example", Assert.Single(p.Bob.Events.OfType<IkeSaEstablished>()).RemoteId);
        Assert.Equal("CN=bob.lab.example", Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>()).RemoteId);
    }

    [Fact]
    public void Asymmetric_authentication_certificate_one_way_psk_the_other()
    {
        var pki = new Pki();
        byte[] psk = "asymmetric-psk-0123456789"u8.ToArray();
        CredentialStore aliceStore = pki.Store(pki.AliceCert);
        aliceStore.Add(psk, "bob.lab.example");
        CredentialStore bobStore = pki.Store(pki.BobCert);
        bobStore.Add(psk, "bob.lab.example");

        // Alice signs with her certificate; Bob proves himself with the PSK.
        Pair p = Run(12, pki, Pubkey("alice.lab.example", "bob.lab.example", AuthKind.Psk),
            c => c with { Local = new AuthConfig(AuthKind.Psk, "bob.lab.example"), Remote = new AuthConfig(AuthKind.PublicKey, "alice.lab.example") },
            aliceStore, bobStore);

        AssertEstablished(p);
    }

    [Fact]
    public void Responder_sends_certreq_and_signature_hashes_in_ike_sa_init_and_the_initiator_picks_the_requested_certificate()
    {
        var pki = new Pki();
        X509Certificate2 otherCa = TestPki.Root("CN=Other CA");
        X509Certificate2 otherLeaf = TestPki.Leaf(otherCa, "CN=alice.lab.example", new TestPki.Sans(Dns: ["alice.lab.example"]));

        // Alice has a certificate from a CA Bob does not know, listed first, and one from the lab CA.
        CredentialStore aliceStore = new CredentialStore()
            .AddCertificate("other", otherLeaf, TestPki.KeyOf(otherLeaf))
            .AddCertificate("own", pki.AliceCert, TestPki.KeyOf(pki.AliceCert))
            .AddAuthority("ca", pki.Ca).AddAuthority("other-ca", otherCa);
        Pair p = Run(13, pki, c => Pubkey("alice.lab.example", "bob.lab.example")(c) with { Local = new AuthConfig(AuthKind.PublicKey, "alice.lab.example") { Certs = ["other", "own"] } },
            Pubkey("bob.lab.example", "alice.lab.example"), aliceStore: aliceStore);

        AssertEstablished(p);
        Transmit initResponse = p.Bob.Transmitted[0];
        IkeMessage message = IkeMessage.Decode(initResponse.Datagram).Value!;
        CertReqPayload certReq = Assert.Single(message.Payloads.OfType<CertReqPayload>());
        Assert.Equal(CertificateAuthorityHash.Compute(pki.Ca), certReq.GetAuthority(0).ToArray());
        NotifyPayload hashes = Assert.Single(message.Payloads.OfType<NotifyPayload>(), n => n.NotifyType == NotifyType.SignatureHashAlgorithms);
        Assert.Contains(HashAlgorithm.Sha2_256, hashes.GetSignatureHashAlgorithms());
    }

    [Fact]
    public void Certificate_from_an_untrusted_ca_is_refused()
    {
        var pki = new Pki();
        X509Certificate2 rogueCa = TestPki.Root("CN=Rogue CA");
        X509Certificate2 rogueLeaf = TestPki.Leaf(rogueCa, "CN=alice.lab.example", new TestPki.Sans(Dns: ["alice.lab.example"]));
        Pair p = Run(14, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"),
            aliceStore: pki.Store(rogueLeaf));

        AssertRefusedByBob(p, "certificate is not trusted");
    }

    [Theory]
    [InlineData(2027, 6, 1, "expired")]
    [InlineData(2025, 6, 1, "not valid")]
    public void Certificate_outside_its_validity_is_refused(int year, int month, int day, string _)
    {
        var pki = new Pki();
        var options = new EngineOptions { CalendarClock = new FixedCalendar(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc)) };
        Pair p = Run(15, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"), bobOptions: options);

        AssertRefusedByBob(p, "certificate is not trusted");
    }

    [Fact]
    public void Certificate_revoked_by_a_crl_is_refused()
    {
        var pki = new Pki();
        byte[] crl = TestPki.Crl(pki.Ca, TestPki.Now.AddDays(-10), (pki.AliceCert, TestPki.Now.AddDays(-20)));
        CredentialStore bobStore = pki.Store(pki.BobCert).AddRevocationList(CertificateRevocationList.Load(crl).GetValueOrThrow()[0]);
        Pair p = Run(16, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"), bobStore: bobStore);

        AssertRefusedByBob(p, "revoked");
    }

    [Fact]
    public void A_second_sa_with_the_same_certificate_still_has_its_auth_signature_checked()
    {
        // Bob keeps Alice's validated path from the first SA; the second one's AUTH, made with
        // another key than her certificate's, must still be refused.
        var pki = new Pki();
        Pair p = Run(30, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"));
        AssertEstablished(p);

        X509Certificate2 stranger = TestPki.Leaf(pki.Ca, "CN=stranger", new TestPki.Sans(Dns: ["stranger.lab.example"]));
        p.Alice.Engine.Reconfigure(p.Alice.Engine.Connections, pki.Store(pki.AliceCert, key: TestPki.KeyOf(stranger)));
        p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
        p.Net.RunUntilQuiet();

        AuthFailed failed = Assert.Single(p.Bob.Events.OfType<AuthFailed>());
        Assert.Contains("signature does not verify", failed.Reason, StringComparison.Ordinal);
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
    }

    [Fact]
    public void A_reload_with_a_crl_revoking_a_certificate_refuses_the_next_sa_even_after_it_was_accepted()
    {
        var pki = new Pki();
        Pair p = Run(31, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"));
        AssertEstablished(p);

        // The same CA object, now with a CRL: the path validated for the first SA no longer counts.
        byte[] crl = TestPki.Crl(pki.Ca, TestPki.Now.AddDays(-10), (pki.AliceCert, TestPki.Now.AddDays(-20)));
        p.Bob.Engine.Reconfigure(p.Bob.Engine.Connections, pki.Store(pki.BobCert).AddRevocationList(CertificateRevocationList.Load(crl).GetValueOrThrow()[0]));
        p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
        p.Net.RunUntilQuiet();

        AuthFailed failed = Assert.Single(p.Bob.Events.OfType<AuthFailed>());
        Assert.Contains("revoked", failed.Reason, StringComparison.Ordinal);
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
    }

    [Fact]
    public void An_id_the_certificate_does_not_carry_is_refused()
    {
        var pki = new Pki();
        Pair p = Run(17, pki, Pubkey("mallory.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "%any"));

        AssertRefusedByBob(p, "does not vouch for its identity");
    }

    [Fact]
    public void Auth_signed_by_another_key_than_the_certificates_is_refused()
    {
        var pki = new Pki();
        X509Certificate2 stranger = TestPki.Leaf(pki.Ca, "CN=stranger", new TestPki.Sans(Dns: ["stranger.lab.example"]));
        Pair p = Run(18, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"),
            aliceStore: pki.Store(pki.AliceCert, key: TestPki.KeyOf(stranger)));

        AssertRefusedByBob(p, "signature does not verify");
    }

    [Fact]
    public void Psk_where_a_certificate_is_expected_is_refused_with_the_method_named()
    {
        var pki = new Pki();
        Pair p = Pair.Create(19, bobTweak: c => c with { Remote = new AuthConfig(AuthKind.PublicKey, "10.99.0.1") }, aliceOptions: AtNow, bobOptions: AtNow);
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        AssertRefusedByBob(p, "expects a certificate signature (auth = pubkey)");
    }

    [Fact]
    public void Wildcard_remote_id_accepts_a_matching_certificate_and_refuses_another()
    {
        var pki = new Pki();
        Pair ok = Run(20, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "*.lab.example"));
        AssertEstablished(ok);

        Pair refused = Run(21, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "*.corp.example"));
        AssertRefusedByBob(refused, "expects *.corp.example");
    }

    [Fact]
    public void A_pinned_peer_certificate_needs_no_ca_and_no_other_certificate_passes()
    {
        var pki = new Pki();
        CredentialStore bobStore = new CredentialStore().AddCertificate("own", pki.BobCert, TestPki.KeyOf(pki.BobCert)).AddPeerCertificate("alice", pki.AliceCert);
        Func<ConnectionConfig, ConnectionConfig> bob = c => Pubkey("bob.lab.example", "alice.lab.example")(c) with
        {
            Remote = new AuthConfig(AuthKind.PublicKey, "alice.lab.example") { Certs = ["alice"] },
        };
        AssertEstablished(Run(22, pki, Pubkey("alice.lab.example", "bob.lab.example"), bob, bobStore: bobStore));

        X509Certificate2 twin = TestPki.Leaf(pki.Ca, "CN=alice.lab.example", new TestPki.Sans(Dns: ["alice.lab.example"]));
        CredentialStore bobStore2 = new CredentialStore().AddCertificate("own", pki.BobCert, TestPki.KeyOf(pki.BobCert)).AddPeerCertificate("alice", pki.AliceCert).AddAuthority("ca", pki.Ca);
        Pair refused = Run(23, pki, Pubkey("alice.lab.example", "bob.lab.example"), bob, aliceStore: pki.Store(twin), bobStore: bobStore2);
        AssertRefusedByBob(refused, "not one of the certificates configured in remote.certs");
    }

    [Fact]
    public void A_responder_without_its_certificate_answers_authentication_failed_and_keeps_running()
    {
        var pki = new Pki();
        CredentialStore bobStore = new CredentialStore().AddAuthority("ca", pki.Ca);
        Pair p = Run(24, pki, Pubkey("alice.lab.example", "bob.lab.example"), Pubkey("bob.lab.example", "alice.lab.example"), bobStore: bobStore);

        AssertRefusedByBob(p, "none of local.certs (own) is loaded");
    }
}

public class InitiatorRefusalTests
{
    [Fact]
    public void When_the_initiator_refuses_the_responder_the_responder_is_told_and_drops_its_sas()
    {
        // Alice expects another identity than Bob's: Bob has already installed his Child SA when
        // Alice refuses, so she tells him (RFC 7296 §2.21.2) and both ends end clean.
        Pair p = Pair.Create(seed: 41, aliceTweak: c => c with { Remote = new AuthConfig(AuthKind.Psk, "10.99.0.99") });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Contains(p.Alice.Events.OfType<AuthFailed>(), e => e.Reason.Contains("expects 10.99.0.99", StringComparison.Ordinal));
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Single(p.Bob.Events.OfType<ChildSaDeleted>());
        Assert.Equal(0, p.Alice.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
        Assert.Equal(0, p.Bob.Engine.ChildSaCount);
    }
}
