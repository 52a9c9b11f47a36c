using System.Net;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Auth;

public class SharedKeyMicTests
{
    public static TheoryData<string> CaptureTags => [.. StrongSwanPskCapture.Tags];

    public static TheoryData<PseudorandomFunction> Prfs =>
        [PseudorandomFunction.HmacSha2_256, PseudorandomFunction.HmacSha2_384, PseudorandomFunction.HmacSha2_512];

    [Fact]
    public void Key_pad_is_the_17_ascii_octets_of_rfc_7296_section_2_15()
    {
        Assert.Equal("Key Pad for IKEv2"u8.ToArray(), SharedKeyMic.KeyPad.ToArray());
        Assert.Equal(17, SharedKeyMic.KeyPad.Length);
    }

    [Fact]
    public void Rest_of_id_payload_is_type_three_zero_octets_and_data()
    {
        var id = new IdPayload(IkeRole.Initiator, IdType.Fqdn, "moon.example.org"u8.ToArray());
        Assert.Equal([2, 0, 0, 0, .. "moon.example.org"u8], SignedOctets.RestOfIdPayload(id));
    }

    [Theory]
    [MemberData(nameof(Prfs))]
    public void Signed_octets_are_message_nonce_and_prf_of_the_id_body(PseudorandomFunction prfId)
    {
        var prf = new HmacPrf(prfId);
        byte[] message = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        byte[] nonce = [.. Enumerable.Repeat((byte)0xab, 32)];
        byte[] skP = [.. Enumerable.Repeat((byte)0x5a, prf.KeyLength)];
        var id = new IdPayload(IkeRole.Responder, IdType.Ipv4Addr, IPAddress.Parse("192.0.2.7").GetAddressBytes());

        byte[] octets = SignedOctets.ForResponder(prf, skP, message, nonce, id);

        byte[] macedId = HmacPrf.Hmac(prfId, skP, [1, 0, 0, 0, 192, 0, 2, 7]); // ID_IPV4_ADDR = 1
        Assert.Equal([.. message, .. nonce, .. macedId], octets);
    }

    [Theory]
    [MemberData(nameof(Prfs))]
    public void Mic_is_prf_of_prf_of_secret_and_key_pad_over_the_octets(PseudorandomFunction prfId)
    {
        var prf = new HmacPrf(prfId);
        byte[] secret = "a shared secret"u8.ToArray();
        byte[] octets = [1, 2, 3, 4, 5];

        byte[] expected = HmacPrf.Hmac(prfId, HmacPrf.Hmac(prfId, secret, "Key Pad for IKEv2"u8.ToArray()), octets);
        Assert.Equal(expected, SharedKeyMic.Compute(prf, secret, octets));
        Assert.True(SharedKeyMic.Verify(prf, secret, octets, expected).Succeeded);
    }

    [Fact]
    public void Verify_fails_cleanly_on_a_wrong_secret_a_changed_octet_or_a_wrong_length()
    {
        var prf = new HmacPrf(PseudorandomFunction.HmacSha2_256);
        byte[] octets = [9, 8, 7];
        byte[] mic = SharedKeyMic.Compute(prf, "right"u8, octets);

        AuthResult wrongSecret = SharedKeyMic.Verify(prf, "wrong"u8, octets, mic);
        Assert.False(wrongSecret.Succeeded);
        Assert.Contains("does not match", wrongSecret.FailureReason, StringComparison.Ordinal);

        mic[5] ^= 1;
        Assert.False(SharedKeyMic.Verify(prf, "right"u8, octets, mic).Succeeded);

        AuthResult shortMic = SharedKeyMic.Verify(prf, "right"u8, octets, mic.AsSpan(0, 20));
        Assert.False(shortMic.Succeeded);
        Assert.Contains("20 octets", shortMic.FailureReason, StringComparison.Ordinal);
        Assert.False(SharedKeyMic.Verify(prf, "right"u8, octets, []).Succeeded);
    }

    [Fact]
    public void Verify_payload_refuses_another_auth_method()
    {
        var prf = new HmacPrf(PseudorandomFunction.HmacSha2_256);
        byte[] mic = SharedKeyMic.Compute(prf, "k"u8, [1]);
        AuthResult result = SharedKeyMic.VerifyPayload(prf, "k"u8, [1], new AuthPayload(AuthMethod.DigitalSignature, mic));
        Assert.False(result.Succeeded);
        Assert.Contains("Digital Signature", result.FailureReason, StringComparison.Ordinal);
        Assert.True(SharedKeyMic.VerifyPayload(prf, "k"u8, [1], SharedKeyMic.CreatePayload(prf, "k"u8, [1])).Succeeded);
    }

