using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// Reads X.509 certificates (RFC 5280) from configuration bytes or from a CERT payload:
/// PEM ("CERTIFICATE" blocks, RFC 7468 §5, as many as there are) or one DER certificate.
/// Ed25519/Ed448 certificates load like any other; their keys are read by <see cref="VerificationKey"/>.
/// </summary>
public static class CertificateLoader
{
    /// <summary>All certificates in PEM text, or the single certificate of DER bytes.</summary>
    public static Outcome<IReadOnlyList<X509Certificate2>> Load(ReadOnlySpan<byte> data)
    {
        if (!PemBlocks.LooksLikePem(data))
        {
            Outcome<X509Certificate2> one = LoadDer(data);
            return one.Succeeded
                ? Outcome<IReadOnlyList<X509Certificate2>>.Success([one.Value!])
                : Outcome<IReadOnlyList<X509Certificate2>>.Fail(one.Error!);
        }

        Outcome<IReadOnlyList<PemBlock>> blocks = PemBlocks.Read(data);
        if (!blocks.Succeeded)
        {
            return Outcome<IReadOnlyList<X509Certificate2>>.Fail(blocks.Error!);
        }

        var certificates = new List<X509Certificate2>();
        foreach (PemBlock block in blocks.Value!)
        {
            if (block.Label != "CERTIFICATE")
            {
                continue;
            }

            Outcome<X509Certificate2> certificate = LoadDer(block.Der);
            if (!certificate.Succeeded)
            {
                return Outcome<IReadOnlyList<X509Certificate2>>.Fail($"PEM block CERTIFICATE on line {block.Line}: {certificate.Error}");
            }

            certificates.Add(certificate.Value!);
        }

        if (certificates.Count == 0)
        {
            string found = string.Join(", ", blocks.Value!.Select(b => b.Label).Distinct());
            return Outcome<IReadOnlyList<X509Certificate2>>.Fail($"no certificate in the PEM text: found {found}; expected -----BEGIN CERTIFICATE-----");
        }

        return Outcome<IReadOnlyList<X509Certificate2>>.Success(certificates);
    }

    /// <summary>One DER certificate, as in a CERT payload with encoding 4 (RFC 7296 §3.6).</summary>
    public static Outcome<X509Certificate2> LoadDer(ReadOnlySpan<byte> der)
    {
        try
        {
            return Outcome<X509Certificate2>.Success(X509CertificateLoader.LoadCertificate(der));
        }
        catch (CryptographicException e)
        {
            return Outcome<X509Certificate2>.Fail($"not an X.509 certificate in DER: {e.Message}");
        }
    }
}
