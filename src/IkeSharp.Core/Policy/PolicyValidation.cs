using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Policy;

/// <summary>
/// Checks a connection before the engine takes it: every IKE proposal must settle encryption, PRF
/// and key exchange (and integrity unless the cipher is AEAD), every ESP proposal encryption (and
/// integrity unless AEAD). The error names the connection, the proposal and what is missing.
/// </summary>
public static class PolicyValidation
{
    private static bool IsAead(Transform t) => (EncryptionAlgorithm)t.Id is EncryptionAlgorithm.AesGcm8 or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16
        or EncryptionAlgorithm.AesCcm8 or EncryptionAlgorithm.AesCcm12 or EncryptionAlgorithm.AesCcm16 or EncryptionAlgorithm.Chacha20Poly1305 or EncryptionAlgorithm.NullAuthAesGmac;

    /// <summary>The problems with <paramref name="config"/>, empty when it is usable.</summary>
    public static List<string> Check(ConnectionConfig config)
    {
        var problems = new List<string>();
        if (config.Proposals.Count == 0)
        {
            problems.Add($"connection {config.Name}: no IKE proposals");
        }

        foreach (IReadOnlyList<Transform> p in config.Proposals)
        {
            string name = TransformKeywords.FormatProposal(p);
            bool aead = p.Any(t => t.Type == TransformType.Encryption && IsAead(t));
            bool classic = p.Any(t => t.Type == TransformType.Encryption && !IsAead(t));
            Require(problems, config.Name, "IKE", name, p, TransformType.Encryption, "encryption algorithm");
            Require(problems, config.Name, "IKE", name, p, TransformType.Prf, "PRF");
            Require(problems, config.Name, "IKE", name, p, TransformType.KeyExchange, "key exchange method");
            if (classic && !p.Any(t => t.Type == TransformType.Integrity && t.Id != 0))
            {
                problems.Add($"connection {config.Name}: IKE proposal {name} has a non-AEAD cipher but no integrity algorithm");
            }

            if (aead && classic)
            {
                problems.Add($"connection {config.Name}: IKE proposal {name} mixes AEAD and non-AEAD ciphers; write them as two proposals");
            }
        }

        foreach (ChildConfig child in config.Children)
        {
            if (child.EspProposals.Count == 0)
            {
                problems.Add($"connection {config.Name}, child {child.Name}: no ESP proposals");
            }

            foreach (IReadOnlyList<Transform> p in child.EspProposals)
            {
                string name = TransformKeywords.FormatProposal(p);
                Require(problems, $"{config.Name}, child {child.Name}", "ESP", name, p, TransformType.Encryption, "encryption algorithm");
                bool classic = p.Any(t => t.Type == TransformType.Encryption && !IsAead(t) && (EncryptionAlgorithm)t.Id != EncryptionAlgorithm.Null);
                if (classic && !p.Any(t => t.Type == TransformType.Integrity && t.Id != 0))
                {
                    problems.Add($"connection {config.Name}, child {child.Name}: ESP proposal {name} has a non-AEAD cipher but no integrity algorithm");
                }
            }

            if ((child.LocalTs.Count == 0 && !child.LocalTsDynamic) || (child.RemoteTs.Count == 0 && !child.RemoteTsDynamic))
            {
                problems.Add($"connection {config.Name}, child {child.Name}: local_ts and remote_ts must each name at least one selector");
            }
        }

        return problems;
    }

    private static void Require(List<string> problems, string where, string protocol, string name, IReadOnlyList<Transform> proposal, TransformType type, string what)
    {
        if (!proposal.Any(t => t.Type == type && !(type == TransformType.KeyExchange && t.Id == 0)))
        {
            problems.Add($"connection {where}: {protocol} proposal {name} has no {what}");
        }
    }
}
