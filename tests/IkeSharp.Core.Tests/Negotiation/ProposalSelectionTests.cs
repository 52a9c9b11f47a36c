using IkeSharp.Core.Negotiation;

namespace IkeSharp.Core.Tests.Negotiation;

public class ProposalSelectionTests
{
    private static readonly Transform Aes128Gcm = Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128);
    private static readonly Transform Aes256Gcm = Transform.Encryption(EncryptionAlgorithm.AesGcm16, 256);
    private static readonly Transform Aes256 = Transform.Encryption(EncryptionAlgorithm.AesCbc, 256);
    private static readonly Transform Sha256 = Transform.Integrity(IntegrityAlgorithm.HmacSha2_256_128);
    private static readonly Transform PrfSha256 = Transform.Prf(PseudorandomFunction.HmacSha2_256);
    private static readonly Transform PrfSha384 = Transform.Prf(PseudorandomFunction.HmacSha2_384);
    private static readonly Transform X25519 = Transform.KeyExchange(KeyExchangeMethod.Curve25519);
    private static readonly Transform Ecp256 = Transform.KeyExchange(KeyExchangeMethod.Ecp256);
    private static readonly Transform Modp2048 = Transform.KeyExchange(KeyExchangeMethod.Modp2048);
    private static readonly Transform NoEsn = Transform.Esn(SequenceNumbers.NoEsn);
    private static readonly Transform Esn = Transform.Esn(SequenceNumbers.Esn);

    private static Proposal Offer(byte n, params Transform[] t) => new(n, SecurityProtocol.Ike, ReadOnlyMemory<byte>.Empty, t);

    [Fact]
    public void Responder_prefers_its_own_order_and_picks_one_transform_per_type()
    {
        IReadOnlyList<Transform>[] configured = [[Aes256Gcm, PrfSha384, X25519], [Aes128Gcm, PrfSha256, X25519, Ecp256]];
        Proposal[] offered = [Offer(1, Aes128Gcm, PrfSha256, Ecp256, X25519), Offer(2, Aes256Gcm, PrfSha384, X25519)];

        SelectionResult r = ProposalSelection.Select(SecurityProtocol.Ike, configured, offered);
        Assert.True(r.IsMatch);
        Assert.Equal(2, r.Proposal!.Number);
        Assert.Equal("aes256gcm16-prfsha384-x25519", TransformKeywords.FormatProposal(r.Proposal.Transforms));
    }

    [Fact]
    public void Among_alternatives_the_responders_first_wins()
    {
        IReadOnlyList<Transform>[] configured = [[Aes128Gcm, PrfSha256, X25519, Ecp256]];
        SelectionResult r = ProposalSelection.Select(SecurityProtocol.Ike, configured, [Offer(1, Aes128Gcm, PrfSha256, Ecp256, X25519)]);
        Assert.Equal(KeyExchangeMethod.Curve25519, (KeyExchangeMethod)r.Proposal!.Transforms.Single(t => t.Type == TransformType.KeyExchange).Id);
    }

    [Fact]
    public void Key_length_is_part_of_the_match()
    {
        SelectionResult r = ProposalSelection.Select(SecurityProtocol.Ike, [[Aes256Gcm, PrfSha256, X25519]], [Offer(1, Aes128Gcm, PrfSha256, X25519)]);
        Assert.False(r.IsMatch);
        Assert.Contains("no common encryption algorithm (offered aes128gcm16, configured aes256gcm16)", r.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_is_explained_per_offered_proposal()
    {
        SelectionResult r = ProposalSelection.Select(SecurityProtocol.Ike, [[Aes256, Sha256, PrfSha256, Modp2048]],
            [Offer(1, Aes256, Sha256, PrfSha256, Ecp256), Offer(2, Aes128Gcm, PrfSha256, X25519)]);
        Assert.False(r.IsMatch);
        Assert.Equal(2, r.Reasons.Count);
        Assert.Contains("offered #1 aes256-sha256-ecp256 vs configured aes256-sha256-modp2048: no common key exchange method (offered ecp256, configured modp2048)", r.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("no common encryption algorithm", r.Reasons[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Esp_without_pfs_matches_only_a_peer_without_pfs_and_esn_must_agree()
    {
        Proposal esp(byte n, params Transform[] t) => new(n, SecurityProtocol.Esp, new byte[] { 1, 2, 3, 4 }, t);
        IReadOnlyList<Transform>[] noPfs = [[Aes128Gcm, NoEsn]];

        SelectionResult plain = ProposalSelection.Select(SecurityProtocol.Esp, noPfs, [esp(1, Aes128Gcm, NoEsn)]);
        Assert.True(plain.IsMatch);
        Assert.Equal([1, 2, 3, 4], plain.Proposal!.Spi.ToArray());

        Assert.False(ProposalSelection.Select(SecurityProtocol.Esp, noPfs, [esp(1, Aes128Gcm, X25519, NoEsn)]).IsMatch);
        Assert.True(ProposalSelection.Select(SecurityProtocol.Esp, noPfs, [esp(1, Aes128Gcm, Transform.KeyExchange(KeyExchangeMethod.None), NoEsn)]).IsMatch);
        Assert.False(ProposalSelection.Select(SecurityProtocol.Esp, noPfs, [esp(1, Aes128Gcm, Esn)]).IsMatch);
        Assert.True(ProposalSelection.Select(SecurityProtocol.Esp, [[Aes128Gcm, Esn, NoEsn]], [esp(1, Aes128Gcm, NoEsn)]).IsMatch);
    }

    [Fact]
    public void Only_proposals_of_the_protocol_count()
    {
        SelectionResult r = ProposalSelection.Select(SecurityProtocol.Esp, [[Aes128Gcm, NoEsn]], [Offer(1, Aes128Gcm, PrfSha256, X25519)]);
        Assert.False(r.IsMatch);
        Assert.Contains("no ESP proposal was offered", r.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void Strongswan_capture_proposal_is_selected_by_a_matching_config()
    {
        // The x25519 capture's offer: aes128gcm16-prfsha256-x25519.
        SelectionResult r = ProposalSelection.Select(SecurityProtocol.Ike, [[Aes256Gcm, PrfSha384, X25519], [Aes128Gcm, PrfSha256, X25519]], [Offer(1, Aes128Gcm, PrfSha256, X25519)]);
        Assert.Equal("aes128gcm16-prfsha256-x25519", r.Proposal!.Keywords);
    }
}
