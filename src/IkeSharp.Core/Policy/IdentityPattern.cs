using System.Security.Cryptography;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Policy;

/// <summary>
/// A configured remote identity (swanctl.conf remote.id) and whether a peer's ID payload matches it:
/// <c>%any</c> matches anything; a pattern with <c>*</c> matches FQDN, RFC 822 and DN identities by
/// wildcard, as strongSwan's <c>*@example.com</c> or <c>*.example.com</c>; anything else must be the
/// same identity, of the same type (RFC 7296 §3.5).
/// </summary>
public static class IdentityPattern
{
    public const string Any = "%any";

    public static bool IsWildcard(string? pattern) => pattern is null || pattern == Any || pattern.Contains('*', StringComparison.Ordinal);

    public static bool Matches(string? pattern, IdPayload id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (pattern is null || pattern == Any)
        {
            return true;
        }

        if (pattern.Contains('*', StringComparison.Ordinal))
        {
            return id.IdType is IdType.Fqdn or IdType.Rfc822Addr or IdType.DerAsn1Dn && Glob(pattern, id.DisplayValue);
        }

        IdPayload expected;
        try
        {
            expected = IdPayload.FromText(id.Role, pattern);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }

        return expected.IdType == id.IdType && (id.IdType == IdType.DerAsn1Dn
            ? Crypto.Auth.CertificateIdentity.DistinguishedNamesMatch(expected.Data.Span, id.Data.Span)
            : id.IdType is IdType.Fqdn or IdType.Rfc822Addr
                ? string.Equals(expected.DisplayValue, id.DisplayValue, StringComparison.OrdinalIgnoreCase)
                : expected.Data.Span.SequenceEqual(id.Data.Span));
    }

    /// <summary>'*' matches any run of characters, case-insensitively; iterative, so no pattern can blow up.</summary>
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t]))
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
