using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace IkeSharp.Crypto.Auth;

/// <summary>Fields of an X.509 certificate (RFC 5280 §4.1) read from its DER exactly as encoded.</summary>
internal static class X509Parts
{
    /// <summary>
    /// The SubjectPublicKeyInfo element of the certificate, byte for byte:
    /// <code>
    /// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    /// TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
    ///                               validity, subject, subjectPublicKeyInfo, ... }
    /// </code>
    /// </summary>
    public static ReadOnlyMemory<byte> SubjectPublicKeyInfo(X509Certificate2 certificate)
    {
        var reader = new AsnReader(certificate.RawDataMemory, AsnEncodingRules.DER);
        AsnReader tbs = reader.ReadSequence().ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            tbs.ReadEncodedValue(); // version
        }

        tbs.ReadEncodedValue(); // serialNumber
        tbs.ReadEncodedValue(); // signature
        tbs.ReadEncodedValue(); // issuer
        tbs.ReadEncodedValue(); // validity
        tbs.ReadEncodedValue(); // subject
        return tbs.ReadEncodedValue();
    }

    /// <summary>"CN=moon, O=Lab" or, for an empty subject, the first subjectAltName or the serial number.</summary>
    public static string Describe(X509Certificate2 certificate)
    {
        string subject = certificate.SubjectName.Name;
        return subject.Length > 0 ? subject : $"(empty subject, serial {certificate.SerialNumber})";
    }
}
