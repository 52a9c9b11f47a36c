using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IkeSharp.Crypto.Auth;

/// <summary>The outcome of validating a peer's certificate: the path found, or why there is none.</summary>
public sealed record CertificateValidation(bool IsValid, string? FailureReason, IReadOnlyList<X509Certificate2> Chain, IReadOnlyList<string> Warnings)
{
    /// <summary>
    /// For a valid path, the first time (UTC) at which the same inputs could give another answer:
    /// the earliest notAfter on the path, the nextUpdate of each CRL consulted, the thisUpdate of a
    /// CRL not yet in force, and a revocation dated later than the verification time. A cache of
    /// validated paths (<see cref="ValidatedChainCache"/>) keeps an entry no longer than this.
    /// </summary>
    public DateTime ValidUntil { get; init; } = DateTime.MaxValue;

    public override string ToString() => IsValid
        ? $"valid: {string.Join(" <- ", Chain.Select(X509Parts.Describe))}"
        : FailureReason!;
}

/// <summary>
/// Certification path validation (RFC 5280 §6) to the configured CA certificates only, at a
/// time the caller hands in (the engine has no clock):
/// <list type="bullet">
/// <item>the path is built by the BCL's X509Chain with CustomRootTrust to the configured CAs, no
/// system roots, no downloads, and its own revocation checking off; the path ends at the first
/// configured CA on it, so a configured intermediate CA is a trust anchor too, as in strongSwan;</item>
/// <item>a keyUsage extension, where present, must allow digitalSignature on the end entity
/// (RFC 4945 §5.1.3.2) and keyCertSign on each CA (RFC 5280 §4.2.1.3);</item>
/// <item>each certificate below the anchor is checked against the configured CRLs of its issuer,
/// after the CRL's own signature verifies with that issuer's key (RFC 5280 §6.3).</item>
/// </list>
/// Failures name the certificate and the reason.
/// </summary>
public sealed class CertificateValidator
{
    private readonly X509Certificate2[] authorities;
    private readonly CertificateRevocationList[] revocationLists;

    public CertificateValidator(IEnumerable<X509Certificate2> trustedAuthorities, IEnumerable<CertificateRevocationList>? revocationLists = null)
    {
        ArgumentNullException.ThrowIfNull(trustedAuthorities);
        authorities = [.. trustedAuthorities];
        this.revocationLists = revocationLists is null ? [] : [.. revocationLists];
    }

    /// <summary>
    /// Validates <paramref name="endEntity"/> with the peer's other certificates as candidate
    /// intermediates, at <paramref name="verificationTime"/> (UTC).
    /// </summary>
    public CertificateValidation Validate(X509Certificate2 endEntity, IEnumerable<X509Certificate2>? intermediates, DateTime verificationTime)
    {
        ArgumentNullException.ThrowIfNull(endEntity);
        try
        {
            return ValidateParsed(endEntity, intermediates, verificationTime);
        }
        catch (CryptographicException e)
        {
            // A peer's certificate that loaded but whose inner fields OpenSSL cannot read (a broken
            // validity time or public key, found by fuzzing) fails here, as any untrusted one does.
            return Fail($"the peer's certificate {SafeDescribe(endEntity)} or one sent with it could not be processed: {e.Message}", [], []);
        }
    }

    private static string SafeDescribe(X509Certificate2 certificate)
    {
        try
        {
            return X509Parts.Describe(certificate);
        }
        catch (CryptographicException)
        {
            return "(unreadable subject)";
        }
    }

    private CertificateValidation ValidateParsed(X509Certificate2 endEntity, IEnumerable<X509Certificate2>? intermediates, DateTime verificationTime)
    {
        DateTime utc = verificationTime.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(verificationTime, DateTimeKind.Utc) : verificationTime.ToUniversalTime();
        var warnings = new List<string>();
        if (authorities.Length == 0)
        {
            return Fail($"no path from {X509Parts.Describe(endEntity)} to a configured CA: no CA certificates are configured", [], warnings);
        }

        using var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(authorities);
        if (intermediates is not null)
        {
            policy.ExtraStore.AddRange(intermediates.ToArray());
        }

        policy.RevocationMode = X509RevocationMode.NoCheck; // CRLs are checked below, from configuration only
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = utc;
        policy.VerificationTimeIgnored = false;

        bool built = chain.Build(endEntity);
        X509Certificate2[] elements = [.. chain.ChainElements.Select(e => e.Certificate)];

        // The path ends at the first configured CA on it, as in strongSwan, which trusts a
        // configured intermediate CA without its root. X509Chain anchors only at self-signed
        // certificates, so such a path comes back as partial and is cut here.
        int anchor = Array.FindIndex(elements, IsConfigured);
        X509Certificate2[] path = anchor >= 0 ? elements[..(anchor + 1)] : elements;
        string? chainProblem = DescribeChainProblem(chain, path.Length, anchor >= 0, utc);
        if (chainProblem is not null)
        {
            return Fail(chainProblem, path, warnings);
        }

        if (!built && !LinksVerify(path))
        {
            return Fail($"the path from {X509Parts.Describe(endEntity)} to the configured CA {X509Parts.Describe(path[^1])} has a signature that does not verify", path, warnings);
        }

        string? usageProblem = CheckKeyUsage(path);
        if (usageProblem is not null)
        {
            return Fail(usageProblem, path, warnings);
        }

        DateTime validUntil = DateTime.MaxValue;
        foreach (X509Certificate2 certificate in path)
        {
            validUntil = Earlier(validUntil, certificate.NotAfter.ToUniversalTime());
        }

        string? revoked = CheckRevocation(path, utc, warnings, ref validUntil);
        return revoked is null ? new CertificateValidation(true, null, path, warnings) { ValidUntil = validUntil } : Fail(revoked, path, warnings);
    }

