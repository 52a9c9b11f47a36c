using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>encode → decode → encode gives the same bytes, for one of every payload and message shape.</summary>
public class RoundTripTests
{
    public static TheoryData<string> MessageNames => new(Samples.EveryMessage().Select(m => m.Name));

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Message_round_trips(string name)
    {
        IkeMessage original = Samples.EveryMessage().Single(m => m.Name == name).Message;
        byte[] bytes = original.ToArray();
        Assert.Equal(original.EncodedLength, bytes.Length);

        IkeMessage decoded = IkeMessage.Decode(bytes).Value;
        Assert.Equal(original.InitiatorSpi, decoded.InitiatorSpi);
        Assert.Equal(original.ResponderSpi, decoded.ResponderSpi);
        Assert.Equal(original.ExchangeType, decoded.ExchangeType);
        Assert.Equal(original.Flags, decoded.Flags);
        Assert.Equal(original.MessageId, decoded.MessageId);
        Assert.Equal(original.Payloads.Select(p => p.GetType()), decoded.Payloads.Select(p => p.GetType()));
        Assert.Equal(original.Payloads.Select(p => p.Critical), decoded.Payloads.Select(p => p.Critical));
        Assert.Equal(original.Payloads.Select(p => p.ToString()), decoded.Payloads.Select(p => p.ToString()));
        Assert.Equal(bytes, decoded.ToArray());
    }

    [Fact]
    public void Buffer_writer_and_span_encodings_agree()
    {
        foreach ((string _, IkeMessage m) in Samples.EveryMessage())
        {
            var writer = new System.Buffers.ArrayBufferWriter<byte>();
            m.Encode(writer);
            Assert.Equal(m.ToArray(), writer.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void Sk_payload_next_payload_field_names_the_inner_chain()
    {
        var m = new IkeMessage(1, 2, ExchangeType.IkeAuth, IkeFlags.Initiator, 1, [new EncryptedPayload(PayloadType.IdInitiator, Samples.Bytes(40))]);
        byte[] bytes = m.ToArray();
        Assert.Equal((byte)PayloadType.Encrypted, bytes[16]);
        Assert.Equal((byte)PayloadType.IdInitiator, bytes[28]);
    }

    [Fact]
    public void Decoded_inner_chain_of_sk_round_trips()
    {
        IkeMessage inner = Samples.EveryMessage().Single(m => m.Name == "inner chain of an IKE_AUTH request").Message;
        byte[] chain = new byte[PayloadChain.EncodedLength(inner.Payloads)];
        PayloadChain.Write(inner.Payloads, chain);
        Payload[] decoded = PayloadChain.Decode(PayloadType.IdInitiator, chain, 0, allowEncrypted: false).Value;
        Assert.Equal(inner.Payloads.Count, decoded.Length);
        byte[] again = new byte[chain.Length];
        PayloadChain.Write(decoded, again);
        Assert.Equal(chain, again);
    }

    [Fact]
    public void Several_proposals_keep_order_numbers_spis_and_last_substruc()
    {
        var sa = Samples.IkeSa(Samples.EspProposal(1, 0x01020304), Samples.EspProposal(2, 0x05060708), Samples.IkeProposal(3));
        byte[] body = new byte[sa.BodyLength];
        sa.WriteBody(body);
        Assert.Equal(2, body[0]);                                  // more proposals follow
        int second = (body[2] << 8) | body[3];
        Assert.Equal(2, body[second]);
        int third = second + ((body[second + 2] << 8) | body[second + 3]);
        Assert.Equal(0, body[third]);                              // the last one

        SaPayload decoded = SaPayload.Decode(body, 0).Value;
        Assert.Equal([1, 2, 3], decoded.Proposals.Select(p => (int)p.Number));
        Assert.Equal("01020304", Convert.ToHexStringLower(decoded.Proposals[0].Spi.Span));
        Assert.Equal("aes128gcm16-aes256gcm16", decoded.Proposals[1].Keywords);
        Assert.Equal("aes256-sha256-modp2048", decoded.Proposals[2].Keywords);
    }

    [Fact]
    public void Maximum_length_payload_round_trips()
    {
        // 65535 is the largest Payload Length (the body is 4 less); in a chain it decodes as such.
        var big = new VendorIdPayload(Samples.Bytes(ushort.MaxValue - Payload.HeaderLength));
        byte[] chain = new byte[big.EncodedLength];
        PayloadChain.Write([big], chain);
        Assert.Equal(ushort.MaxValue - Payload.HeaderLength, Assert.IsType<VendorIdPayload>(Assert.Single(PayloadChain.Decode(PayloadType.VendorId, chain, 0).Value)).Data.Length);

        // A whole message is at most one UDP datagram, 65535 octets.
        var vid = new VendorIdPayload(Samples.Bytes(ushort.MaxValue - Payload.HeaderLength - IkeHeader.EncodedLength));
        var m = new IkeMessage(1, 2, ExchangeType.Informational, IkeFlags.None, 0, [vid]);
        Assert.Equal(ushort.MaxValue, m.EncodedLength);
        Assert.True(IkeMessage.Decode(m.ToArray()).IsSuccess);

        var tooBig = new VendorIdPayload(Samples.Bytes(ushort.MaxValue));
        Assert.Throws<InvalidOperationException>(() => new IkeMessage(1, 2, ExchangeType.Informational, IkeFlags.None, 0, [tooBig]).ToArray());
    }
}
