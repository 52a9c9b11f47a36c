using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Proposals;

/// <summary>
/// Reads strongSwan proposal strings (swanctl.conf <c>proposals</c> and <c>esp_proposals</c>) into
/// Wire <see cref="Proposal"/>s, with strongSwan's rules (proposal.c, check_proposal):
/// <list type="bullet">
/// <item>keywords are separated by '-'; several of one type are alternatives within the proposal
/// (aes128-sha256-ecp256-modp2048 offers two key exchanges);</item>
/// <item>an IKE proposal needs encryption, a PRF and a key exchange, and integrity unless its
/// encryption is AEAD; without a prf keyword each integrity keyword brings its PRF (sha256 gives
/// HMAC_SHA2_256_128 and PRF_HMAC_SHA2_256);</item>
/// <item>an ESP proposal without esn/noesn gets noesn; its key exchanges are for PFS;</item>
/// <item>AEAD and classic encryption do not mix, and AEAD takes no integrity keyword.</item>
/// </list>
/// Stricter than strongSwan where strongSwan silently drops things: an integrity keyword with AEAD,
/// a PRF in ESP, ESP encryption without integrity, and weak algorithms (MODP 768/1024/1536, DES,
/// MD5) are errors unless weak algorithms are allowed. Printing with
/// <see cref="TransformKeywords.FormatProposal"/> gives the canonical spelling back.
/// </summary>
public static class ProposalParser
{
    private const int MaxSuggestions = 3;

    /// <summary>Parses one proposal (no commas). The proposal is numbered 1 and has no SPI.</summary>
    public static ProposalParseResult Parse(string text, SecurityProtocol protocol, bool allowWeak = false) =>
        Parse(text, protocol, allowWeak, number: 1);

    /// <summary>Parses a comma-separated list of proposals, numbering them from 1; stops at the first error.</summary>
    public static ProposalListParseResult ParseList(string text, SecurityProtocol protocol, bool allowWeak = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var proposals = new List<Proposal>();
        var warnings = new List<string>();
        string[] parts = text.Split(',');
        if (parts.Length > byte.MaxValue)
        {
            return new ProposalListParseResult([], new ParseError($"{parts.Length} proposals in one list; at most 255 fit in an SA payload", null, null, null, []), warnings);
        }

        for (int i = 0; i < parts.Length; i++)
        {
            ProposalParseResult result = Parse(parts[i], protocol, allowWeak, (byte)(i + 1));
            warnings.AddRange(result.Warnings);
            if (result.Error is { } error)
            {
                string where = parts.Length > 1 ? $"proposal {i + 1} of '{text}': " : string.Empty;
                return new ProposalListParseResult([], error with { Message = where + error.Message }, warnings);
            }

            proposals.Add(result.Proposal!);
        }

        return new ProposalListParseResult(proposals, null, warnings);
    }

