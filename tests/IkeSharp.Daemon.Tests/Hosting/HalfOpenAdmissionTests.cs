using IkeSharp.Daemon.Hosting;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>What may take the last free mailbox slots under a flood (RFC 7296 §2.6).</summary>
public class HalfOpenAdmissionTests
{
    private static readonly byte[] Nonce = new byte[32];

    private static byte[] Encode(ExchangeType exchange, IkeFlags flags, ulong responderSpi, params Payload[] payloads)
    {
        var message = new IkeMessage(0x1122334455667788, responderSpi, exchange, flags, 0, payloads);
        byte[] bytes = new byte[message.EncodedLength];
        Assert.Equal(bytes.Length, message.Encode(bytes));
        return bytes;
    }

    private static NotifyPayload Notify(NotifyType type) => NotifyPayload.Create(type, new byte[16]);

    [Fact]
    public void An_ike_sa_init_request_without_a_cookie_is_fresh()
    {
        Assert.True(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeSaInit, IkeFlags.Initiator, 0, new NoncePayload(Nonce))));
        // A notify first that is not COOKIE (e.g. a NAT detection hash) opens nothing either.
        Assert.True(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeSaInit, IkeFlags.Initiator, 0, Notify(NotifyType.NatDetectionSourceIp), new NoncePayload(Nonce))));
    }

    [Fact]
    public void A_cookie_retry_a_response_and_every_other_exchange_are_not_fresh()
    {
        Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeSaInit, IkeFlags.Initiator, 0, Notify(NotifyType.Cookie), new NoncePayload(Nonce))));
        Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeSaInit, IkeFlags.Response, 0x99, Notify(NotifyType.Cookie))));
        Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeSaInit, IkeFlags.Response, 0x99, new NoncePayload(Nonce))));
        Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeAuth, IkeFlags.Initiator, 0x99, new NoncePayload(Nonce))));
        Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.Informational, IkeFlags.None, 0x99)));
        // An IKE_SA_INIT request naming a responder SPI is not a new negotiation's first message.
        Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(Encode(ExchangeType.IkeSaInit, IkeFlags.Initiator, 0x99, new NoncePayload(Nonce))));
    }

    [Fact]
    public void Datagrams_too_short_for_a_header_are_left_to_the_engines_decoder()
    {
        byte[] init = Encode(ExchangeType.IkeSaInit, IkeFlags.Initiator, 0, new NoncePayload(Nonce));
        for (int length = 0; length < IkeHeader.EncodedLength; length++)
        {
            Assert.False(HalfOpenAdmission.IsFreshIkeSaInit(init.AsSpan(0, length)));
        }

        // A header that claims a COOKIE first but ends before its type reads as fresh: it is no retry.
        byte[] cut = Encode(ExchangeType.IkeSaInit, IkeFlags.Initiator, 0, Notify(NotifyType.Cookie));
        Assert.True(HalfOpenAdmission.IsFreshIkeSaInit(cut.AsSpan(0, IkeHeader.EncodedLength + 4)));
    }
}
