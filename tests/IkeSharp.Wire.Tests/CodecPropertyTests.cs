using System.Net;
using CsCheck;
using IkeSharp.Cli.Inspect;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>
/// Property tests of the codec (DESIGN.md, "Testing habits"): random valid messages round-trip;
/// no proper prefix decodes; random and mutated bytes never throw, never allocate more than the
/// input justifies, and whatever decodes can be printed.
/// </summary>
public class CodecPropertyTests
{
    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static readonly Gen<byte[]> SmallBytes = Gen.Byte.Array[0, 48];

    private static readonly Gen<Transform> GenTransform = Gen.OneOf(
        Gen.Select(Gen.Int[0, 4], Pick(128, 192, 256), (id, bits) => Transform.Encryption((EncryptionAlgorithm)new ushort[] { 12, 13, 20, 28, 3 }[id], id < 3 ? bits : null)),
        Gen.UShort[1, 9].Select(id => Transform.Prf((PseudorandomFunction)id)),
        Gen.UShort[0, 14].Select(id => Transform.Integrity((IntegrityAlgorithm)id)),
        Gen.UShort[0, 40].Select(id => Transform.KeyExchange((KeyExchangeMethod)id)),
        Gen.UShort[0, 1].Select(id => Transform.Esn((SequenceNumbers)id)),
        Gen.Select(Gen.Byte[1, 12], Gen.UShort, Gen.Byte.Array[0, 6], (type, id, value) =>
            new Transform((TransformType)type, id, [new TransformAttribute((TransformAttributeType)300, false, 0, value)])));

    private static readonly Gen<Proposal> GenProposal = Gen.Select(Gen.Byte[1, 20], Pick(SecurityProtocol.Ike, SecurityProtocol.Esp, SecurityProtocol.Ah),
        Pick(0, 4, 8).SelectMany(n => Gen.Byte.Array[n]), GenTransform.Array[0, 8],
        (number, protocol, spi, transforms) => new Proposal(number, protocol, spi, transforms));

    private static readonly Gen<TrafficSelector> GenSelector = Gen.Select(Gen.Bool, Gen.Byte, Gen.UShort, Gen.UShort, Gen.Byte.Array[16], Gen.Byte.Array[16],
        (v6, proto, from, to, a, b) => TrafficSelector.Range(new IPAddress(v6 ? a : a[..4]), new IPAddress(v6 ? b : b[..4]), proto, from, to));

    private static readonly Gen<NotifyPayload> GenNotify = Gen.OneOf(
        Gen.Select(Gen.UShort[16384, 65535].Where(t => !IsTyped(t)), SmallBytes, (t, d) => NotifyPayload.Create((NotifyType)t, d)),
        Gen.Byte.Array[1, 64].Select(c => NotifyPayload.Cookie(c)),
        Gen.Select(Gen.Bool, Gen.Byte.Array[20], (s, h) => NotifyPayload.NatDetection(s, h)),
        Gen.UShort.Select(m => NotifyPayload.InvalidKe((KeyExchangeMethod)m)),
        Gen.UInt.Select(spi => NotifyPayload.RekeySa(SecurityProtocol.Esp, spi)),
        Gen.UShort.Array[0, 6].Select(h => NotifyPayload.SignatureHashAlgorithms(h.Select(x => (HashAlgorithm)x).ToArray())),
        Gen.Select(Gen.Byte.Array[4], Gen.Byte.Array[0, 32], (ip, nonce) => NotifyPayload.Redirect(GatewayIdentityType.Ipv4, ip, nonce)),
        Gen.Byte.Array[16].Select(ip => NotifyPayload.AdditionalAddress(new IPAddress(ip))),
        Gen.UInt.Select(NotifyPayload.SetWindowSize));

    private static bool IsTyped(ushort t) => t is 16388 or 16389 or 16390 or 16397 or 16398 or 16385 or 16407 or 16408 or 16431;

