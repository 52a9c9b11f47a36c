using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

public class ExchangeRulesTests
{
    private static IkeMessage Msg(ExchangeType exchange, bool response, params Payload[] payloads) =>
        new(1, 2, exchange, response ? IkeFlags.Response : IkeFlags.Initiator, 0, payloads);

    private static Payload[] InitPayloads() =>
        [Samples.IkeSa(Samples.IkeProposal()), new KePayload(KeyExchangeMethod.Modp2048, Samples.Bytes(256)), new NoncePayload(Samples.Bytes(32))];

    [Theory]
    [MemberData(nameof(CaptureGoldenTests.Tags), MemberType = typeof(CaptureGoldenTests))]
    public void Every_strongswan_message_passes(string tag)
    {
        foreach ((int frame, byte[] bytes) in Fixtures.IkeDatagrams(tag))
        {
            Assert.True(ExchangeRules.CheckOuter(IkeMessage.Decode(bytes).Value) is null, $"frame {frame}");
        }
    }

    [Fact]
    public void Ike_sa_init_request_needs_one_sa_ke_and_nonce()
    {
        Assert.Null(ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, false, [.. InitPayloads(), NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported)])));

        DecodeError? twoKe = ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, false, [.. InitPayloads(), new KePayload(KeyExchangeMethod.Ecp256, Samples.Bytes(64))]));
        Assert.Equal(PayloadType.KeyExchange, twoKe?.Payload);
        Assert.Contains("2 KE payloads", twoKe!.Reason, StringComparison.Ordinal);
        Assert.Equal(IkeHeader.EncodedLength + InitPayloads().Sum(p => p.EncodedLength), twoKe.Offset);

        DecodeError? noNonce = ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, false, InitPayloads()[..2]));
        Assert.Equal(PayloadType.Nonce, noNonce?.Payload);

        DecodeError? onlyNotify = ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, false, NotifyPayload.Cookie(Samples.Bytes(16))));
        Assert.Equal(PayloadType.SecurityAssociation, onlyNotify?.Payload);
    }

    [Fact]
    public void Ike_sa_init_response_may_be_a_lone_notify()
    {
        Assert.Null(ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, true, NotifyPayload.InvalidKe(KeyExchangeMethod.Ecp256))));
        Assert.Null(ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, true, NotifyPayload.Cookie(Samples.Bytes(16)))));
        Assert.NotNull(ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, true)));
    }

    [Fact]
    public void Payloads_an_exchange_does_not_allow_are_named_with_the_allowed_ones()
    {
        DecodeError? e = ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, false, [.. InitPayloads(), DeletePayload.IkeSa()]));
        Assert.Equal(PayloadType.Delete, e?.Payload);
        Assert.Contains("allowed are SA, KE, Nonce, N, V", e!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Ike_sa_init_may_not_carry_sk()
    {
        DecodeError? e = ExchangeRules.CheckOuter(Msg(ExchangeType.IkeSaInit, false, [.. InitPayloads(), new EncryptedPayload(PayloadType.Notify, Samples.Bytes(40))]));
        Assert.Equal(PayloadType.Encrypted, e?.Payload);
    }

    [Fact]
    public void Encrypted_exchanges_carry_exactly_one_sk()
    {
        Assert.Null(ExchangeRules.CheckOuter(Msg(ExchangeType.IkeAuth, false, new EncryptedPayload(PayloadType.IdInitiator, Samples.Bytes(40)))));
        Assert.Null(ExchangeRules.CheckOuter(Msg(ExchangeType.IkeAuth, false, new EncryptedFragmentPayload(1, 2, PayloadType.IdInitiator, Samples.Bytes(40)))));

        DecodeError? clear = ExchangeRules.CheckOuter(Msg(ExchangeType.IkeAuth, false, IdPayload.FromText(IkeRole.Initiator, "10.0.0.1"), new EncryptedPayload(PayloadType.Authentication, Samples.Bytes(40))));
        Assert.Equal(PayloadType.IdInitiator, clear?.Payload);
        Assert.Equal(IkeHeader.EncodedLength, clear!.Offset);

        Assert.NotNull(ExchangeRules.CheckOuter(Msg(ExchangeType.CreateChildSa, false)));
    }

    [Fact]
    public void Unprotected_informational_of_bare_notifies_is_allowed()
    {
        // RFC 7296 §1.5: INVALID_IKE_SPI may be sent outside any IKE SA, unprotected.
        Assert.Null(ExchangeRules.CheckOuter(Msg(ExchangeType.Informational, true, NotifyPayload.Create(NotifyType.InvalidIkeSpi))));
        Assert.NotNull(ExchangeRules.CheckOuter(Msg(ExchangeType.Informational, false, DeletePayload.IkeSa())));
    }

    [Fact]
    public void Inner_chain_of_ike_auth_is_checked()
    {
        IkeMessage sample = Samples.EveryMessage().Single(m => m.Name == "inner chain of an IKE_AUTH request").Message;
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.IkeAuth, false, sample.Payloads));

        Payload[] twoAuth = [.. sample.Payloads, new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, Samples.Bytes(32))];
        DecodeError? e = ExchangeRules.CheckInner(ExchangeType.IkeAuth, false, twoAuth, baseOffset: 100);
        Assert.Equal(PayloadType.Authentication, e?.Payload);
        Assert.Equal(100 + sample.Payloads.Sum(p => p.EncodedLength), e!.Offset);

        // IDi has no place in a response.
        Assert.Equal(PayloadType.IdInitiator, ExchangeRules.CheckInner(ExchangeType.IkeAuth, true, [IdPayload.FromText(IkeRole.Initiator, "a.example")])?.Payload);

        // SK never nests.
        Assert.Equal(PayloadType.Encrypted, ExchangeRules.CheckInner(ExchangeType.Informational, false, [new EncryptedPayload(PayloadType.NoNextPayload, Samples.Bytes(40))])?.Payload);
    }

    [Fact]
    public void Create_child_sa_request_needs_sa_and_nonce_and_error_responses_are_bare_notifies()
    {
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.CreateChildSa, false, [Samples.IkeSa(Samples.EspProposal(1, 7)), new NoncePayload(Samples.Bytes(32)), NotifyPayload.RekeySa(SecurityProtocol.Esp, 5)]));
        Assert.Equal(PayloadType.Nonce, ExchangeRules.CheckInner(ExchangeType.CreateChildSa, false, [Samples.IkeSa(Samples.EspProposal(1, 7))])?.Payload);
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.CreateChildSa, true, [NotifyPayload.Create(NotifyType.NoProposalChosen)]));
        Assert.Equal(PayloadType.Nonce, ExchangeRules.CheckInner(ExchangeType.CreateChildSa, true, [Samples.IkeSa(Samples.EspProposal(1, 7))])?.Payload);
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.Informational, false, []));
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.Informational, false, [DeletePayload.ChildSas(SecurityProtocol.Esp, 1, 2), DeletePayload.ChildSas(SecurityProtocol.Esp, 3)]));
    }
}
