using System.Globalization;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Cli.Inspect;

/// <summary>
/// One node of the payload tree that <c>ikesharp inspect</c> prints: a short name (SA, KE, N, ...),
/// a one-line summary, named fields, and children (proposals under SA, selectors under TS, ...).
/// The text and JSON renderers both read this, so they always agree.
/// </summary>
internal sealed record PayloadView(string Name, string Summary, IReadOnlyList<KeyValuePair<string, string>> Fields, IReadOnlyList<PayloadView> Children)
{
    private static readonly KeyValuePair<string, string>[] NoFields = [];
    private static readonly PayloadView[] NoChildren = [];

    public bool Critical { get; init; }

    public static PayloadView Leaf(string name, string summary, params KeyValuePair<string, string>[] fields) => new(name, summary, fields, NoChildren);

    private static KeyValuePair<string, string> F(string key, string value) => new(key, value);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);

    public static PayloadView From(Payload payload)
    {
        PayloadView view = payload switch
        {
            SaPayload sa => new PayloadView("SA", $"{sa.Proposals.Count} proposal{(sa.Proposals.Count == 1 ? "" : "s")}", NoFields,
                sa.Proposals.Select(FromProposal).ToArray()),
            KePayload ke => Leaf("KE", $"{ke.Method.ToKeyword()}, {ke.Data.Length} bytes",
                F("method", ke.Method.ToKeyword()), F("method_id", N((ushort)ke.Method)), F("length", N(ke.Data.Length))),
            IdPayload id => Leaf(id.Role == IkeRole.Initiator ? "IDi" : "IDr", $"{id.IdType.ToIanaName()} {id.DisplayValue}",
                F("id_type", id.IdType.ToIanaName()), F("value", id.DisplayValue)),
            CertPayload cert => Leaf("CERT", cert.TryGetHashAndUrl(out _, out string url) ? $"{cert.Encoding.ToIanaName()} {url}" : $"{cert.Encoding.ToIanaName()}, {cert.Data.Length} bytes",
                F("encoding", cert.Encoding.ToIanaName()), F("length", N(cert.Data.Length))),
            CertReqPayload req => Leaf("CERTREQ", $"{req.Encoding.ToIanaName()}, {req.AuthorityCount} CA key hash{(req.AuthorityCount == 1 ? "" : "es")}",
                [F("encoding", req.Encoding.ToIanaName()), .. Enumerable.Range(0, req.AuthorityCount).Select(i => F("ca_keyid", Hex(req.GetAuthority(i))))]),
            AuthPayload auth => Leaf("AUTH", $"{auth.Method.ToIanaName()}, {auth.Data.Length} bytes",
                F("method", auth.Method.ToIanaName()), F("length", N(auth.Data.Length))),
            NoncePayload nonce => Leaf("Nonce", $"{nonce.Data.Length} bytes", F("length", N(nonce.Data.Length)), F("value", Hex(nonce.Data))),
            NotifyPayload n => FromNotify(n),
            DeletePayload d => Leaf("D", d.SpiCount == 0 ? $"{d.Protocol.ToIanaName()} SA" : $"{d.Protocol.ToIanaName()} {string.Join(" ", Enumerable.Range(0, d.SpiCount).Select(i => Hex(d.GetSpi(i))))}",
                [F("protocol", d.Protocol.ToIanaName()), .. Enumerable.Range(0, d.SpiCount).Select(i => F("spi", Hex(d.GetSpi(i))))]),
            VendorIdPayload v => Leaf("V", v.KnownVendor ?? Hex(v.Data), F("data", Hex(v.Data)), F("vendor", v.KnownVendor ?? "")),
            TsPayload ts => new PayloadView(ts.Role == IkeRole.Initiator ? "TSi" : "TSr", string.Join(" ", ts.Selectors), NoFields,
                ts.Selectors.Select(s => Leaf("TS", s.ToString(), F("type", s.TsType.ToIanaName()), F("protocol", N(s.IpProtocol)),
                    F("start_port", N(s.StartPort)), F("end_port", N(s.EndPort)),
                    F("start_address", s.StartAddress?.ToString() ?? ""), F("end_address", s.EndAddress?.ToString() ?? ""))).ToArray()),
            EncryptedPayload sk => Leaf("SK", $"encrypted, {sk.Body.Length} bytes, first inner payload {sk.FirstInnerPayload.ToIanaName()}",
                F("first_inner_payload", sk.FirstInnerPayload.ToIanaName()), F("length", N(sk.Body.Length))),
            EncryptedFragmentPayload skf => Leaf("SKF", $"fragment {skf.FragmentNumber} of {skf.TotalFragments}, {skf.Body.Length} bytes",
                F("fragment", N(skf.FragmentNumber)), F("total", N(skf.TotalFragments)), F("first_inner_payload", skf.FirstInnerPayload.ToIanaName())),
            ConfigurationPayload cp => new PayloadView("CP", cp.CfgType.ToIanaName(), [F("cfg_type", cp.CfgType.ToIanaName())],
                cp.Attributes.Select(a => Leaf(a.AttributeType.ToIanaName(), a.DisplayValue, F("value", a.DisplayValue))).ToArray()),
            EapPayload eap => Leaf("EAP", eap.ToString().Substring(4), F("code", eap.Code.ToString()), F("identifier", N(eap.Identifier))),
            UnknownPayload u => Leaf($"payload {u.RawType}", $"not understood{(u.Critical ? ", CRITICAL" : "")}, {u.Body.Length} bytes", F("type", N(u.RawType)), F("length", N(u.Body.Length))),
            _ => Leaf(payload.Type.ToIanaName(), payload.ToString() ?? ""),
        };
        return view with { Critical = payload.Critical };
    }

    private static PayloadView FromNotify(NotifyPayload n)
    {
        string data = n.DescribeData();
        var fields = new List<KeyValuePair<string, string>>
        {
            F("type", n.NotifyType.ToIanaName()),
            F("type_id", N((ushort)n.NotifyType)),
        };
        if ((byte)n.Protocol != 0)
        {
            fields.Add(F("protocol", n.Protocol.ToIanaName()));
        }

        if (!n.Spi.IsEmpty)
        {
            fields.Add(F("spi", Hex(n.Spi)));
        }

        if (data.Length > 0)
        {
            fields.Add(F("data", data));
        }

        string summary = data.Length == 0 ? n.NotifyType.ToIanaName() : $"{n.NotifyType.ToIanaName()} {data}";
        return new PayloadView("N", n.IsError ? summary + " (error)" : summary, fields, NoChildren);
    }

    private static PayloadView FromProposal(Proposal p)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            F("number", N(p.Number)),
            F("protocol", p.Protocol.ToIanaName()),
            F("keywords", p.Keywords),
        };
        if (!p.Spi.IsEmpty)
        {
            fields.Add(F("spi", Hex(p.Spi)));
        }

        string spi = p.Spi.IsEmpty ? "" : $" SPI {Hex(p.Spi)}";
        return new PayloadView($"#{p.Number}", $"{p.Protocol.ToIanaName()} {p.Keywords}{spi}", fields,
            p.Transforms.Select(t => Leaf(t.Type.ToIanaName(), $"{TransformIanaName(t)} ({t.Keyword})",
                F("type", t.Type.ToIanaName()), F("id", N(t.Id)), F("name", TransformIanaName(t)), F("keyword", t.Keyword),
                F("key_length", t.KeyLength is { } k ? N(k) : ""))).ToArray());
    }

    private static string TransformIanaName(Transform t)
    {
        string name = t.Type switch
        {
            TransformType.Encryption => ((EncryptionAlgorithm)t.Id).ToIanaName(),
            TransformType.Prf => ((PseudorandomFunction)t.Id).ToIanaName(),
            TransformType.Integrity => ((IntegrityAlgorithm)t.Id).ToIanaName(),
            TransformType.KeyExchange or >= TransformType.AdditionalKeyExchange1 => ((KeyExchangeMethod)t.Id).ToIanaName(),
            TransformType.SequenceNumbers => ((SequenceNumbers)t.Id).ToIanaName(),
            _ => N(t.Id),
        };
        return t.KeyLength is { } bits ? $"{name} {bits}" : name;
    }
}