    private static ProposalParseResult Parse(string text, SecurityProtocol protocol, bool allowWeak, byte number)
    {
        ArgumentNullException.ThrowIfNull(text);
        var warnings = new List<string>();
        text = text.Trim();
        string shown = text;
        if (shown.Length == 0)
        {
            return ProposalParseResult.Fail(new ParseError($"empty {Name(protocol)} proposal; write algorithms joined by '-', e.g. {Example(protocol)}", null, null, null, []), warnings);
        }

        if (protocol is not (SecurityProtocol.Ike or SecurityProtocol.Esp or SecurityProtocol.Ah))
        {
            return ProposalParseResult.Fail(new ParseError($"proposals for {protocol.ToIanaName()} are not supported; IKE, ESP and AH are", null, null, null, []), warnings);
        }

        // Each keyword in the order written, with how it was spelt and its position.
        var chosen = new List<(ProposalKeyword Entry, string Written, int Position)>();
        int position = 0;
        int start = 0;
        while (true)
        {
            int dash = text.IndexOf('-', start);
            int end = dash < 0 ? text.Length : dash;
            position++;
            string raw = text.Substring(start, end - start);
            string token = raw.Trim();
            int offset = start + (raw.Length - raw.TrimStart().Length);
            if (token.Length == 0)
            {
                string why = start == 0 ? "the proposal starts with '-'" : dash < 0 ? "the proposal ends with '-'" : "two '-' in a row";
                return ProposalParseResult.Fail(new ParseError($"empty keyword at position {position} (column {offset + 1}) in '{shown}': {why}", string.Empty, position, offset, []), warnings);
            }

            string keyword = token.ToLowerInvariant();
            ProposalKeyword? entry = ProposalKeywords.Find(keyword);
            if (entry is null)
            {
                IReadOnlyList<string> suggestions = Suggest(keyword);
                string hint = suggestions.Count > 0
                    ? $"did you mean {string.Join(", ", suggestions)}?"
                    : $"valid keywords include {Common(protocol)}";
                return ProposalParseResult.Fail(new ParseError($"unknown algorithm '{token}' at position {position} (column {offset + 1}) in '{shown}'; {hint}", token, position, offset, suggestions), warnings);
            }

            if (Misplaced(entry, protocol) is { } misplaced)
            {
                return ProposalParseResult.Fail(new ParseError($"'{token}' at position {position} in '{shown}': {misplaced}", token, position, offset, []), warnings);
            }

            if (entry.WeakReason is { } reason)
            {
                if (!allowWeak)
                {
                    return ProposalParseResult.Fail(new ParseError(
                        $"weak algorithm '{token}' at position {position} in '{shown}': {reason}; it is refused unless weak algorithms are allowed explicitly",
                        token, position, offset, []), warnings);
                }

                warnings.Add($"'{token}' in '{shown}' is weak: {reason}; accepted because weak algorithms are allowed");
            }

            int duplicate = chosen.FindIndex(c => c.Entry.SameTransform(entry));
            if (duplicate >= 0)
            {
                warnings.Add($"'{token}' at position {position} in '{shown}' repeats '{chosen[duplicate].Written}'; the repeat is ignored");
            }
            else
            {
                chosen.Add((entry, token, position));
            }

            if (dash < 0)
            {
                break;
            }

            start = dash + 1;
        }

        if (Check(chosen, protocol, shown, warnings) is { } error)
        {
            return ProposalParseResult.Fail(error, warnings);
        }

        return new ProposalParseResult(new Proposal(number, protocol, ReadOnlyMemory<byte>.Empty, Order(chosen)), null, warnings);
    }

    /// <summary>Why a keyword has no place in a proposal for <paramref name="protocol"/>, or null.</summary>
    private static string? Misplaced(ProposalKeyword entry, SecurityProtocol protocol)
    {
        switch (protocol)
        {
            case SecurityProtocol.Ike when entry.Type == TransformType.Encryption && ProposalKeywords.IsEspOnly((EncryptionAlgorithm)entry.Id):
                return entry.Id == (ushort)EncryptionAlgorithm.Null
                    ? "NULL encryption is for ESP only; IKE messages must be encrypted (RFC 7296 §3.3.2)"
                    : "AES-GMAC authenticates without encrypting and is defined for ESP and AH only (RFC 4543)";
            case SecurityProtocol.Ike when entry.Type == TransformType.SequenceNumbers:
                return "sequence numbers (esn/noesn) belong to ESP and AH proposals, not IKE";
            case SecurityProtocol.Esp or SecurityProtocol.Ah when entry.Type == TransformType.Prf:
                return $"a PRF belongs to IKE proposals; {Name(protocol)} derives its keys with the IKE SA's PRF";
            case SecurityProtocol.Ah when entry.Type == TransformType.Encryption:
                return "AH authenticates only; it has no encryption algorithm";
            default:
                return null;
        }
    }

