using System.Reflection;
using IkeSharp.Cli.Capture;
using IkeSharp.Cli.Inspect;
using IkeSharp.Crypto;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Cli.Demo;

/// <summary>
/// <c>ikesharp demo</c>: until the engine can bring up a tunnel of its own, the demo decodes a
/// bundled capture of strongSwan 5.9.8 talking to strongSwan 5.9.8 and explains, from the decoded
/// bytes, what the two peers negotiated. Every sentence it prints is computed from the capture.
/// </summary>
internal static class DemoCommand
{
    public const string CaptureName = "strongswan-x25519.pcapng";

    /// <summary>The SK_e keys strongSwan logged for this capture (its README: charon at ike 4).</summary>
    public const string KeysName = "strongswan-x25519.ikev2_decryption_table";

    public static byte[] Load(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the demo file {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static byte[] LoadCapture() => Load(CaptureName);

    public static int Run(TextWriter output, bool colour)
    {
        KeyTable keys = KeyTable.Parse(System.Text.Encoding.UTF8.GetString(Load(KeysName)), KeysName, out List<string> errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"the bundled key table is broken: {string.Join("; ", errors)}");
        }

        InspectReport report = InspectReport.Build(CaptureName, LoadCapture(), keys);
        output.WriteLine("IkeSharp demo: a real IKEv2 exchange between two strongSwan 5.9.8 peers, decoded by IkeSharp.");
        output.WriteLine();
        foreach (string line in Explain(report))
        {
            output.WriteLine("  " + line);
        }

        output.WriteLine();
        output.WriteLine("The capture, as `ikesharp inspect` shows it:");
        output.WriteLine();
        new TextRenderer(output, colour, verbose: false).Render(report);
        return 0;
    }

    /// <summary>The story of the capture, each sentence derived from the decoded messages.</summary>
    internal static List<string> Explain(InspectReport report)
    {
        var lines = new List<string>();
        InspectedPacket? initRequest = report.Packets.FirstOrDefault(p => p.Message is { ExchangeType: ExchangeType.IkeSaInit, IsResponse: false });
        InspectedPacket? initResponse = report.Packets.FirstOrDefault(p => p.Message is { ExchangeType: ExchangeType.IkeSaInit, IsResponse: true });
        if (initRequest?.Message is not { } request || initResponse?.Message is not { } response)
        {
            lines.Add("The capture holds no complete IKE_SA_INIT exchange.");
            return lines;
        }

        DissectedPacket rq = initRequest.Packet;
        lines.Add($"1. IKE_SA_INIT: {rq.Source.Address} (initiator) asked {rq.Destination.Address} (responder) for an IKE SA, SPIi {request.InitiatorSpi:x16}.");
        SaPayload? offered = request.Payloads.OfType<SaPayload>().FirstOrDefault();
        SaPayload? chosen = response.Payloads.OfType<SaPayload>().FirstOrDefault();
        if (offered is not null)
        {
            lines.Add($"   It offered {offered.Proposals.Count} proposal(s): {string.Join("; ", offered.Proposals.Select(p => p.Keywords))}.");
        }

        if (chosen is not null)
        {
            lines.Add($"   The responder chose {chosen.Proposals[0].Keywords} and its SPIr is {response.ResponderSpi:x16}.");
        }

        if (request.Payloads.OfType<KePayload>().FirstOrDefault() is { } kei && response.Payloads.OfType<KePayload>().FirstOrDefault() is { } ker)
        {
            lines.Add($"   Key exchange {kei.Method.ToKeyword()}: public values of {kei.Data.Length} and {ker.Data.Length} bytes; nonces of " +
                $"{request.Payloads.OfType<NoncePayload>().FirstOrDefault()?.Data.Length} and {response.Payloads.OfType<NoncePayload>().FirstOrDefault()?.Data.Length} bytes.");
        }

        lines.Add("   " + ExplainNat(request, rq));
        string[] features = response.Payloads.OfType<NotifyPayload>()
            .Where(n => n.NotifyType is not (NotifyType.NatDetectionSourceIp or NotifyType.NatDetectionDestinationIp))
            .Select(n => n.NotifyType.ToIanaName()).ToArray();
        if (features.Length > 0)
        {
            lines.Add($"   The responder also announced: {string.Join(", ", features)}.");
        }

        InspectedPacket[] auth = report.Packets.Where(p => p.Message?.ExchangeType == ExchangeType.IkeAuth).ToArray();
        if (auth.Length > 0)
        {
            string port = auth[0].Packet.Kind == PacketKind.IkeNatT ? "UDP 4500 with the non-ESP marker (RFC 3948)" : $"UDP {auth[0].Packet.Destination.Port}";
            lines.Add($"2. IKE_AUTH ({auth.Length} messages) travelled on {port}, its payloads inside an SK payload " +
                $"({auth[0].Message!.Encrypted?.Body.Length} encrypted bytes in the request).");
            PayloadView? authRequest = auth[0].Payloads.FirstOrDefault(v => v.Name == "SK");
            PayloadView? authResponse = auth.Length > 1 ? auth[1].Payloads.FirstOrDefault(v => v.Name == "SK") : null;
            if (authRequest is { Children.Count: > 0 } && authResponse is { Children.Count: > 0 })
            {
                static string Find(PayloadView sk, string name) => sk.Children.FirstOrDefault(c => c.Name == name)?.Summary ?? "none";
                lines.Add($"   Decrypted with the keys strongSwan logged: the initiator is {Find(authRequest, "IDi")} and proves it with AUTH {Find(authRequest, "AUTH")};");
                lines.Add($"   the responder is {Find(authResponse, "IDr")} ({Find(authResponse, "AUTH")}).");
                PayloadView? sa = authResponse.Children.FirstOrDefault(c => c.Name == "SA");
                lines.Add($"   First Child SA: ESP {sa?.Children.FirstOrDefault()?.Summary.Replace("ESP ", "", StringComparison.Ordinal) ?? "none"}, traffic {Find(authResponse, "TSi")} <=> {Find(authResponse, "TSr")}.");
            }
        }

        InspectedPacket[] esp = report.Packets.Where(p => p.Packet.Kind is PacketKind.Esp or PacketKind.EspInUdp).ToArray();
        if (esp.Length > 0)
        {
            IEnumerable<string> bySpi = esp.GroupBy(p => p.Packet.EspSpi).Select(g =>
                $"SPI {g.Key:x8}: {g.Count()} packets from {g.First().Packet.Source.Address}, sequence {g.Min(p => p.Packet.EspSequence)}..{g.Max(p => p.Packet.EspSequence)}");
            lines.Add($"3. Traffic: {esp.Length} ESP packets in UDP 4500, one Child SA per direction ({string.Join("; ", bySpi)}).");
        }

        InspectedPacket[] info = report.Packets.Where(p => p.Message?.ExchangeType == ExchangeType.Informational).ToArray();
        if (info.Length > 0)
        {
            PayloadView? sk = info[0].Payloads.FirstOrDefault(v => v.Name == "SK");
            string inner = sk?.Children.FirstOrDefault(c => c.Name == "D") is { } delete
                ? $"decrypted, it carries a Delete of the {delete.Summary}: the initiator closed it"
                : $"its first inner payload is {info[0].Message!.Encrypted?.FirstInnerPayload.ToIanaName() ?? "not encrypted"}";
            lines.Add($"4. INFORMATIONAL ({info.Length} messages, message ID {info[0].Message!.MessageId}); {inner}.");
        }

        return lines;
    }

    private static string ExplainNat(IkeMessage request, DissectedPacket packet)
    {
        NotifyPayload? source = request.Payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.NatDetectionSourceIp);
        NotifyPayload? destination = request.Payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.NatDetectionDestinationIp);
        if (source is null || destination is null)
        {
            return "No NAT detection notifies were sent.";
        }

        // RFC 7296 §2.23: in the request SPIr is zero; a mismatch means the address was rewritten on the way.
        bool sourceMatches = NatDetection.Matches(source.Data.Span, request.InitiatorSpi, 0, packet.Source);
        bool destinationMatches = NatDetection.Matches(destination.Data.Span, request.InitiatorSpi, 0, packet.Destination);
        return (sourceMatches, destinationMatches) switch
        {
            (true, true) => $"NAT detection: both NAT_DETECTION hashes match {packet.Source} and {packet.Destination}, so no NAT sits between the peers.",
            (false, true) => "NAT detection: the source hash does not match the captured source address: the initiator is behind a NAT, or fakes one to force UDP encapsulation (strongSwan's encap=yes does this).",
            (true, false) => "NAT detection: the destination hash does not match: the responder is behind a NAT.",
            _ => "NAT detection: neither hash matches the captured addresses: NATs on both sides.",
        };
    }
}
