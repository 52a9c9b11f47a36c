using System.Security.Cryptography;
using IkeSharp.Cli.Capture;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.KeySchedule;

/// <summary>
/// The key schedule and SK protection against strongSwan 5.9.8's own keys: its charon log (ike 4)
/// prints g^ir, SKEYSEED, every SK_*, the AUTH octets and the ESP keys; the capture holds the
/// nonces, SPIs and the encrypted messages. Every algorithm comes from the registry, so this also
/// checks our AES-GCM, AES-CBC, HMAC PRF and HMAC ICV against strongSwan's.
/// </summary>
public class StrongSwanKeyScheduleTests
{
    private const string Psk = "swlab-demo-psk-0123456789";

    public sealed record Case(string Tag, Func<IEncryptionAlgorithm> Encryption, Func<IIntegrityAlgorithm?> Integrity, int EspEncryptionKey, int EspIntegrityKey)
    {
        public override string ToString() => Tag;
    }

    private static readonly AlgorithmRegistry Registry = AlgorithmRegistry.Default;

    private static IPrf Prf() => Registry.Prf(PseudorandomFunction.HmacSha2_256)!;

    public static TheoryData<Case> Cases => new(
        new Case("aes128gcm16_prfsha256_x25519", () => Registry.Encryption(EncryptionAlgorithm.AesGcm16, 128)!, () => null, 20, 0),
        new Case("aes256_sha256_modp2048", () => Registry.Encryption(EncryptionAlgorithm.AesCbc, 256)!, () => Registry.Integrity(IntegrityAlgorithm.HmacSha2_256_128), 32, 32));

    private sealed record Exchange(byte[][] Datagrams, IkeMessage[] Messages, byte[] Ni, byte[] Nr, List<(string Name, byte[] Bytes)> Log);