    /// <summary>The proposal-wide rules of strongSwan's check_proposal, stricter where noted above; may add implied transforms.</summary>
    private static ParseError? Check(List<(ProposalKeyword Entry, string Written, int Position)> chosen, SecurityProtocol protocol, string shown, List<string> warnings)
    {
        var encryption = chosen.Where(c => c.Entry.Type == TransformType.Encryption).ToList();
        var integrity = chosen.Where(c => c.Entry.Type == TransformType.Integrity).ToList();
        var aead = encryption.Where(c => ProposalKeywords.IsAead((EncryptionAlgorithm)c.Entry.Id)).ToList();
        var classic = encryption.Where(c => !ProposalKeywords.IsAead((EncryptionAlgorithm)c.Entry.Id)).ToList();
        string name = Name(protocol);

        if (protocol != SecurityProtocol.Ah)
        {
            if (encryption.Count == 0)
            {
                string extra = protocol == SecurityProtocol.Esp ? " (for integrity-only ESP write null, e.g. null-sha256)" : string.Empty;
                return Whole($"{name} proposal '{shown}' has no encryption algorithm; add one such as aes256gcm16 or aes256{extra}");
            }

            if (aead.Count > 0 && classic.Count > 0)
            {
                return At(aead[0], $"classic and combined-mode (AEAD) encryption can't be mixed in one proposal: '{classic[0].Written}' and '{aead[0].Written}' in '{shown}'; split them into two proposals");
            }

            if (aead.Count > 0 && integrity.Count > 0)
            {
                return At(integrity[0], $"'{integrity[0].Written}' at position {integrity[0].Position} in '{shown}' is an integrity algorithm, but '{aead[0].Written}' is AEAD and authenticates by itself; remove '{integrity[0].Written}'");
            }

            if (classic.Count > 0 && integrity.Count == 0)
            {
                return Whole($"{name} proposal '{shown}' has no integrity algorithm; classic (non-AEAD) encryption '{classic[0].Written}' needs one, e.g. {classic[0].Written}-sha256, or use an AEAD such as aes256gcm16");
            }
        }
        else if (integrity.Count == 0)
        {
            return Whole($"AH proposal '{shown}' has no integrity algorithm; add one such as sha256");
        }

        if (protocol == SecurityProtocol.Ike)
        {
            if (!chosen.Any(c => c.Entry.Type == TransformType.Prf))
            {
                // strongSwan's integ_prf_map: each integrity algorithm brings the PRF built on the same hash or cipher.
                foreach (var i in integrity)
                {
                    if (ImpliedPrf((IntegrityAlgorithm)i.Entry.Id) is { } prf && !chosen.Any(c => c.Entry.Type == TransformType.Prf && c.Entry.Id == (ushort)prf))
                    {
                        chosen.Add((new ProposalKeyword(((PseudorandomFunction)prf).ToKeyword(), TransformType.Prf, (ushort)prf, null, null), i.Written, i.Position));
                    }
                }
            }

            if (!chosen.Any(c => c.Entry.Type == TransformType.Prf))
            {
                string why = aead.Count > 0 ? $"AEAD encryption '{aead[0].Written}' brings none, so name one, e.g. prfsha256" : "add one such as prfsha256";
                return Whole($"IKE proposal '{shown}' has no PRF; {why}");
            }

            // strongSwan drops KE_NONE from IKE proposals: IKE_SA_INIT always exchanges keys.
            foreach (var none in chosen.Where(c => c.Entry.Type == TransformType.KeyExchange && c.Entry.Id == (ushort)KeyExchangeMethod.None).ToList())
            {
                chosen.Remove(none);
                warnings.Add($"'{none.Written}' in '{shown}' has no meaning in an IKE proposal (IKE_SA_INIT always exchanges keys); it is ignored");
            }

            if (!chosen.Any(c => c.Entry.Type == TransformType.KeyExchange))
            {
                return Whole($"IKE proposal '{shown}' has no key exchange method; add one such as x25519, ecp256 or modp2048");
            }
        }
        else if (!chosen.Any(c => c.Entry.Type == TransformType.SequenceNumbers))
        {
            // No esn keyword: 32-bit sequence numbers only (strongSwan's default).
            chosen.Add((ProposalKeywords.Find("noesn")!, "noesn", 0));
        }

        return null;

        static ParseError Whole(string message) => new(message, null, null, null, []);

        static ParseError At((ProposalKeyword Entry, string Written, int Position) c, string message) => new(message, c.Written, c.Position, null, []);
    }