    [Fact]
    public void After_eap_the_msk_keys_the_mic_or_sk_p_when_there_is_no_msk()
    {
        var prf = new HmacPrf(PseudorandomFunction.HmacSha2_256);
        byte[] msk = [.. Enumerable.Repeat((byte)0x11, 64)];
        byte[] skP = [.. Enumerable.Repeat((byte)0x22, 32)];
        byte[] octets = [3, 1, 4, 1, 5];

        Assert.Equal(SharedKeyMic.Compute(prf, msk, octets), SharedKeyMic.ComputeAfterEap(prf, msk, skP, octets));
        Assert.Equal(SharedKeyMic.Compute(prf, skP, octets), SharedKeyMic.ComputeAfterEap(prf, [], skP, octets));
        Assert.True(SharedKeyMic.VerifyAfterEap(prf, msk, skP, octets, SharedKeyMic.Compute(prf, msk, octets)).Succeeded);
        Assert.False(SharedKeyMic.VerifyAfterEap(prf, [], skP, octets, SharedKeyMic.Compute(prf, msk, octets)).Succeeded);
    }

    [Theory]
    [MemberData(nameof(CaptureTags))]
    public void Our_signed_octets_equal_strongswans_for_both_roles(string tag)
    {
        StrongSwanPskCapture c = StrongSwanPskCapture.Load(tag);
        var idi = new IdPayload(IkeRole.Initiator, IdType.Ipv4Addr, IPAddress.Parse("10.99.0.1").GetAddressBytes());
        var idr = new IdPayload(IkeRole.Responder, IdType.Ipv4Addr, IPAddress.Parse("10.99.0.2").GetAddressBytes());
        Assert.Equal(c.IdiRest, SignedOctets.RestOfIdPayload(idi));
        Assert.Equal(c.IdrRest, SignedOctets.RestOfIdPayload(idr));

        Assert.Equal(c.InitiatorOctets, SignedOctets.ForInitiator(StrongSwanPskCapture.Prf, c.SkPi, c.IkeSaInitRequest, c.NonceR, idi));
        Assert.Equal(c.ResponderOctets, SignedOctets.ForResponder(StrongSwanPskCapture.Prf, c.SkPr, c.IkeSaInitResponse, c.NonceI, idr));
    }

    [Theory]
    [MemberData(nameof(CaptureTags))]
    public void Our_psk_mic_equals_the_auth_strongswan_sent_in_both_directions(string tag)
    {
        StrongSwanPskCapture c = StrongSwanPskCapture.Load(tag);
        Assert.Equal(c.AuthI, SharedKeyMic.Compute(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk, c.InitiatorOctets));
        Assert.Equal(c.AuthR, SharedKeyMic.Compute(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk, c.ResponderOctets));
    }

    [Theory]
    [MemberData(nameof(CaptureTags))]
    public void Verify_peer_accepts_strongswans_auth_payloads_and_refuses_another_psk(string tag)
    {
        StrongSwanPskCapture c = StrongSwanPskCapture.Load(tag);
        var idi = new IdPayload(IkeRole.Initiator, IdType.Ipv4Addr, IPAddress.Parse("10.99.0.1").GetAddressBytes());
        var idr = new IdPayload(IkeRole.Responder, IdType.Ipv4Addr, IPAddress.Parse("10.99.0.2").GetAddressBytes());
        var authI = new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, c.AuthI);
        var authR = new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, c.AuthR);

        // As the responder checks the initiator, and as the initiator checks the responder.
        Assert.True(SharedKeyMic.VerifyPeer(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk, c.SkPi, c.IkeSaInitRequest, c.NonceR, idi, authI).Succeeded);
        Assert.True(SharedKeyMic.VerifyPeer(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk, c.SkPr, c.IkeSaInitResponse, c.NonceI, idr, authR).Succeeded);

        AuthResult wrong = SharedKeyMic.VerifyPeer(StrongSwanPskCapture.Prf, "swlab-demo-psk-0123456780"u8, c.SkPi, c.IkeSaInitRequest, c.NonceR, idi, authI);
        Assert.False(wrong.Succeeded);
        Assert.Contains("10.99.0.1", wrong.FailureReason, StringComparison.Ordinal);
    }
}
