using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire;

/// <summary>How many payloads of one type a message may carry, and whether they travel inside SK.</summary>
public readonly record struct PayloadRule(PayloadType Type, int Min, int Max);

/// <summary>
/// Which payloads each exchange may carry (RFC 7296 §1.2-§1.5, RFC 9242, RFC 9370), as data
/// checked in one place. Notify and Vendor ID are allowed anywhere, any number of times; unknown
/// payloads are allowed (they are skipped, or rejected by the engine when critical, §2.5).
/// Counts bound the payloads a peer can make the engine look at; the engine still checks which
/// of the optional payloads its task needs.
/// </summary>
public static class ExchangeRules
{
    private const int Many = WireLimits.MaxPayloadsPerChain;

    private static readonly PayloadRule[] IkeSaInitRequest =
        [new(PayloadType.SecurityAssociation, 1, 1), new(PayloadType.KeyExchange, 1, 1), new(PayloadType.Nonce, 1, 1)];

    // A response may be a lone error or COOKIE/INVALID_KE_PAYLOAD notify (§1.2, §2.6, §1.3).
    private static readonly PayloadRule[] IkeSaInitResponse =
        [new(PayloadType.SecurityAssociation, 1, 1), new(PayloadType.KeyExchange, 1, 1), new(PayloadType.Nonce, 1, 1), new(PayloadType.CertificateRequest, 0, Many)];

    private static readonly PayloadRule[] IkeAuthRequest =
    [
        new(PayloadType.IdInitiator, 0, 1), new(PayloadType.Certificate, 0, Many), new(PayloadType.CertificateRequest, 0, Many),
        new(PayloadType.IdResponder, 0, 1), new(PayloadType.Authentication, 0, 1), new(PayloadType.Eap, 0, 1),
        new(PayloadType.Configuration, 0, 1), new(PayloadType.SecurityAssociation, 0, 1),
        new(PayloadType.TsInitiator, 0, 1), new(PayloadType.TsResponder, 0, 1),
    ];

    private static readonly PayloadRule[] IkeAuthResponse =
    [
        new(PayloadType.IdResponder, 0, 1), new(PayloadType.Certificate, 0, Many), new(PayloadType.Authentication, 0, 1),
        new(PayloadType.Eap, 0, 1), new(PayloadType.Configuration, 0, 1), new(PayloadType.SecurityAssociation, 0, 1),
        new(PayloadType.TsInitiator, 0, 1), new(PayloadType.TsResponder, 0, 1),
    ];

    private static readonly PayloadRule[] CreateChildSaRequest =
    [
        new(PayloadType.SecurityAssociation, 1, 1), new(PayloadType.Nonce, 1, 1), new(PayloadType.KeyExchange, 0, 1),
        new(PayloadType.TsInitiator, 0, 1), new(PayloadType.TsResponder, 0, 1),
    ];

    private static readonly PayloadRule[] CreateChildSaResponse =
    [
        new(PayloadType.SecurityAssociation, 1, 1), new(PayloadType.Nonce, 1, 1), new(PayloadType.KeyExchange, 0, 1),
        new(PayloadType.TsInitiator, 0, 1), new(PayloadType.TsResponder, 0, 1),
    ];

    private static readonly PayloadRule[] Informational =
        [new(PayloadType.Delete, 0, Many), new(PayloadType.Configuration, 0, 1)];

    // RFC 9370 §2.2.2/§2.2.4: IKE_INTERMEDIATE and IKE_FOLLOWUP_KE carry the additional key exchanges.
    private static readonly PayloadRule[] AdditionalKeyExchange = [new(PayloadType.KeyExchange, 0, 1)];

    private static readonly PayloadRule[] FollowupKe = [new(PayloadType.KeyExchange, 1, 1)];

    /// <summary>The rules for a message, or null for exchanges this table does not govern.</summary>
    public static IReadOnlyList<PayloadRule>? For(ExchangeType exchange, bool response) => exchange switch
    {
        ExchangeType.IkeSaInit => response ? IkeSaInitResponse : IkeSaInitRequest,
        ExchangeType.IkeAuth => response ? IkeAuthResponse : IkeAuthRequest,
        ExchangeType.CreateChildSa => response ? CreateChildSaResponse : CreateChildSaRequest,
        ExchangeType.Informational => Informational,
        ExchangeType.IkeIntermediate => AdditionalKeyExchange,
        ExchangeType.IkeFollowupKe => response ? AdditionalKeyExchange : FollowupKe,
        _ => null,
    };

    /// <summary>True for exchanges whose payloads travel inside SK (every one after IKE_SA_INIT, §1.2).</summary>
    public static bool IsEncrypted(ExchangeType exchange) => exchange is not (ExchangeType.IkeSaInit or ExchangeType.IkeSessionResume);

