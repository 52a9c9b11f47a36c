using System.Net;
using IkeSharp.Cli.Capture;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests;

/// <summary>RFC 7296 §2.23 hashes against strongSwan's IKE_SA_INIT response (no NAT between the lab namespaces).</summary>
public class NatDetectionTests
{
    [Fact]
    public void Strongswan_response_hashes_use_the_spis_as_in_its_header()
    {
        byte[] pcap = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sw-pair-aes256_sha256_modp2048.pcapng"));
        DissectedPacket response = CaptureReader.Read(pcap).Frames.Select(PacketDissector.Dissect).Where(p => p.Kind == PacketKind.Ike).ElementAt(1);
        IkeMessage m = IkeMessage.Decode(response.Payload).Value;
        NotifyPayload source = m.Payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.NatDetectionSourceIp);
        NotifyPayload destination = m.Payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.NatDetectionDestinationIp);

        // The response's hashes are over the SPIs as in its header, SPIr included.
        Assert.True(NatDetection.Matches(destination.Data.Span, m.InitiatorSpi, m.ResponderSpi, response.Destination));
        Assert.False(NatDetection.Matches(destination.Data.Span, m.InitiatorSpi, 0, response.Destination));
        Assert.False(NatDetection.Matches(destination.Data.Span, m.InitiatorSpi, m.ResponderSpi, new IPEndPoint(response.Destination.Address, 4500)));

        // The lab's responder runs with encap=yes, so it fakes its source hash to force UDP encapsulation.
        Assert.False(NatDetection.Matches(source.Data.Span, m.InitiatorSpi, m.ResponderSpi, response.Source));
    }
}