    /// <summary>strongSwan's integ_prf_map (proposal.c).</summary>
    private static PseudorandomFunction? ImpliedPrf(IntegrityAlgorithm integrity) => integrity switch
    {
        IntegrityAlgorithm.HmacSha1_96 or IntegrityAlgorithm.HmacSha1_160 => PseudorandomFunction.HmacSha1,
        IntegrityAlgorithm.HmacSha2_256_128 => PseudorandomFunction.HmacSha2_256,
        IntegrityAlgorithm.HmacSha2_384_192 => PseudorandomFunction.HmacSha2_384,
        IntegrityAlgorithm.HmacSha2_512_256 => PseudorandomFunction.HmacSha2_512,
        IntegrityAlgorithm.HmacMd5_96 or IntegrityAlgorithm.HmacMd5_128 => PseudorandomFunction.HmacMd5,
        IntegrityAlgorithm.AesXcbc96 => PseudorandomFunction.Aes128Xcbc,
        IntegrityAlgorithm.AesCmac96 => PseudorandomFunction.Aes128Cmac,
        _ => null,
    };

    /// <summary>Transforms in IANA type order (ENCR, PRF, INTEG, KE, ESN, ADDKE1..7), each type in the order written.</summary>
    private static Transform[] Order(List<(ProposalKeyword Entry, string Written, int Position)> chosen) =>
        [.. chosen.Select((c, index) => (c.Entry, index))
            .OrderBy(c => (int)c.Entry.Type)
            .ThenBy(c => c.index)
            .Select(c => c.Entry.ToTransform())];

    /// <summary>
    /// The keywords closest to an unknown one: those within a small edit distance (transpositions
    /// count once, so aes265 is one step from aes256), then, if room is left, the canonical
    /// keywords that extend the best match (aes256ctr, aes256gcm16 after aes256).
    /// </summary>
    internal static IReadOnlyList<string> Suggest(string keyword)
    {
        int threshold = Math.Max(2, keyword.Length / 3);
        var close = ProposalKeywords.All
            .Select((k, index) => (k.Keyword, Distance: Spelling.Distance(keyword, k.Keyword), index))
            .Where(k => k.Distance <= threshold)
            .OrderBy(k => k.Distance)
            .ThenBy(k => k.index)
            .Select(k => k.Keyword)
            .Distinct(StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .ToList();
        if (close.Count is > 0 and < MaxSuggestions)
        {
            string best = close[0];
            ProposalKeyword bestEntry = ProposalKeywords.Find(best)!;
            foreach (ProposalKeyword k in ProposalKeywords.All)
            {
                if (close.Count >= MaxSuggestions)
                {
                    break;
                }

                if (k.Type == bestEntry.Type && k.IsCanonical && k.Keyword.Length > best.Length &&
                    k.Keyword.StartsWith(best, StringComparison.Ordinal) && !close.Contains(k.Keyword))
                {
                    close.Add(k.Keyword);
                }
            }
        }

        return close;
    }


    private static string Name(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => "IKE",
        SecurityProtocol.Esp => "ESP",
        SecurityProtocol.Ah => "AH",
        _ => protocol.ToIanaName(),
    };

    private static string Common(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => "aes256gcm16, aes128gcm16, chacha20poly1305, aes256, sha256, prfsha256, prfsha384, x25519, ecp256, modp2048",
        SecurityProtocol.Ah => "sha256, sha384, sha512, esn, noesn",
        _ => "aes256gcm16, aes128gcm16, chacha20poly1305, aes256, sha256, null, esn, noesn, x25519",
    };

    private static string Example(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => "aes256gcm16-prfsha384-x25519",
        SecurityProtocol.Ah => "sha256-esn",
        _ => "aes256gcm16-esn",
    };
}
