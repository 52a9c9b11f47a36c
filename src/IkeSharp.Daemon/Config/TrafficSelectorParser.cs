using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Config;

/// <summary>What a traffic-selector string gave: a selector, "dynamic", or why it is wrong.</summary>
public sealed record TrafficSelectorParseResult(TrafficSelector? Selector, bool IsDynamic, string? Error)
{
    public bool IsSuccess => Error is null;
}

/// <summary>
/// Reads traffic selectors as swanctl.conf writes them: a prefix (<c>10.1.0.0/24</c>,
/// <c>2001:db8::/64</c>), a host (<c>10.1.0.5</c>), a range (<c>10.1.0.5..10.1.0.9</c>) or
/// <c>dynamic</c> (our own or the peer's address), optionally followed by
/// <c>[protocol]</c>, <c>[protocol/port]</c> or <c>[protocol/from-to]</c>: <c>10.1.0.0/24[tcp/80]</c>.
/// </summary>
public static class TrafficSelectorParser
{
    private static readonly Dictionary<string, byte> Protocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["any"] = 0, ["%any"] = 0, ["icmp"] = 1, ["tcp"] = 6, ["udp"] = 17, ["gre"] = 47, ["esp"] = 50, ["ah"] = 51,
        ["ipv6-icmp"] = 58, ["icmpv6"] = 58, ["sctp"] = 132,
    };

    public static TrafficSelectorParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        byte protocol = 0;
        ushort from = 0;
        ushort to = ushort.MaxValue;
        int bracket = s.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            if (!s.EndsWith(']'))
            {
                return Fail($"'{text}' opens '[' without closing it; write e.g. 10.1.0.0/24[tcp/80]");
            }

            string? error = ParseProtocolPort(s[(bracket + 1)..^1], out protocol, out from, out to);
            if (error is not null)
            {
                return Fail($"'{text}': {error}");
            }

            s = s[..bracket].Trim();
        }

        if (s.Equals("dynamic", StringComparison.OrdinalIgnoreCase))
        {
            return bracket >= 0
                ? Fail($"'{text}': dynamic with a protocol or port is not supported; write the address, e.g. 10.1.0.5/32[tcp/80]")
                : new TrafficSelectorParseResult(null, true, null);
        }

        if (s.Length == 0)
        {
            return Fail($"'{text}' has no address; write a prefix such as 10.1.0.0/24, a range such as 10.1.0.5..10.1.0.9, or dynamic");
        }

        int dots = s.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            if (!TryAddress(s[..dots], out IPAddress? start) || !TryAddress(s[(dots + 2)..], out IPAddress? end))
            {
                return Fail($"'{text}' is not a valid address range; write start..end, e.g. 10.1.0.5..10.1.0.9");
            }

            if (start.AddressFamily != end.AddressFamily)
            {
                return Fail($"'{text}' mixes IPv4 and IPv6 in one range");
            }

            if (Compare(start, end) > 0)
            {
                return Fail($"'{text}' starts after it ends; write the smaller address first");
            }

            return new TrafficSelectorParseResult(TrafficSelector.Range(start, end, protocol, from, to), false, null);
        }

        int slash = s.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash >= 0 ? s[..slash] : s;
        if (!TryAddress(addressText, out IPAddress? address))
        {
            return Fail($"'{addressText}' in '{text}' is not an IP address; write a prefix such as 10.1.0.0/24 or 2001:db8::/64, a range such as 10.1.0.5..10.1.0.9, or dynamic");
        }

        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = bits;
        if (slash >= 0)
        {
            string prefixText = s[(slash + 1)..];
            if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
            {
                return Fail($"prefix length '{prefixText}' in '{text}' is not a number from 0 to {bits}");
            }
        }

        byte[] first = address.GetAddressBytes();
        byte[] last = (byte[])first.Clone();
        bool hostBits = false;
        for (int bit = prefix; bit < bits; bit++)
        {
            hostBits |= (first[bit / 8] & (0x80 >> (bit % 8))) != 0;
            first[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            last[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        if (hostBits)
        {
            return Fail($"'{text}' has bits set after the /{prefix} prefix; did you mean {new IPAddress(first)}/{prefix}?");
        }

        return new TrafficSelectorParseResult(TrafficSelector.Range(new IPAddress(first), new IPAddress(last), protocol, from, to), false, null);
    }

    /// <summary>A selector for exactly one address (what "dynamic" becomes once the address is known).</summary>
    public static TrafficSelector Host(IPAddress address) => TrafficSelector.Range(address, address);

    private static string? ParseProtocolPort(string inner, out byte protocol, out ushort from, out ushort to)
    {
        protocol = 0;
        from = 0;
        to = ushort.MaxValue;
        int slash = inner.IndexOf('/', StringComparison.Ordinal);
        string protocolText = (slash >= 0 ? inner[..slash] : inner).Trim();
        if (protocolText.Length > 0 && !Protocols.TryGetValue(protocolText, out protocol) &&
            !byte.TryParse(protocolText, NumberStyles.None, CultureInfo.InvariantCulture, out protocol))
        {
            return $"unknown protocol '{protocolText}'; write a name ({string.Join(", ", Protocols.Keys.Where(k => k[0] != '%'))}) or a number from 0 to 255";
        }

        if (slash < 0)
        {
            return null;
        }

        string portText = inner[(slash + 1)..].Trim();
        if (portText is "%any" or "" or "any")
        {
            return null;
        }

        if (protocol == 0)
        {
            return "a port needs a protocol, e.g. [tcp/80] or [udp/500]";
        }

        int dash = portText.IndexOf('-', StringComparison.Ordinal);
        string fromText = dash >= 0 ? portText[..dash] : portText;
        string toText = dash >= 0 ? portText[(dash + 1)..] : portText;
        if (!ushort.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out from) ||
            !ushort.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out to))
        {
            return $"port '{portText}' is not a number from 0 to 65535 or a range such as 1024-65535";
        }

        return from > to ? $"port range '{portText}' starts after it ends" : null;
    }

    private static bool TryAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        text = text.Trim();
        address = null;
        // IPAddress.TryParse accepts "10" and "10.1" as shorthand; selectors must be written in full.
        if (text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3)
        {
            if (IPAddress.TryParse(text, out address) && !text.Contains('%', StringComparison.Ordinal))
            {
                return true;
            }
        }

        address = null;
        return false;
    }

    private static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    private static TrafficSelectorParseResult Fail(string message) => new(null, false, message);
}
