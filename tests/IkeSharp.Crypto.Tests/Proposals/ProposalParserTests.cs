using CsCheck;
using IkeSharp.Crypto.Proposals;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Proposals;

public class ProposalParserTests
{
    private static ProposalParseResult Ok(string text, SecurityProtocol protocol, bool allowWeak = false)
    {
        ProposalParseResult result = ProposalParser.Parse(text, protocol, allowWeak);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result;
    }

    private static ParseError Error(string text, SecurityProtocol protocol, bool allowWeak = false)
    {
        ProposalParseResult result = ProposalParser.Parse(text, protocol, allowWeak);
        Assert.False(result.IsSuccess, $"'{text}' parsed as {result.Proposal}");
        Assert.Null(result.Proposal);
        return result.Error!;
    }

    /// <summary>The transforms as "TYPE:keyword", in wire order.</summary>
    private static string[] Shape(ProposalParseResult result) =>
        [.. result.Transforms.Select(t => $"{(int)t.Type}:{t.Keyword}")];

    private static string Canonical(ProposalParseResult result) => TransformKeywords.FormatProposal(result.Transforms);

    [Theory]
    [InlineData("aes256gcm16-prfsha384-x25519", new[] { "1:aes256gcm16", "2:prfsha384", "4:x25519" })]
    [InlineData("aes256-sha256-modp2048", new[] { "1:aes256", "2:prfsha256", "3:sha256", "4:modp2048" })]
    [InlineData("chacha20poly1305-prfsha256-ecp256", new[] { "1:chacha20poly1305", "2:prfsha256", "4:ecp256" })]
    [InlineData("aes128-sha256-ecp256-modp2048", new[] { "1:aes128", "2:prfsha256", "3:sha256", "4:ecp256", "4:modp2048" })]
    [InlineData("aes256gcm16-prfsha384-x25519-ke1_mlkem768", new[] { "1:aes256gcm16", "2:prfsha384", "4:x25519", "6:ke1_mlkem768" })]
    [InlineData("aes128-aes256-sha256-sha384-prfsha256-ecp256bp", new[] { "1:aes128", "1:aes256", "2:prfsha256", "3:sha256", "3:sha384", "4:ecp256bp" })]
    [InlineData("aes256ctr-aesxcbc-modp3072", new[] { "1:aes256ctr", "2:prfaesxcbc", "3:aesxcbc", "4:modp3072" })]
    [InlineData("aes128ccm12-prfaescmac-x448", new[] { "1:aes128ccm12", "2:prfaescmac", "4:x448" })]
    public void Ike_examples_parse_into_these_transforms_and_print_back_unchanged(string text, string[] shape)
    {
        ProposalParseResult result = Ok(text, SecurityProtocol.Ike);
        Assert.Equal(shape, Shape(result));
        Assert.Equal(text, Canonical(result));
        Assert.Equal(SecurityProtocol.Ike, result.Proposal!.Protocol);
        Assert.Equal(1, result.Proposal.Number);
        Assert.True(result.Proposal.Spi.IsEmpty);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("aes128gcm16", new[] { "1:aes128gcm16", "5:noesn" }, "aes128gcm16")]
    [InlineData("aes256-sha256-esn", new[] { "1:aes256", "3:sha256", "5:esn" }, "aes256-sha256-esn")]
    [InlineData("aes128-sha1-noesn", new[] { "1:aes128", "3:sha1", "5:noesn" }, "aes128-sha1")]
    [InlineData("aes128gcm16-x25519", new[] { "1:aes128gcm16", "4:x25519", "5:noesn" }, "aes128gcm16-x25519")]
    [InlineData("aes256-sha256-modp2048-none-esn-noesn", new[] { "1:aes256", "3:sha256", "4:modp2048", "4:none", "5:esn", "5:noesn" }, "aes256-sha256-modp2048-none-esn-noesn")]
    [InlineData("null-sha256", new[] { "1:null", "3:sha256", "5:noesn" }, "null-sha256")]
    [InlineData("aes128gmac", new[] { "1:aes128gmac", "5:noesn" }, "aes128gmac")]
    [InlineData("chacha20poly1305-esn", new[] { "1:chacha20poly1305", "5:esn" }, "chacha20poly1305-esn")]
    public void Esp_examples_parse_with_noesn_by_default(string text, string[] shape, string canonical)
    {
        ProposalParseResult result = Ok(text, SecurityProtocol.Esp);
        Assert.Equal(shape, Shape(result));
        Assert.Equal(canonical, Canonical(result));
        Assert.Equal(SecurityProtocol.Esp, result.Proposal!.Protocol);
    }

