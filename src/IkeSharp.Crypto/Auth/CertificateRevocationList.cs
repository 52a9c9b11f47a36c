using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// An X.509 CRL (RFC 5280 §5) given as bytes from configuration: PEM ("X509 CRL", RFC 7468 §6)
/// or DER. Parsed with BouncyCastle; its signature is checked against the issuer's key when a
/// chain is validated (<see cref="CertificateValidator"/>), never trusted on its own.
/// </summary>
public sealed class CertificateRevocationList
{
    private readonly X509Crl crl;

    private CertificateRevocationList(X509Crl crl)
    {
        this.crl = crl;
        IssuerName = new X500DistinguishedName(crl.IssuerDN.GetEncoded(Asn1Encodable.Der));
    }

    /// <summary>The CRL issuer's DN (RFC 5280 §5.1.2.3).</summary>
    public X500DistinguishedName IssuerName { get; }

    /// <summary>thisUpdate, UTC.</summary>
    public DateTime ThisUpdate => DateTime.SpecifyKind(crl.ThisUpdate, DateTimeKind.Utc);

    /// <summary>nextUpdate, UTC, when present.</summary>
    public DateTime? NextUpdate => crl.NextUpdate is { } next ? DateTime.SpecifyKind(next, DateTimeKind.Utc) : null;

    /// <summary>All CRLs in PEM text, or the one CRL of DER bytes.</summary>
    public static Outcome<IReadOnlyList<CertificateRevocationList>> Load(ReadOnlySpan<byte> data)
    {
        if (!PemBlocks.LooksLikePem(data))
        {
            Outcome<CertificateRevocationList> one = LoadDer(data);
            return one.Succeeded
                ? Outcome<IReadOnlyList<CertificateRevocationList>>.Success([one.Value!])
                : Outcome<IReadOnlyList<CertificateRevocationList>>.Fail(one.Error!);
        }

        Outcome<IReadOnlyList<PemBlock>> blocks = PemBlocks.Read(data);
        if (!blocks.Succeeded)
        {
            return Outcome<IReadOnlyList<CertificateRevocationList>>.Fail(blocks.Error!);
        }

        var lists = new List<CertificateRevocationList>();
        foreach (PemBlock block in blocks.Value!.Where(b => b.Label == "X509 CRL"))
        {
            Outcome<CertificateRevocationList> one = LoadDer(block.Der);
            if (!one.Succeeded)
            {
                return Outcome<IReadOnlyList<CertificateRevocationList>>.Fail($"PEM block X509 CRL on line {block.Line}: {one.Error}");
            }

            lists.Add(one.Value!);
        }

        return lists.Count > 0
            ? Outcome<IReadOnlyList<CertificateRevocationList>>.Success(lists)
            : Outcome<IReadOnlyList<CertificateRevocationList>>.Fail(
                $"no CRL in the PEM text: found {string.Join(", ", blocks.Value!.Select(b => b.Label).Distinct())}; expected -----BEGIN X509 CRL-----");
    }

    /// <summary>One DER CertificateList (RFC 5280 §5.1).</summary>
    public static Outcome<CertificateRevocationList> LoadDer(ReadOnlySpan<byte> der)
    {
        try
        {
            X509Crl? crl = new X509CrlParser().ReadCrl(der.ToArray());
            return crl is null
                ? Outcome<CertificateRevocationList>.Fail("no CRL in the DER bytes")
                : Outcome<CertificateRevocationList>.Success(new CertificateRevocationList(crl));
        }
        catch (Exception e) when (PrivateKeyLoader.IsDecodeFailure(e) || e is Org.BouncyCastle.Security.Certificates.CrlException)
        {
            return Outcome<CertificateRevocationList>.Fail($"not an X.509 CRL in DER: {e.Message}");
        }
    }

    /// <summary>True when this CRL names <paramref name="issuer"/> as its issuer (DER-equal DNs).</summary>
    internal bool IsIssuedBy(X500DistinguishedName issuer) => IssuerName.RawData.AsSpan().SequenceEqual(issuer.RawData);

    /// <summary>True when the CRL's signature verifies with <paramref name="issuer"/>'s public key (RFC 5280 §6.3.3 (f)).</summary>
    internal bool IsSignedBy(X509Certificate2 issuer)
    {
        try
        {
            var key = Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(X509Parts.SubjectPublicKeyInfo(issuer).ToArray());
            return crl.IsSignatureValid(key);
        }
        catch (Exception e) when (PrivateKeyLoader.IsDecodeFailure(e) || e is Org.BouncyCastle.Security.GeneralSecurityException)
        {
            return false;
        }
    }

    /// <summary>The entry for a serial number (big-endian, as X509Certificate2.SerialNumberBytes), if listed.</summary>
    internal RevokedEntry? Find(ReadOnlySpan<byte> serialNumberBigEndian)
    {
        var serial = new Org.BouncyCastle.Math.BigInteger(1, serialNumberBigEndian.ToArray());
        X509CrlEntry? entry = crl.GetRevokedCertificate(serial);
        if (entry is null)
        {
            return null;
        }

        string? reason = null;
        try
        {
            Asn1OctetString? value = entry.GetExtensionValue(X509Extensions.ReasonCode);
            if (value is not null && X509ExtensionUtilities.FromExtensionValue(value) is DerEnumerated code)
            {
                reason = ReasonName(code.IntValueExact);
            }
        }
        catch (Exception e) when (PrivateKeyLoader.IsDecodeFailure(e))
        {
            reason = null;
        }

        return new RevokedEntry(DateTime.SpecifyKind(entry.RevocationDate, DateTimeKind.Utc), reason);
    }

    // CRLReason (RFC 5280 §5.3.1).
    private static string ReasonName(int code) => code switch
    {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => $"reason {code}",
    };

    public override string ToString() => $"CRL of {IssuerName.Name}, thisUpdate {ThisUpdate:yyyy-MM-dd HH:mm:ss} UTC";

    internal sealed record RevokedEntry(DateTime RevocationDate, string? Reason);
}
