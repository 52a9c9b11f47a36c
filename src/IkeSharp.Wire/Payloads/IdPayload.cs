using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Identification payloads, IDi and IDr (RFC 7296 §3.5).
/// <code>
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// |   ID Type     |                 RESERVED                      |
/// ~                   Identification Data                         ~
/// </code>
/// </summary>
public sealed record IdPayload(IkeRole Role, IdType IdType, ReadOnlyMemory<byte> Data) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => Role == IkeRole.Initiator ? PayloadType.IdInitiator : PayloadType.IdResponder;

    public override int BodyLength => FixedLength + Data.Length;

    public static DecodeResult<IdPayload> Decode(IkeRole role, ReadOnlyMemory<byte> body, int offset)
    {
        PayloadType type = role == IkeRole.Initiator ? PayloadType.IdInitiator : PayloadType.IdResponder;
        if (body.Length < FixedLength)
        {
            return Fail.Truncated(type, offset, FixedLength, body.Length);
        }

        var idType = (IdType)body.Span[0];
        int dataLength = body.Length - FixedLength;
        int expected = idType switch
        {
            IdType.Ipv4Addr => 4,
            IdType.Ipv6Addr => 16,
            _ => -1,
        };
        if (expected >= 0 && dataLength != expected)
        {
            return Fail.Length(type, offset + FixedLength, $"{idType.ToIanaName()} needs {expected} octets of data, found {dataLength}");
        }

        return DecodeResult<IdPayload>.Success(new IdPayload(role, idType, body.Slice(FixedLength)));
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)IdType;
        destination.Slice(1, 3).Clear();
        Data.Span.CopyTo(destination.Slice(FixedLength));
    }

    /// <summary>
    /// Builds an ID from text the way a strongSwan user writes one: an IP address, an email, a DN, or
    /// an FQDN, told apart by their form, or forced with strongSwan's prefixes: <c>@name</c> (FQDN),
    /// <c>@@user@host</c> (RFC 822), <c>@#hex</c> or <c>keyid:#hex</c> (KEY_ID as octets),
    /// <c>keyid:text</c>, <c>fqdn:</c>, <c>email:</c>/<c>rfc822:</c>, <c>ipv4:</c>, <c>ipv6:</c>, <c>asn1dn:</c>.
    /// </summary>
    public static IdPayload FromText(IkeRole role, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("@#", StringComparison.Ordinal))
        {
            return new IdPayload(role, IdType.KeyId, Convert.FromHexString(text.AsSpan(2)));
        }

        if (text.StartsWith("@@", StringComparison.Ordinal))
        {
            return new IdPayload(role, IdType.Rfc822Addr, Encoding.ASCII.GetBytes(text[2..]));
        }

        if (text.StartsWith('@'))
        {
            return new IdPayload(role, IdType.Fqdn, Encoding.ASCII.GetBytes(text[1..]));
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && !IPAddress.TryParse(text, out _))
        {
            string prefix = text[..colon].ToLowerInvariant();
            string value = text[(colon + 1)..];
            switch (prefix)
            {
                case "keyid":
                    return new IdPayload(role, IdType.KeyId, value.StartsWith('#') ? Convert.FromHexString(value.AsSpan(1)) : Encoding.UTF8.GetBytes(value));
                case "fqdn":
                    return new IdPayload(role, IdType.Fqdn, Encoding.ASCII.GetBytes(value));
                case "email":
                case "rfc822":
                    return new IdPayload(role, IdType.Rfc822Addr, Encoding.ASCII.GetBytes(value));
                case "ipv4" when IPAddress.TryParse(value, out IPAddress? v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork:
                    return new IdPayload(role, IdType.Ipv4Addr, v4.GetAddressBytes());
                case "ipv6" when IPAddress.TryParse(value, out IPAddress? v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6:
                    return new IdPayload(role, IdType.Ipv6Addr, v6.GetAddressBytes());
                case "asn1dn":
                    return new IdPayload(role, IdType.DerAsn1Dn, new X500DistinguishedName(value).RawData);
                default:
                    break;
            }
        }

        if (IPAddress.TryParse(text, out IPAddress? ip))
        {
            return new IdPayload(role, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IdType.Ipv4Addr : IdType.Ipv6Addr, ip.GetAddressBytes());
        }

        if (text.Contains('=', StringComparison.Ordinal))
        {
            return new IdPayload(role, IdType.DerAsn1Dn, new X500DistinguishedName(text).RawData);
        }

        return new IdPayload(role, text.Contains('@', StringComparison.Ordinal) ? IdType.Rfc822Addr : IdType.Fqdn, Encoding.ASCII.GetBytes(text));
    }

    /// <summary>The identity as a person reads it (strongSwan's notation); never throws on a peer's bytes.</summary>
    public string DisplayValue => Describe(IdType, Data.Span);

    internal static string Describe(IdType idType, ReadOnlySpan<byte> data)
    {
        switch (idType)
        {
            case IdType.Ipv4Addr when data.Length == 4:
            case IdType.Ipv6Addr when data.Length == 16:
                return new IPAddress(data).ToString();
            case IdType.Fqdn:
            case IdType.Rfc822Addr:
                return Printable.Ascii(data);
            case IdType.DerAsn1Dn:
                try
                {
                    return new X500DistinguishedName(data.ToArray()).Name;
                }
                catch (CryptographicException)
                {
                    return "(malformed DN) " + Convert.ToHexStringLower(data);
                }

            case IdType.Null:
                return "%any";
            default:
                return Convert.ToHexStringLower(data);
        }
    }

    public override string ToString() => $"{(Role == IkeRole.Initiator ? "IDi" : "IDr")} {IdType.ToIanaName()} {DisplayValue}";
}
