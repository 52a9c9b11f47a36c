using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Fuzz;

/// <summary>
/// <c>decode</c>: the IKE header, the payload chain and every payload from raw bytes
/// (IkeMessage.Decode), then what a receiver does with a decoded message before any crypto: the
/// exchange's payload rules, the critical-payload check, logging it, and re-encoding it (a decoded
/// message must encode again, to as many octets, decode again and then encode to the same octets).
/// </summary>
internal static class DecodeTarget
{
    public static void Run(byte[] input)
    {
        DecodeResult<IkeMessage> decoded = IkeMessage.Decode(input);
        if (!decoded.TryGetValue(out IkeMessage message))
        {
            _ = decoded.Error!.ToString();
            return;
        }

        _ = ExchangeRules.CheckOuter(message);
        _ = PayloadChain.FindUnsupportedCritical(message.Payloads);
        _ = message.ToString();
        foreach (Payload payload in message.Payloads)
        {
            _ = payload.ToString();
        }

        byte[] encoded = message.ToArray();
        if (encoded.Length != input.Length)
        {
            throw new InvalidOperationException($"decoded {input.Length} octets, re-encoded {encoded.Length}");
        }

        // Reserved fields and bits are ignored on receipt and sent as zero (RFC 7296 §3.2), so the
        // first encoding may differ from the input; the second must equal the first.
        DecodeResult<IkeMessage> again = IkeMessage.Decode(encoded);
        if (!again.TryGetValue(out IkeMessage second))
        {
            throw new InvalidOperationException($"a re-encoded message does not decode: {again.Error}");
        }

        if (!second.ToArray().AsSpan().SequenceEqual(encoded))
        {
            throw new InvalidOperationException($"encoding is not stable: {Convert.ToHexString(encoded)} -> {Convert.ToHexString(second.ToArray())}");
        }
    }
}
