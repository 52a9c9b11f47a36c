using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// Whether a peer's IDi/IDr names the holder of its certificate (RFC 7296 §3.5, RFC 4945 §3.1,
/// as strongSwan applies it):
/// <list type="bullet">
/// <item>ID_FQDN ↔ subjectAltName dNSName, case-insensitive;</item>
/// <item>ID_RFC822_ADDR ↔ subjectAltName rfc822Name, case-insensitive;</item>
/// <item>ID_IPV4_ADDR / ID_IPV6_ADDR ↔ subjectAltName iPAddress, octet for octet;</item>
/// <item>ID_DER_ASN1_DN ↔ the subject DN, DER-equal or equal after normalising case and spaces;</item>
/// <item>ID_KEY_ID and every other type never match a certificate.</item>
/// </list>
/// </summary>
public static class CertificateIdentity
{
    private const string SubjectAltNameOid = "2.5.29.17";

    public static AuthResult Match(X509Certificate2 certificate, IdPayload id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Match(certificate, id.IdType, id.Data.Span);
    }

    public static AuthResult Match(X509Certificate2 certificate, IdType idType, ReadOnlySpan<byte> idData)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string subject = X509Parts.Describe(certificate);
        string shown = Describe(idType, idData);
        switch (idType)
        {
            case IdType.DerAsn1Dn:
                return DistinguishedNamesMatch(certificate.SubjectName.RawData, idData)
                    ? AuthResult.Success
                    : AuthResult.Fail($"ID {shown} does not match the subject of the certificate {subject}");

            case IdType.Fqdn:
            case IdType.Rfc822Addr:
            case IdType.Ipv4Addr:
            case IdType.Ipv6Addr:
                break;

            case IdType.KeyId:
                return AuthResult.Fail($"ID_KEY_ID {shown} never matches a certificate (certificate {subject})");

            default:
                return AuthResult.Fail($"ID type {idType.ToIanaName()} cannot be matched to the certificate {subject}");
        }

        IReadOnlyList<SubjectAltName> names;
        try
        {
            names = ReadSubjectAltNames(certificate);
        }
        catch (AsnContentException e)
        {
            return AuthResult.Fail($"the certificate {subject} has a malformed subjectAltName extension: {e.Message}");
        }

        foreach (SubjectAltName name in names)
        {
            bool match = (idType, name.Kind) switch
            {
                (IdType.Fqdn, SubjectAltNameKind.Dns) or (IdType.Rfc822Addr, SubjectAltNameKind.Email) =>
                    name.Value.Length == idData.Length && Encoding.ASCII.GetString(name.Value).Equals(Encoding.ASCII.GetString(idData), StringComparison.OrdinalIgnoreCase),
                (IdType.Ipv4Addr or IdType.Ipv6Addr, SubjectAltNameKind.IpAddress) => name.Value.AsSpan().SequenceEqual(idData),
                _ => false,
            };
            if (match)
            {
                return AuthResult.Success;
            }
        }