    /// <summary>
    /// Checks the outer chain of a message: IKE_SA_INIT carries no SK; the encrypted exchanges carry
    /// exactly one SK (or SKF) and nothing else, except an INFORMATIONAL message of bare notifies,
    /// which RFC 7296 §1.5 lets a node send outside any IKE SA (INVALID_IKE_SPI and the like).
    /// For IKE_SA_INIT the counts are checked too. Null when the message is acceptable.
    /// </summary>
    public static DecodeError? CheckOuter(IkeMessage message)
    {
        IReadOnlyList<Payload> payloads = message.Payloads;
        if (!IsEncrypted(message.ExchangeType))
        {
            for (int i = 0, offset = IkeHeader.EncodedLength; i < payloads.Count; offset += payloads[i].EncodedLength, i++)
            {
                if (payloads[i].Type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
                {
                    return new DecodeError(DecodeErrorCode.InvalidValue, $"{message.ExchangeType.ToIanaName()} is not encrypted, yet carries an {payloads[i].Type.ToIanaName()} payload", offset, payloads[i].Type);
                }
            }

            return CheckCounts(message.ExchangeType, message.IsResponse, payloads, IkeHeader.EncodedLength);
        }

        if (payloads.Count == 1 && payloads[0].Type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
        {
            return null;
        }

        bool bareNotifies = message.ExchangeType == ExchangeType.Informational && payloads.Count > 0;
        for (int i = 0, offset = IkeHeader.EncodedLength; i < payloads.Count; offset += payloads[i].EncodedLength, i++)
        {
            if (!bareNotifies || payloads[i].Type != PayloadType.Notify)
            {
                return new DecodeError(DecodeErrorCode.InvalidValue,
                    $"{message.ExchangeType.ToIanaName()} {(message.IsResponse ? "response" : "request")} must carry its payloads inside one SK payload, found {payloads[i].Type.ToIanaName()} outside",
                    offset, payloads[i].Type);
            }
        }

        return payloads.Count == 0
            ? new DecodeError(DecodeErrorCode.InvalidValue, $"{message.ExchangeType.ToIanaName()} without an SK payload", IkeHeader.EncodedLength)
            : null;
    }

    /// <summary>Checks the decrypted inner chain of an encrypted message. <paramref name="baseOffset"/> locates it for errors.</summary>
    public static DecodeError? CheckInner(ExchangeType exchange, bool response, IReadOnlyList<Payload> inner, int baseOffset = 0)
    {
        for (int i = 0, offset = baseOffset; i < inner.Count; offset += inner[i].EncodedLength, i++)
        {
            if (inner[i].Type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                return new DecodeError(DecodeErrorCode.InvalidValue, "an encrypted payload inside an encrypted payload", offset, inner[i].Type);
            }
        }

        return CheckCounts(exchange, response, inner, baseOffset);
    }

    private static DecodeError? CheckCounts(ExchangeType exchange, bool response, IReadOnlyList<Payload> payloads, int baseOffset)
    {
        IReadOnlyList<PayloadRule>? rules = For(exchange, response);
        if (rules is null)
        {
            return null;
        }

        string message = $"{exchange.ToIanaName()} {(response ? "response" : "request")}";
        for (int i = 0, offset = baseOffset; i < payloads.Count; offset += payloads[i].EncodedLength, i++)
        {
            PayloadType type = payloads[i].Type;
            if (type is PayloadType.Notify or PayloadType.VendorId || payloads[i] is UnknownPayload)
            {
                continue;
            }

            PayloadRule? rule = Find(rules, type);
            if (rule is null)
            {
                return new DecodeError(DecodeErrorCode.InvalidValue, $"{message} may not carry a {type.ToIanaName()} payload; allowed are {Allowed(rules)}", offset, type);
            }
        }

        foreach (PayloadRule rule in rules)
        {
            int count = 0;
            int lastOffset = baseOffset;
            for (int i = 0, offset = baseOffset; i < payloads.Count; offset += payloads[i].EncodedLength, i++)
            {
                if (payloads[i].Type == rule.Type)
                {
                    count++;
                    lastOffset = offset;
                }
            }

            if (count > rule.Max)
            {
                return new DecodeError(DecodeErrorCode.InvalidValue, $"{message} carries {count} {rule.Type.ToIanaName()} payloads, at most {rule.Max} allowed", lastOffset, rule.Type);
            }

            // A response made only of notifies is an error report or a COOKIE/INVALID_KE_PAYLOAD
            // request (§1.2, §2.21): the mandatory payloads of a successful exchange are absent.
            if (count < rule.Min && !(response && OnlyNotifies(payloads)))
            {
                return new DecodeError(DecodeErrorCode.InvalidValue, $"{message} lacks its {rule.Type.ToIanaName()} payload", baseOffset, rule.Type);
            }
        }

        return null;
    }

    private static bool OnlyNotifies(IReadOnlyList<Payload> payloads)
    {
        for (int i = 0; i < payloads.Count; i++)
        {
            if (payloads[i].Type is not (PayloadType.Notify or PayloadType.VendorId))
            {
                return false;
            }
        }

        return payloads.Count > 0;
    }

    private static PayloadRule? Find(IReadOnlyList<PayloadRule> rules, PayloadType type)
    {
        foreach (PayloadRule rule in rules)
        {
            if (rule.Type == type)
            {
                return rule;
            }
        }

        return null;
    }

    private static string Allowed(IReadOnlyList<PayloadRule> rules) =>
        string.Join(", ", rules.Select(r => r.Type.ToIanaName()).Append("N").Append("V"));
}