    private static Exchange Load(string tag)
    {
        byte[] pcap = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"sw-pair-{tag}.pcapng"));
        byte[][] datagrams = CaptureReader.Read(pcap).Frames.Select(PacketDissector.Dissect)
            .Where(p => p.Kind is PacketKind.Ike or PacketKind.IkeNatT).Select(p => p.Payload.ToArray()).ToArray();
        IkeMessage[] messages = datagrams.Select(d => IkeMessage.Decode(d).Value).ToArray();
        byte[] ni = messages[0].Payloads.OfType<NoncePayload>().Single().Data.ToArray();
        byte[] nr = messages[1].Payloads.OfType<NoncePayload>().Single().Data.ToArray();
        return new Exchange(datagrams, messages, ni, nr, CharonLog.Blocks(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"charon-A-{tag}.log")));
    }

    private static IkeSaKeys Keys(Case c, Exchange x)
    {
        var prf = Prf();
        using SecretBytes skeyseed = IkeKeySchedule.Skeyseed(prf, x.Ni, x.Nr, CharonLog.First(x.Log, "shared Diffie Hellman secret"));
        return IkeKeySchedule.DeriveIkeSaKeys(prf, c.Encryption(), c.Integrity(), skeyseed.ReadOnlySpan, x.Ni, x.Nr, x.Messages[0].InitiatorSpi, x.Messages[1].ResponderSpi);
    }

    /// <summary>SK protection for what the original initiator sent and for what the responder sent.</summary>
    private static (SkPayloadProtection FromInitiator, SkPayloadProtection FromResponder) Protections(Case c, IkeSaKeys keys) => (
        new SkPayloadProtection(c.Encryption(), keys.SkEi.ReadOnlySpan, c.Integrity(), keys.SkAi.ReadOnlySpan, new DeterministicRandom(1)),
        new SkPayloadProtection(c.Encryption(), keys.SkEr.ReadOnlySpan, c.Integrity(), keys.SkAr.ReadOnlySpan, new DeterministicRandom(2)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Skeyseed_and_every_sk_key_match_strongswan(Case c)
    {
        Exchange x = Load(c.Tag);
        using SecretBytes skeyseed = IkeKeySchedule.Skeyseed(Prf(), x.Ni, x.Nr, CharonLog.First(x.Log, "shared Diffie Hellman secret"));
        Assert.Equal(CharonLog.First(x.Log, "SKEYSEED"), skeyseed.ReadOnlySpan.ToArray());

        using IkeSaKeys keys = Keys(c, x);
        Assert.Equal(CharonLog.First(x.Log, "Sk_d secret"), keys.SkD.ReadOnlySpan.ToArray());
        Assert.Equal(CharonLog.First(x.Log, "Sk_ei secret"), keys.SkEi.ReadOnlySpan.ToArray());
        Assert.Equal(CharonLog.First(x.Log, "Sk_er secret"), keys.SkEr.ReadOnlySpan.ToArray());
        Assert.Equal(CharonLog.First(x.Log, "Sk_pi secret"), keys.SkPi.ReadOnlySpan.ToArray());
        Assert.Equal(CharonLog.First(x.Log, "Sk_pr secret"), keys.SkPr.ReadOnlySpan.ToArray());
        if (c.Integrity() is null)
        {
            Assert.Equal(0, keys.SkAi.Length);
            Assert.DoesNotContain(x.Log, b => b.Name == "Sk_ai secret");
        }
        else
        {
            Assert.Equal(CharonLog.First(x.Log, "Sk_ai secret"), keys.SkAi.ReadOnlySpan.ToArray());
            Assert.Equal(CharonLog.First(x.Log, "Sk_ar secret"), keys.SkAr.ReadOnlySpan.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Strongswan_sk_payloads_decrypt_and_verify(Case c)
    {
        Exchange x = Load(c.Tag);
        using IkeSaKeys keys = Keys(c, x);
        (SkPayloadProtection fromInitiator, SkPayloadProtection fromResponder) = Protections(c, keys);
        using SkPayloadProtection i = fromInitiator;
        using SkPayloadProtection r = fromResponder;

        Payload[] authRequest = fromInitiator.Open(x.Datagrams[2], x.Messages[2]).Value;
        Payload[] authResponse = fromResponder.Open(x.Datagrams[3], x.Messages[3]).Value;
        Payload[] deleteRequest = fromInitiator.Open(x.Datagrams[4], x.Messages[4]).Value;
        Payload[] deleteResponse = fromResponder.Open(x.Datagrams[5], x.Messages[5]).Value;

        // What tshark shows when it decrypts these with the same keys (../shared/captures/decoded-*.txt).
        Assert.Equal("10.99.0.1", Assert.IsType<IdPayload>(authRequest[0]).DisplayValue);
        Assert.Equal(AuthMethod.SharedKeyMessageIntegrityCode, authRequest.OfType<AuthPayload>().Single().Method);
        Assert.Equal("10.1.0.0/24", authRequest.OfType<TsPayload>().Single(t => t.Role == IkeRole.Initiator).Selectors.Single().ToString());
        Assert.Equal("10.2.0.0/24", authRequest.OfType<TsPayload>().Single(t => t.Role == IkeRole.Responder).Selectors.Single().ToString());
        Assert.Equal("10.99.0.2", Assert.IsType<IdPayload>(authResponse[0]).DisplayValue);
        Assert.Single(authResponse.OfType<SaPayload>().Single().Proposals);
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.IkeAuth, false, authRequest));
        Assert.Null(ExchangeRules.CheckInner(ExchangeType.IkeAuth, true, authResponse));

        DeletePayload delete = Assert.IsType<DeletePayload>(Assert.Single(deleteRequest));
        Assert.Equal(SecurityProtocol.Ike, delete.Protocol);
        Assert.Empty(deleteResponse);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Psk_auth_payloads_of_both_peers_verify(Case c)
    {
        Exchange x = Load(c.Tag);
        using IkeSaKeys keys = Keys(c, x);
        (SkPayloadProtection fromInitiator, SkPayloadProtection fromResponder) = Protections(c, keys);
        using SkPayloadProtection i = fromInitiator;
        using SkPayloadProtection r = fromResponder;
        Payload[] request = fromInitiator.Open(x.Datagrams[2], x.Messages[2]).Value;
        Payload[] response = fromResponder.Open(x.Datagrams[3], x.Messages[3]).Value;
        byte[][] loggedOctets = CharonLog.All(x.Log, "octets = message + nonce + prf(Sk_px, IDx')");

        // RFC 7296 §2.15: InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload).
        byte[] initiatorOctets = SignedOctets(x.Datagrams[0], x.Nr, keys.SkPi.ReadOnlySpan, request.OfType<IdPayload>().First());
        byte[] responderOctets = SignedOctets(x.Datagrams[1], x.Ni, keys.SkPr.ReadOnlySpan, response.OfType<IdPayload>().First());
        Assert.Equal(loggedOctets[0], initiatorOctets);
        Assert.Equal(loggedOctets[1], responderOctets);

        // AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>).
        byte[] padKey = HMACSHA256.HashData(System.Text.Encoding.ASCII.GetBytes(Psk), "Key Pad for IKEv2"u8);
        Assert.Equal(request.OfType<AuthPayload>().Single().Data.ToArray(), HMACSHA256.HashData(padKey, initiatorOctets));
        Assert.Equal(response.OfType<AuthPayload>().Single().Data.ToArray(), HMACSHA256.HashData(padKey, responderOctets));
    }

    private static byte[] SignedOctets(byte[] realMessage, byte[] peerNonce, ReadOnlySpan<byte> skP, IdPayload id)
    {
        byte[] idBody = new byte[id.BodyLength];
        id.WriteBody(idBody);
        return [.. realMessage, .. peerNonce, .. HMACSHA256.HashData(skP, idBody)];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Child_sa_keymat_matches_strongswan_esp_keys(Case c)
    {
        Exchange x = Load(c.Tag);
        using IkeSaKeys keys = Keys(c, x);
        using ChildSaKeys child = IkeKeySchedule.DeriveChildSaKeys(Prf(), keys.SkD.ReadOnlySpan, c.EspEncryptionKey, c.EspIntegrityKey, x.Ni, x.Nr);
        Assert.Equal(CharonLog.First(x.Log, "encryption initiator key"), child.EncryptionInitiator.ReadOnlySpan.ToArray());
        Assert.Equal(CharonLog.First(x.Log, "encryption responder key"), child.EncryptionResponder.ReadOnlySpan.ToArray());
        if (c.EspIntegrityKey > 0)
        {
            Assert.Equal(CharonLog.First(x.Log, "integrity initiator key"), child.IntegrityInitiator.ReadOnlySpan.ToArray());
            Assert.Equal(CharonLog.First(x.Log, "integrity responder key"), child.IntegrityResponder.ReadOnlySpan.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_flipped_bit_anywhere_fails_cleanly(Case c)
    {
        Exchange x = Load(c.Tag);
        using IkeSaKeys keys = Keys(c, x);
        using SkPayloadProtection fromInitiator = Protections(c, keys).FromInitiator;
        byte[] datagram = x.Datagrams[2];
        for (int i = 0; i < datagram.Length; i++)
        {
            byte[] tampered = (byte[])datagram.Clone();
            tampered[i] ^= 0x01;
            DecodeResult<IkeMessage> decoded = IkeMessage.Decode(tampered);
            if (!decoded.IsSuccess)
            {
                continue;   // a header or SK-header length field: the codec already refuses it
            }

            DecodeResult<Payload[]> opened = fromInitiator.Open(tampered, decoded.Value);
            Assert.False(opened.IsSuccess, $"flipping a bit of octet {i} went unnoticed");
            Assert.Equal(DecodeErrorCode.IntegrityCheckFailed, opened.Error!.Code);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seal_then_open_round_trips_our_own_messages(Case c)
    {
        byte[] ke = new byte[c.Encryption().KeyMaterialLength];
        byte[] ka = new byte[c.Integrity()?.KeyLength ?? 0];
        new DeterministicRandom(9).Fill(ke);
        new DeterministicRandom(10).Fill(ka);
        using var sender = new SkPayloadProtection(c.Encryption(), ke, c.Integrity(), ka, new DeterministicRandom(3));
        using var receiver = new SkPayloadProtection(c.Encryption(), ke, c.Integrity(), ka, new DeterministicRandom(4));
        Payload[] inner =
        [
            IdPayload.FromText(IkeRole.Initiator, "moon.example.org"),
            new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, new byte[32]),
            new TsPayload(IkeRole.Initiator, [TrafficSelector.Subnet("10.1.0.0/24")]),
        ];
        for (int extra = 0; extra < 20; extra++)
        {
            Payload[] chain = [.. inner, new NoncePayload(new byte[extra])];
            byte[] sealedMessage = sender.Seal(1, 2, ExchangeType.IkeAuth, IkeFlags.Initiator, 1, chain);
            IkeMessage decoded = IkeMessage.Decode(sealedMessage).Value;
            Assert.Null(ExchangeRules.CheckOuter(decoded));
            Payload[] opened = receiver.Open(sealedMessage, decoded).Value;
            Assert.Equal(chain.Select(p => p.ToString()), opened.Select(p => p.ToString()));
        }

        // An empty inner chain (a liveness check, RFC 7296 §1.4) seals and opens too.
        byte[] empty = sender.Seal(1, 2, ExchangeType.Informational, IkeFlags.Initiator, 2, []);
        Assert.Empty(receiver.Open(empty, IkeMessage.Decode(empty).Value).Value);
    }
}