    [Fact]
    public void Ah_takes_integrity_only()
    {
        Assert.Equal(["3:sha256", "5:noesn"], Shape(Ok("sha256", SecurityProtocol.Ah)));
        Assert.Contains("AH authenticates only", Error("aes128-sha256", SecurityProtocol.Ah).Message, StringComparison.Ordinal);
        Assert.Contains("AH proposal 'esn' has no integrity algorithm", Error("esn", SecurityProtocol.Ah).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aes128gcm128", "aes128gcm16")]
    [InlineData("aes128gcm", "aes128gcm16")]
    [InlineData("aes128gcm96", "aes128gcm12")]
    [InlineData("aes128gcm64", "aes128gcm8")]
    [InlineData("aes256ccm128", "aes256ccm16")]
    [InlineData("aes256ccm", "aes256ccm16")]
    [InlineData("aes192ccm96", "aes192ccm12")]
    [InlineData("aes192ccm64", "aes192ccm8")]
    [InlineData("aes", "aes128")]
    [InlineData("camellia", "camellia128")]
    [InlineData("camellia256ccm128", "camellia256ccm16")]
    [InlineData("blowfish", "blowfish128")]
    [InlineData("sha", "sha1")]
    [InlineData("sha2_256", "sha256")]
    [InlineData("sha2_384", "sha384")]
    [InlineData("sha2_512", "sha512")]
    [InlineData("curve25519", "x25519")]
    [InlineData("curve448", "x448")]
    [InlineData("modpnone", "none")]
    [InlineData("ke2_curve25519", "ke2_x25519")]
    public void Aliases_name_the_same_transform_as_their_canonical_keyword(string alias, string canonical)
    {
        ProposalKeyword a = ProposalKeywords.Find(alias)!;
        ProposalKeyword c = ProposalKeywords.Find(canonical)!;
        Assert.Equal(c.ToTransform().Keyword, a.ToTransform().Keyword);
        Assert.True(c.IsCanonical);
        Assert.Equal(canonical, a.ToTransform().Keyword);
    }

    [Fact]
    public void Every_alias_parses_in_a_proposal_and_prints_as_its_canonical_keyword()
    {
        foreach (ProposalKeyword alias in ProposalKeywords.All.Where(k => !k.IsCanonical))
        {
            string canonical = alias.ToTransform().Keyword;
            (string text, SecurityProtocol protocol) = Context(alias.Keyword, alias);
            ProposalParseResult result = ProposalParser.Parse(text, protocol, allowWeak: true);
            Assert.True(result.IsSuccess, $"{text}: {result.Error?.Message}");
            Assert.Contains(canonical, Canonical(result).Split('-'));
            Assert.DoesNotContain(alias.Keyword, Canonical(result).Split('-'));
        }
    }

    [Fact]
    public void Every_keyword_parses_in_a_proposal_and_the_canonical_form_is_a_fixpoint()
    {
        foreach (ProposalKeyword k in ProposalKeywords.All)
        {
            (string text, SecurityProtocol protocol) = Context(k.Keyword, k);
            ProposalParseResult first = ProposalParser.Parse(text, protocol, allowWeak: true);
            Assert.True(first.IsSuccess, $"{text}: {first.Error?.Message}");
            string canonical = Canonical(first);
            ProposalParseResult second = Ok(canonical, protocol, allowWeak: true);
            Assert.Equal(Shape(first), Shape(second));
            Assert.Equal(canonical, Canonical(second));
            if (k.IsCanonical && k.Type != TransformType.KeyExchange)
            {
                Assert.Equal(k, ProposalKeywords.Find(k.ToTransform().Keyword));
            }
        }
    }

    /// <summary>A proposal string that needs nothing but <paramref name="keyword"/> to be complete.</summary>
    private static (string Text, SecurityProtocol Protocol) Context(string keyword, ProposalKeyword k)
    {
        switch (k.Type)
        {
            case TransformType.Encryption:
                var id = (EncryptionAlgorithm)k.Id;
                if (ProposalKeywords.IsEspOnly(id))
                {
                    return (ProposalKeywords.IsAead(id) ? keyword : $"{keyword}-sha256", SecurityProtocol.Esp);
                }

                return (ProposalKeywords.IsAead(id) ? $"{keyword}-prfsha256-x25519" : $"{keyword}-sha256-x25519", SecurityProtocol.Ike);
            case TransformType.Integrity:
                return ($"aes128-{keyword}-x25519", SecurityProtocol.Ike);
            case TransformType.Prf:
                return ($"aes128gcm16-{keyword}-x25519", SecurityProtocol.Ike);
            case TransformType.SequenceNumbers:
                return ($"aes128gcm16-{keyword}", SecurityProtocol.Esp);
            default:
                // Key exchange (and keN_ forms): ESP takes every one, including none.
                return ($"aes128gcm16-{keyword}", SecurityProtocol.Esp);
        }
    }

    [Fact]
    public void Keywords_strongswan_accepts_for_brainpool_rfc_5114_and_3des_parse()
    {
        Assert.Equal("4:ecp256bp", Shape(Ok("aes256-sha256-ecp256bp", SecurityProtocol.Ike))[^1]);
        Assert.Equal("1:3des", Shape(Ok("3des-sha1-modp2048", SecurityProtocol.Ike))[0]);
        Assert.Equal("4:modp2048s256", Shape(Ok("aes128-sha256-modp2048s256", SecurityProtocol.Ike))[^1]);
        ProposalParseResult weak = Ok("aes128-sha1-modp1024s160", SecurityProtocol.Ike, allowWeak: true);
        Assert.Equal("4:modp1024s160", Shape(weak)[^1]);
        Assert.Single(weak.Warnings);
    }

    [Fact]
    public void Keywords_are_case_insensitive_and_may_have_spaces_around_them()
    {
        ProposalParseResult result = Ok(" AES256-Sha256 - MODP2048 ", SecurityProtocol.Ike);
        Assert.Equal("aes256-sha256-modp2048", Canonical(result));
    }

    [Fact]
    public void An_unknown_keyword_is_named_with_its_position_and_the_closest_valid_keywords()
    {
        ParseError error = Error("aes265-sha256-modp2048", SecurityProtocol.Ike);
        Assert.Equal(
            "unknown algorithm 'aes265' at position 1 (column 1) in 'aes265-sha256-modp2048'; did you mean aes256, aes256ctr, aes256gcm16?",
            error.Message);
        Assert.Equal("aes265", error.Keyword);
        Assert.Equal(1, error.Position);
        Assert.Equal(0, error.Offset);
        Assert.Equal(["aes256", "aes256ctr", "aes256gcm16"], error.Suggestions);
    }

    [Theory]
    [InlineData("aes256-sha265-modp2048", "sha265", 2, 7, "sha256")]
    [InlineData("aes256-sha256-modp2049", "modp2049", 3, 14, "modp2048")]
    [InlineData("aes256-sha256-x25591", "x25591", 3, 14, "x25519")]
    [InlineData("aes256-sha256-curve2551", "curve2551", 3, 14, "curve25519")]
    [InlineData("aes256gcm61-prfsha384-x25519", "aes256gcm61", 1, 0, "aes256gcm16")]
    [InlineData("aes256-sha256-prfsah256-x25519", "prfsah256", 3, 14, "prfsha256")]
    [InlineData("chacha20poly1350-prfsha256-x25519", "chacha20poly1350", 1, 0, "chacha20poly1305")]
    public void Typos_get_the_intended_keyword_first(string text, string keyword, int position, int offset, string first)
    {
        ParseError error = Error(text, SecurityProtocol.Ike);
        Assert.Equal(keyword, error.Keyword);
        Assert.Equal(position, error.Position);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(first, error.Suggestions[0]);
        Assert.StartsWith($"unknown algorithm '{keyword}' at position {position} (column {offset + 1}) in '{text}'; did you mean {first}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keyword_far_from_all_others_gets_a_list_of_common_ones()
    {
        ParseError error = Error("aes256-sha256-xyzzyplugh", SecurityProtocol.Ike);
        Assert.Empty(error.Suggestions);
        Assert.Equal(
            "unknown algorithm 'xyzzyplugh' at position 3 (column 15) in 'aes256-sha256-xyzzyplugh'; valid keywords include aes256gcm16, aes128gcm16, chacha20poly1305, aes256, sha256, prfsha256, prfsha384, x25519, ecp256, modp2048",
            error.Message);
    }

    [Theory]
    [InlineData("", SecurityProtocol.Ike, "empty IKE proposal; write algorithms joined by '-', e.g. aes256gcm16-prfsha384-x25519")]
    [InlineData("   ", SecurityProtocol.Esp, "empty ESP proposal; write algorithms joined by '-', e.g. aes256gcm16-esn")]
    [InlineData("aes128--sha256-x25519", SecurityProtocol.Ike, "empty keyword at position 2 (column 8) in 'aes128--sha256-x25519': two '-' in a row")]
    [InlineData("-aes128-sha256-x25519", SecurityProtocol.Ike, "empty keyword at position 1 (column 1) in '-aes128-sha256-x25519': the proposal starts with '-'")]
    [InlineData("aes128-sha256-x25519-", SecurityProtocol.Ike, "empty keyword at position 4 (column 22) in 'aes128-sha256-x25519-': the proposal ends with '-'")]
    public void Ill_formed_text_is_an_error_that_says_where(string text, SecurityProtocol protocol, string message) =>
        Assert.Equal(message, Error(text, protocol).Message);

    [Theory]
    [InlineData("sha256-modp2048", SecurityProtocol.Ike, "IKE proposal 'sha256-modp2048' has no encryption algorithm; add one such as aes256gcm16 or aes256")]
    [InlineData("aes256gcm16-x25519", SecurityProtocol.Ike, "IKE proposal 'aes256gcm16-x25519' has no PRF; AEAD encryption 'aes256gcm16' brings none, so name one, e.g. prfsha256")]
    [InlineData("aes256-sha256", SecurityProtocol.Ike, "IKE proposal 'aes256-sha256' has no key exchange method; add one such as x25519, ecp256 or modp2048")]
    [InlineData("aes256-prfsha256-modp2048", SecurityProtocol.Ike, "IKE proposal 'aes256-prfsha256-modp2048' has no integrity algorithm; classic (non-AEAD) encryption 'aes256' needs one, e.g. aes256-sha256, or use an AEAD such as aes256gcm16")]
    [InlineData("aes128gcm16-sha256-x25519", SecurityProtocol.Ike, "'sha256' at position 2 in 'aes128gcm16-sha256-x25519' is an integrity algorithm, but 'aes128gcm16' is AEAD and authenticates by itself; remove 'sha256'")]
    [InlineData("aes128gcm16-sha256", SecurityProtocol.Esp, "'sha256' at position 2 in 'aes128gcm16-sha256' is an integrity algorithm, but 'aes128gcm16' is AEAD and authenticates by itself; remove 'sha256'")]
    [InlineData("aes128-aes128gcm16-sha256-modp2048", SecurityProtocol.Ike, "classic and combined-mode (AEAD) encryption can't be mixed in one proposal: 'aes128' and 'aes128gcm16' in 'aes128-aes128gcm16-sha256-modp2048'; split them into two proposals")]
    [InlineData("null-sha256-modp2048", SecurityProtocol.Ike, "'null' at position 1 in 'null-sha256-modp2048': NULL encryption is for ESP only; IKE messages must be encrypted (RFC 7296 §3.3.2)")]
    [InlineData("aes128gmac-prfsha256-modp2048", SecurityProtocol.Ike, "'aes128gmac' at position 1 in 'aes128gmac-prfsha256-modp2048': AES-GMAC authenticates without encrypting and is defined for ESP and AH only (RFC 4543)")]
    [InlineData("aes256-sha256-modp2048-esn", SecurityProtocol.Ike, "'esn' at position 4 in 'aes256-sha256-modp2048-esn': sequence numbers (esn/noesn) belong to ESP and AH proposals, not IKE")]
    [InlineData("aes256-sha256-prfsha256", SecurityProtocol.Esp, "'prfsha256' at position 3 in 'aes256-sha256-prfsha256': a PRF belongs to IKE proposals; ESP derives its keys with the IKE SA's PRF")]
    [InlineData("aes256", SecurityProtocol.Esp, "ESP proposal 'aes256' has no integrity algorithm; classic (non-AEAD) encryption 'aes256' needs one, e.g. aes256-sha256, or use an AEAD such as aes256gcm16")]
    [InlineData("null", SecurityProtocol.Esp, "ESP proposal 'null' has no integrity algorithm; classic (non-AEAD) encryption 'null' needs one, e.g. null-sha256, or use an AEAD such as aes256gcm16")]
    [InlineData("sha256-esn", SecurityProtocol.Esp, "ESP proposal 'sha256-esn' has no encryption algorithm; add one such as aes256gcm16 or aes256 (for integrity-only ESP write null, e.g. null-sha256)")]
    public void Incomplete_or_contradictory_proposals_are_errors(string text, SecurityProtocol protocol, string message) =>
        Assert.Equal(message, Error(text, protocol).Message);

    [Theory]
    [InlineData("aes256-sha256-modp768", "modp768", "768-bit MODP (group 1) is broken (RFC 8247 §2.4 rules it out)")]
    [InlineData("aes256-sha256-modp1024", "modp1024", "1024-bit MODP (group 2) is within reach of precomputation attacks (RFC 8247 §2.4 advises against it)")]
    [InlineData("aes256-sha256-modp1536", "modp1536", "1536-bit MODP (group 5) gives less than 128-bit security (RFC 8247 §2.4 advises against it)")]
    [InlineData("aes256-sha256-modp1024s160", "modp1024s160", "1024-bit MODP with a 160-bit subgroup (group 22) (RFC 8247 §2.4 advises against it)")]
    [InlineData("des-sha256-modp2048", "des", "single DES has a 56-bit key (RFC 8247 §2.1 rules it out)")]
    [InlineData("aes256-md5-modp2048", "md5", "HMAC-MD5 (RFC 8247 §2.3 rules it out)")]
    [InlineData("aes256-md5_128-modp2048", "md5_128", "HMAC-MD5 (RFC 8247 §2.3 rules it out)")]
    [InlineData("aes256-sha256-prfmd5-modp2048", "prfmd5", "PRF_HMAC_MD5 (RFC 8247 §2.2 rules it out)")]
    public void Weak_algorithms_need_allow_weak_and_then_warn(string text, string keyword, string reason)
    {
        ParseError error = Error(text, SecurityProtocol.Ike);
        int position = Array.IndexOf(text.Split('-'), keyword) + 1;
        Assert.Equal($"weak algorithm '{keyword}' at position {position} in '{text}': {reason}; it is refused unless weak algorithms are allowed explicitly", error.Message);
        Assert.Equal(keyword, error.Keyword);

        ProposalParseResult allowed = Ok(text, SecurityProtocol.Ike, allowWeak: true);
        Assert.Equal([$"'{keyword}' in '{text}' is weak: {reason}; accepted because weak algorithms are allowed"], allowed.Warnings);
    }

    [Fact]
    public void The_classic_cisco_group_5_proposal_works_when_weak_groups_are_allowed()
    {
        ProposalParseResult result = Ok("aes256-sha256-modp1536", SecurityProtocol.Ike, allowWeak: true);
        Assert.Equal(["1:aes256", "2:prfsha256", "3:sha256", "4:modp1536"], Shape(result));
        Assert.Single(result.Warnings);
    }

    [Fact]
    public void A_repeated_transform_is_dropped_with_a_warning()
    {
        ProposalParseResult result = Ok("aes128gcm16-aes128gcm128-prfsha256-x25519", SecurityProtocol.Ike);
        Assert.Equal(["1:aes128gcm16", "2:prfsha256", "4:x25519"], Shape(result));
        Assert.Equal(["'aes128gcm128' at position 2 in 'aes128gcm16-aes128gcm128-prfsha256-x25519' repeats 'aes128gcm16'; the repeat is ignored"], result.Warnings);
    }

    [Fact]
    public void None_in_an_ike_proposal_is_ignored_with_a_warning()
    {
        ProposalParseResult result = Ok("aes128-sha256-modp2048-none", SecurityProtocol.Ike);
        Assert.Equal("aes128-sha256-modp2048", Canonical(result));
        Assert.Equal(["'none' in 'aes128-sha256-modp2048-none' has no meaning in an IKE proposal (IKE_SA_INIT always exchanges keys); it is ignored"], result.Warnings);
        Assert.Equal("IKE proposal 'aes128-sha256-none' has no key exchange method; add one such as x25519, ecp256 or modp2048", Error("aes128-sha256-none", SecurityProtocol.Ike).Message);
    }

    [Fact]
    public void Integrity_keywords_each_bring_their_prf_when_none_is_named()
    {
        ProposalParseResult result = Ok("aes256-sha256-sha384-aesxcbc-sha1_160-modp2048", SecurityProtocol.Ike);
        Assert.Equal(
            ["1:aes256", "2:prfsha256", "2:prfsha384", "2:prfaesxcbc", "2:prfsha1", "3:sha256", "3:sha384", "3:aesxcbc", "3:sha1_160", "4:modp2048"],
            Shape(result));
        Assert.Equal(["1:aes256", "2:prfsha512", "3:sha256", "4:modp2048"], Shape(Ok("aes256-sha256-prfsha512-modp2048", SecurityProtocol.Ike)));
    }

    [Fact]
    public void A_list_is_numbered_and_an_error_says_which_proposal()
    {
        ProposalListParseResult list = ProposalParser.ParseList("aes128-sha256-x25519, aes256gcm16-prfsha384-ecp384", SecurityProtocol.Ike);
        Assert.True(list.IsSuccess);
        Assert.Equal([1, 2], list.Proposals.Select(p => (int)p.Number));
        Assert.Equal("aes256gcm16-prfsha384-ecp384", list.Proposals[1].Keywords);

        ProposalListParseResult bad = ProposalParser.ParseList("aes128-sha256-x25519,aes256gcm16-x25519", SecurityProtocol.Ike);
        Assert.False(bad.IsSuccess);
        Assert.Empty(bad.Proposals);
        Assert.Equal("proposal 2 of 'aes128-sha256-x25519,aes256gcm16-x25519': IKE proposal 'aes256gcm16-x25519' has no PRF; AEAD encryption 'aes256gcm16' brings none, so name one, e.g. prfsha256", bad.Error!.Message);
    }

    [Fact]
    public void A_list_longer_than_an_sa_payload_holds_is_an_error()
    {
        string text = string.Join(",", Enumerable.Repeat("aes128gcm16", 256));
        Assert.Equal("256 proposals in one list; at most 255 fit in an SA payload", ProposalParser.ParseList(text, SecurityProtocol.Esp).Error!.Message);
        Assert.Equal(255, ProposalParser.ParseList(string.Join(",", Enumerable.Repeat("aes128gcm16", 255)), SecurityProtocol.Esp).Proposals.Count);
    }

    [Fact]
    public void Only_ike_esp_and_ah_proposals_parse() =>
        Assert.StartsWith("proposals for ", Error("aes128gcm16", SecurityProtocol.FcEspHeader).Message, StringComparison.Ordinal);

    [Fact]
    public void Random_keyword_strings_never_throw_and_what_parses_prints_to_a_fixpoint()
    {
        string[] words = [.. ProposalKeywords.All.Select(k => k.Keyword), "ke1_mlkem768", "ke7_none", "bogus", "", "AES128"];
        var gen = from protocol in Gen.Int[0, 2].Select(i => i switch { 0 => SecurityProtocol.Ike, 1 => SecurityProtocol.Esp, _ => SecurityProtocol.Ah })
                  from count in Gen.Int[1, 6]
                  from picks in Gen.Int[0, words.Length - 1].Array[count]
                  from weak in Gen.Bool
                  select (protocol, text: string.Join("-", picks.Select(i => words[i])), weak);
        gen.Sample(input =>
        {
            ProposalParseResult result = ProposalParser.Parse(input.text, input.protocol, input.weak);
            if (!result.IsSuccess)
            {
                Assert.False(string.IsNullOrWhiteSpace(result.Error!.Message));
                return;
            }

            string canonical = Canonical(result);
            ProposalParseResult again = ProposalParser.Parse(canonical, input.protocol, input.weak);
            Assert.True(again.IsSuccess, $"{input.text} -> {canonical}: {again.Error?.Message}");
            Assert.Equal(Shape(result), Shape(again));
            Assert.Equal(canonical, Canonical(again));
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void Edit_distance_counts_a_transposition_once()
    {
        Assert.Equal(0, Spelling.Distance("aes256", "aes256"));
        Assert.Equal(1, Spelling.Distance("aes265", "aes256"));
        Assert.Equal(1, Spelling.Distance("aes25", "aes256"));
        Assert.Equal(3, Spelling.Distance("", "abc"));
        Assert.Equal(2, Spelling.Distance("ab", "ba") + 1);
    }
}