    private static readonly Gen<Payload> GenPayload = Gen.OneOf<Payload>(
        GenProposal.Array[1, 4].Select(p => (Payload)new SaPayload(p)),
        Gen.Select(Gen.UShort, Gen.Byte.Array[0, 300], (m, d) => (Payload)new KePayload((KeyExchangeMethod)m, d)),
        Gen.Select(Gen.Bool, Pick(IdType.Fqdn, IdType.Rfc822Addr, IdType.DerAsn1Dn, IdType.KeyId, IdType.Null, IdType.DerAsn1Gn), SmallBytes,
            (r, t, d) => (Payload)new IdPayload(r ? IkeRole.Initiator : IkeRole.Responder, t, d)),
        Gen.Select(Gen.Bool, Gen.Byte.Array[16], (r, d) => (Payload)new IdPayload(r ? IkeRole.Initiator : IkeRole.Responder, IdType.Ipv6Addr, d)),
        Gen.Select(Gen.Byte[1, 11], Gen.Byte.Array[0, 200], (e, d) => (Payload)new CertPayload((CertificateEncoding)e, d)),
        Gen.Select(Gen.Byte.Array[20], Gen.String, (h, u) => (Payload)CertPayload.HashAndUrl(false, h, new string(u.Where(char.IsAscii).ToArray()))),
        Gen.Select(Gen.Byte, Gen.Byte.Array[0, 80], (e, d) => (Payload)new CertReqPayload((CertificateEncoding)e, d)),
        Gen.Select(Gen.Byte, Gen.Byte.Array[0, 128], (m, d) => (Payload)new AuthPayload((AuthMethod)m, d)),
        Gen.Byte.Array[0, 256].Select(d => (Payload)new NoncePayload(d)),
        GenNotify.Select(n => (Payload)n),
        Gen.Bool.Select(_ => (Payload)DeletePayload.IkeSa()),
        Gen.UInt.Array[0, 10].Select(spis => (Payload)DeletePayload.ChildSas(SecurityProtocol.Esp, spis)),
        SmallBytes.Select(d => (Payload)new VendorIdPayload(d)),
        Gen.Select(Gen.Bool, GenSelector.Array[0, 5], (r, s) => (Payload)new TsPayload(r ? IkeRole.Initiator : IkeRole.Responder, s)),
        Gen.Select(Gen.Byte[1, 4], Gen.Select(Gen.UShort[0, 0x7fff], SmallBytes, (t, v) => new ConfigurationAttribute((ConfigurationAttributeType)t, v)).Array[0, 6],
            (t, a) => (Payload)new ConfigurationPayload((ConfigurationType)t, a)),
        Gen.Select(Gen.Byte[1, 2], Gen.Byte, Gen.Byte, SmallBytes, (code, id, type, data) =>
        {
            byte[] m = [code, id, 0, 0, type, .. data];
            m[2] = (byte)(m.Length >> 8);
            m[3] = (byte)m.Length;
            return (Payload)new EapPayload(m);
        }),
        Gen.Select(Gen.Byte[128, 255], Gen.Bool, SmallBytes, (t, c, b) => (Payload)(new UnknownPayload(t, b) { Critical = c })));

    private static readonly Gen<Payload> GenLast = Gen.OneOf<Payload>(
        Gen.Select(Pick(PayloadType.IdInitiator, PayloadType.Notify, PayloadType.NoNextPayload), Gen.Byte.Array[0, 200], (f, b) => (Payload)new EncryptedPayload(f, b)),
        Gen.Select(Gen.UShort[1, 10], Gen.Byte.Array[0, 100], (n, b) => (Payload)new EncryptedFragmentPayload(n, 10, n == 1 ? PayloadType.IdInitiator : PayloadType.NoNextPayload, b)));

    public static readonly Gen<IkeMessage> GenMessage = Gen.Select(Gen.ULong, Gen.ULong, Gen.Byte[34, 44], Gen.Byte, Gen.UInt, GenPayload.Array[0, 8], Gen.Bool, GenLast,
        (spiI, spiR, exchange, flags, mid, payloads, withSk, last) =>
            new IkeMessage(spiI, spiR, (ExchangeType)exchange, (IkeFlags)flags, mid, withSk ? [.. payloads, last] : payloads));

    [Fact]
    public void Random_valid_messages_round_trip()
    {
        GenMessage.Sample(m =>
        {
            byte[] bytes = m.ToArray();
            IkeMessage decoded = IkeMessage.Decode(bytes).Value;
            Assert.Equal(bytes, decoded.ToArray());
            Assert.Equal(m.Payloads.Count, decoded.Payloads.Count);
        }, iter: 3000);
    }