    private static CertificateValidation Fail(string reason, IReadOnlyList<X509Certificate2> path, List<string> warnings) => new(false, reason, path, warnings);

    private bool IsConfigured(X509Certificate2 certificate) =>
        authorities.Any(a => a.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span));

    private string? DescribeChainProblem(X509Chain chain, int pathLength, bool anchored, DateTime utc)
    {
        X509ChainElementCollection elements = chain.ChainElements;
        if (elements.Count == 0)
        {
            return "no certificate to validate";
        }

        // Time, signature and constraint problems of each element up to the anchor, from the end entity up.
        for (int i = 0; i < pathLength; i++)
        {
            X509ChainElement element = elements[i];
            X509Certificate2 certificate = element.Certificate;
            foreach (X509ChainStatus status in element.ChainElementStatus)
            {
                // Named only when there is something to say: decoding the subject DN costs more than
                // the rest of this loop (a profile of the responder, issue 6).
                string name = status.Status is X509ChainStatusFlags.NoError or X509ChainStatusFlags.RevocationStatusUnknown
                    or X509ChainStatusFlags.OfflineRevocation or X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.UntrustedRoot
                    ? string.Empty
                    : X509Parts.Describe(certificate);
                switch (status.Status)
                {
                    case X509ChainStatusFlags.NoError:
                    case X509ChainStatusFlags.RevocationStatusUnknown:
                    case X509ChainStatusFlags.OfflineRevocation:
                    case X509ChainStatusFlags.PartialChain:
                    case X509ChainStatusFlags.UntrustedRoot:
                        break;
                    case X509ChainStatusFlags.NotTimeValid:
                        return Expiry(certificate, utc);
                    case X509ChainStatusFlags.NotSignatureValid:
                        return i + 1 < elements.Count
                            ? $"the signature on certificate {name} does not verify with the key of its issuer {X509Parts.Describe(elements[i + 1].Certificate)}"
                            : $"the self-signature on certificate {name} does not verify";
                    case X509ChainStatusFlags.InvalidBasicConstraints:
                        return $"certificate {name} may not issue certificates (basicConstraints: not a CA, or path length exceeded)";
                    case X509ChainStatusFlags.NotValidForUsage:
                    case X509ChainStatusFlags.CtlNotValidForUsage:
                        return $"certificate {name} is not valid for this usage (keyUsage or extendedKeyUsage)";
                    case X509ChainStatusFlags.HasNotSupportedCriticalExtension:
                        return $"certificate {name} has a critical extension that is not supported";
                    case X509ChainStatusFlags.Cyclic:
                        return $"the path from {name} loops";
                    default:
                        return $"certificate {name}: {status.StatusInformation.Trim()} ({status.Status})";
                }
            }
        }

        if (anchored)
        {
            return null;
        }

        // The path reaches no configured CA: say where it stopped.
        string start = X509Parts.Describe(elements[0].Certificate);
        X509Certificate2 top = elements[^1].Certificate;
        if (top.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData))
        {
            return authorities.Any(a => a.SubjectName.RawData.AsSpan().SequenceEqual(top.SubjectName.RawData))
                ? $"no path from {start} to a configured CA: {X509Parts.Describe(top)} is self-signed, but it is not the configured CA of that name (another key)"
                : $"no path from {start} to a configured CA: {X509Parts.Describe(top)} is self-signed but not a configured CA";
        }

        X509Certificate2? sameName = authorities.FirstOrDefault(a => a.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData));
        return sameName is not null
            ? $"no path from {start} to a configured CA: {X509Parts.Describe(top)} names the configured CA {top.IssuerName.Name} as its issuer, but that CA's key did not sign it"
            : $"no path from {start} to a configured CA: issuer {top.IssuerName.Name} unknown";
    }

    // Each certificate of a path cut at a configured intermediate CA is signed by the next one;
    // checked again here with BouncyCastle, since X509Chain reported the path only as partial.
    private static bool LinksVerify(X509Certificate2[] path)
    {
        var parser = new Org.BouncyCastle.X509.X509CertificateParser();
        for (int i = 0; i + 1 < path.Length; i++)
        {
            try
            {
                var certificate = parser.ReadCertificate(path[i].RawData);
                var issuerKey = Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(X509Parts.SubjectPublicKeyInfo(path[i + 1]).ToArray());
                if (!certificate.IsSignatureValid(issuerKey))
                {
                    return false;
                }
            }
            catch (Exception e) when (PrivateKeyLoader.IsDecodeFailure(e) || e is Org.BouncyCastle.Security.GeneralSecurityException)
            {
                return false;
            }
        }

        return true;
    }

    private static string Expiry(X509Certificate2 certificate, DateTime utc)
    {
        DateTime notBefore = certificate.NotBefore.ToUniversalTime();
        DateTime notAfter = certificate.NotAfter.ToUniversalTime();
        string name = X509Parts.Describe(certificate);
        return utc < notBefore
            ? $"certificate {name} is not valid before {Format(notBefore)} (verification time {Format(utc)})"
            : utc > notAfter
                ? $"certificate {name} expired on {Format(notAfter)} (verification time {Format(utc)})"
                : $"certificate {name} is outside the validity of its issuer (it is valid {Format(notBefore)} to {Format(notAfter)})";
    }

    private static string? CheckKeyUsage(X509Certificate2[] path)
    {
        for (int i = 0; i < path.Length; i++)
        {
            X509KeyUsageExtension? usage = path[i].Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
            if (usage is null)
            {
                continue;
            }

            if (i == 0 && (usage.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0)
            {
                return $"certificate {X509Parts.Describe(path[i])} has keyUsage {usage.KeyUsages} without digitalSignature, so it cannot sign IKE_AUTH (RFC 4945 §5.1.3.2)";
            }

            if (i > 0 && (usage.KeyUsages & X509KeyUsageFlags.KeyCertSign) == 0)
            {
                return $"CA certificate {X509Parts.Describe(path[i])} has keyUsage {usage.KeyUsages} without keyCertSign, so it cannot issue {X509Parts.Describe(path[i - 1])}";
            }
        }

        return null;
    }

    private static DateTime Earlier(DateTime a, DateTime b) => a <= b ? a : b;

    private string? CheckRevocation(X509Certificate2[] path, DateTime utc, List<string> warnings, ref DateTime validUntil)
    {
        for (int i = 0; i + 1 < path.Length; i++)
        {
            X509Certificate2 certificate = path[i];
            X509Certificate2 issuer = path[i + 1];
            foreach (CertificateRevocationList crl in revocationLists)
            {
                if (!crl.IsIssuedBy(certificate.IssuerName))
                {
                    continue;
                }

                if (!crl.IsSignedBy(issuer))
                {
                    warnings.Add($"{crl} ignored: its signature does not verify with the key of {X509Parts.Describe(issuer)}");
                    continue;
                }

                if (crl.ThisUpdate > utc)
                {
                    validUntil = Earlier(validUntil, crl.ThisUpdate); // it applies from then on
                    warnings.Add($"{crl} ignored: it is issued after the verification time {Format(utc)}");
                    continue;
                }

                if (crl.NextUpdate is { } nextUpdate)
                {
                    validUntil = Earlier(validUntil, nextUpdate); // a newer CRL is due (RFC 5280 §5.1.2.5)
                }

                if (crl.NextUpdate is { } next && next < utc)
                {
                    warnings.Add($"{crl} is stale since {Format(next)}; still used for the certificates it lists");
                }

                CertificateRevocationList.RevokedEntry? entry = crl.Find(certificate.SerialNumberBytes.Span);
                if (entry is not null && entry.RevocationDate > utc)
                {
                    validUntil = Earlier(validUntil, entry.RevocationDate); // revoked from then on
                }

                if (entry is not null && entry.RevocationDate <= utc)
                {
                    string reason = entry.Reason is null ? string.Empty : $" ({entry.Reason})";
                    return $"certificate {X509Parts.Describe(certificate)} is revoked by the CRL of {X509Parts.Describe(issuer)} since {Format(entry.RevocationDate)}{reason}";
                }
            }
        }

        return null;
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