        return names.Count == 0
            ? AuthResult.Fail($"ID {shown} does not match: the certificate {subject} has no subjectAltName")
            : AuthResult.Fail($"ID {shown} does not match: the subjectAltNames of the certificate {subject} are {string.Join(", ", names)}");
    }

    /// <summary>The subjectAltNames of a certificate, as strongSwan prints them (DNS:, email:, IP:, DN:, URI:).</summary>
    public static IReadOnlyList<SubjectAltName> ReadSubjectAltNames(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<SubjectAltName>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            // GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName (RFC 5280 §4.2.1.6)
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            AsnReader generalNames = reader.ReadSequence();
            while (generalNames.HasData)
            {
                Asn1Tag tag = generalNames.PeekTag();
                SubjectAltNameKind? kind = tag.TagClass == TagClass.ContextSpecific ? tag.TagValue switch
                {
                    1 => SubjectAltNameKind.Email,
                    2 => SubjectAltNameKind.Dns,
                    4 => SubjectAltNameKind.DirectoryName,
                    6 => SubjectAltNameKind.Uri,
                    7 => SubjectAltNameKind.IpAddress,
                    _ => null,
                } : null;
                if (kind == SubjectAltNameKind.DirectoryName)
                {
                    // directoryName [4] EXPLICIT Name
                    names.Add(new SubjectAltName(SubjectAltNameKind.DirectoryName, generalNames.ReadSequence(tag).ReadEncodedValue().ToArray()));
                }
                else if (kind is { } primitive && !tag.IsConstructed)
                {
                    names.Add(new SubjectAltName(primitive, generalNames.ReadOctetString(tag)));
                }
                else
                {
                    generalNames.ReadEncodedValue(); // otherName, x400Address, ediPartyName, registeredID
                }
            }
        }

        return names;
    }

    /// <summary>True when two DER Names are equal as encoded or after normalising (RFC 5280 §7.1, simplified).</summary>
    public static bool DistinguishedNamesMatch(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.SequenceEqual(b))
        {
            return true;
        }

        try
        {
            IReadOnlyList<string> left = Normalise(a.ToArray());
            IReadOnlyList<string> right = Normalise(b.ToArray());
            return left.SequenceEqual(right, StringComparer.Ordinal);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    // Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET OF AttributeTypeAndValue.
    // Each RDN becomes "oid=value+oid=value" with values trimmed, inner spaces collapsed and
    // lower-cased, attributes sorted within the RDN.
    private static List<string> Normalise(byte[] der)
    {
        var result = new List<string>();
        var reader = new AsnReader(der, AsnEncodingRules.BER);
        AsnReader name = reader.ReadSequence();
        if (reader.HasData)
        {
            throw new AsnContentException("trailing data after Name");
        }

        while (name.HasData)
        {
            AsnReader rdn = name.ReadSetOf();
            var attributes = new List<string>();
            while (rdn.HasData)
            {
                AsnReader attribute = rdn.ReadSequence();
                string oid = attribute.ReadObjectIdentifier();
                string value = ReadDirectoryString(attribute);
                attributes.Add($"{oid}={value}");
            }

            attributes.Sort(StringComparer.Ordinal);
            result.Add(string.Join('+', attributes));
        }

        return result;
    }

    private static string ReadDirectoryString(AsnReader attribute)
    {
        Asn1Tag tag = attribute.PeekTag();
        string text;
        if (tag.TagClass == TagClass.Universal && tag.TagValue is (int)UniversalTagNumber.UTF8String or (int)UniversalTagNumber.PrintableString
            or (int)UniversalTagNumber.IA5String or (int)UniversalTagNumber.BMPString or (int)UniversalTagNumber.UniversalString
            or (int)UniversalTagNumber.T61String or (int)UniversalTagNumber.VisibleString)
        {
            text = attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue);
        }
        else
        {
            text = Convert.ToHexString(attribute.ReadEncodedValue().Span);
        }

        return string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToUpperInvariant();
    }

    private static string Describe(IdType idType, ReadOnlySpan<byte> data) => new IdPayload(IkeRole.Initiator, idType, data.ToArray()).DisplayValue;
}

public enum SubjectAltNameKind
{
    Email,
    Dns,
    DirectoryName,
    Uri,
    IpAddress,
}

/// <summary>One GeneralName of a subjectAltName extension; <see cref="Value"/> is the raw content (ASCII text, address octets, or DER Name).</summary>
public sealed record SubjectAltName(SubjectAltNameKind Kind, byte[] Value)
{
    public override string ToString() => Kind switch
    {
        SubjectAltNameKind.Dns => "DNS:" + Printable(Value),
        SubjectAltNameKind.Email => "email:" + Printable(Value),
        SubjectAltNameKind.Uri => "URI:" + Printable(Value),
        SubjectAltNameKind.IpAddress when Value.Length is 4 or 16 => "IP:" + new IPAddress(Value),
        SubjectAltNameKind.DirectoryName => "DN:" + new IdPayload(IkeRole.Initiator, IdType.DerAsn1Dn, Value).DisplayValue,
        _ => $"{Kind}:{Convert.ToHexStringLower(Value)}",
    };

    private static string Printable(byte[] value) => string.Create(value.Length, value, (span, v) =>
    {
        for (int i = 0; i < v.Length; i++)
        {
            span[i] = v[i] is >= 0x20 and < 0x7f ? (char)v[i] : '?';
        }
    });
}