    [Fact]
    public void No_proper_prefix_of_a_valid_message_or_payload_chain_decodes()
    {
        GenMessage.Sample(m =>
        {
            byte[] bytes = m.ToArray();
            for (int n = 0; n < bytes.Length; n++)
            {
                Assert.False(IkeMessage.Decode(bytes.AsMemory(0, n)).IsSuccess, $"a {n}-octet prefix of {bytes.Length} decoded");
            }

            ReadOnlyMemory<byte> chain = bytes.AsMemory(IkeHeader.EncodedLength);
            PayloadType first = PayloadChain.FirstType(m.Payloads);
            for (int n = 0; n < chain.Length && first != PayloadType.NoNextPayload; n++)
            {
                Assert.False(PayloadChain.Decode(first, chain[..n], IkeHeader.EncodedLength).IsSuccess, $"a {n}-octet prefix of the payload chain decoded");
            }
        }, iter: 300);
    }

    private static void DecodeAndPrint(byte[] input)
    {
        DecodeResult<IkeMessage> result = IkeMessage.Decode(input);
        if (result.TryGetValue(out IkeMessage m))
        {
            _ = m.ToString();
            _ = ExchangeRules.CheckOuter(m);
            foreach (Payload p in m.Payloads)
            {
                _ = p.ToString();
                _ = PayloadView.From(p);
            }
        }
        else
        {
            Assert.InRange(result.Error!.Offset, 0, input.Length);
            _ = result.Error.ToString();
        }
    }

    /// <summary>Bytes allocated by decoding alone, after one warm-up call so the JIT does not count.</summary>
    private static long DecodeAllocations(byte[] input)
    {
        IkeMessage.Decode(input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        IkeMessage.Decode(input);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static byte[] WithPlausibleHeader(byte[] body, byte nextPayload)
    {
        byte[] bytes = new byte[IkeHeader.EncodedLength + body.Length];
        new IkeHeader(1, 2, (PayloadType)nextPayload, IkeHeader.Version2, ExchangeType.IkeAuth, IkeFlags.Initiator, 1, (uint)bytes.Length).Write(bytes);
        body.CopyTo(bytes, IkeHeader.EncodedLength);
        return bytes;
    }

    [Fact]
    public void Random_bytes_never_throw_and_allocate_in_proportion()
    {
        Gen.Byte.Array[0, 700].Sample(bytes =>
        {
            DecodeAndPrint(bytes);
            Assert.True(DecodeAllocations(bytes) <= (32 * bytes.Length) + 1024);
        }, iter: 3000);

        Gen.Select(Gen.Byte[33, 54], Gen.Byte.Array[0, 700], (next, body) => WithPlausibleHeader(body, next)).Sample(bytes =>
        {
            DecodeAndPrint(bytes);
            Assert.True(DecodeAllocations(bytes) <= (32 * bytes.Length) + 1024, $"{DecodeAllocations(bytes)} bytes allocated for {bytes.Length} input");
        }, iter: 5000);
    }

    [Fact]
    public void Mutated_valid_messages_never_throw_and_allocate_in_proportion()
    {
        Gen.Select(GenMessage, Gen.Int[1, 8], Gen.Int[-20, 20], Gen.Int, (m, flips, resize, seed) => (m, flips, resize, seed)).Sample(t =>
        {
            byte[] original = t.m.ToArray();
            var rng = new Random(t.seed);
            byte[] bytes = new byte[Math.Max(IkeHeader.EncodedLength, original.Length + t.resize)];
            original.AsSpan(0, Math.Min(original.Length, bytes.Length)).CopyTo(bytes);
            for (int i = 0; i < t.flips; i++)
            {
                int at = IkeHeader.EncodedLength + rng.Next(Math.Max(1, bytes.Length - IkeHeader.EncodedLength));
                if (at < bytes.Length)
                {
                    bytes[at] = rng.Next(2) == 0 ? (byte)(bytes[at] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
                }
            }

            // Patch the header Length so decoding reaches the payloads.
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), (uint)bytes.Length);
            DecodeAndPrint(bytes);
            Assert.True(DecodeAllocations(bytes) <= (32 * bytes.Length) + 1024);
        }, iter: 5000);
    }
}
