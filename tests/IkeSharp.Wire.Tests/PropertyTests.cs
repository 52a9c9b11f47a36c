using System.Buffers.Binary;
using System.Net;
using CsCheck;
using IkeSharp.Cli.Inspect;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>
/// Property tests of the codec (DESIGN.md, "Testing habits"): every valid message round-trips, no
/// proper prefix of one decodes, and nothing a peer can send (random bytes, or a valid message with
/// a few bytes broken) makes the decoder, the payloads' ToString or the inspect view throw, or makes
/// the decoder allocate more than linearly in its input.
/// Seeds are random; CsCheck prints the seed of a failure (set CsCheck_Seed to replay it).
/// </summary>
public class PropertyTests
{
    // Iterations: the whole class takes 7 to 15 s on two shared cores in a Debug build. Larger counts
    // (60,000 round trips, 600,000 mutations) were run once while writing these tests and found nothing more.
    private const int RoundTripIterations = 10_000;
    private const int PrefixIterations = 2_000;
    private const int RandomIterations = 100_000;
    private const int MutationIterations = 100_000;
    private const int AllocationIterations = 20_000;

    /// <summary>Allocation allowed per input octet, plus a constant for the result and the error text.</summary>
    private const int AllocationPerOctet = 32;
    private const int AllocationConstant = 1024;

    // ---------------------------------------------------------------------------------------
    // Generators of valid payloads and messages. Every field takes values the codec must keep
    // exactly, reserved values and unassigned numbers included.
    // ---------------------------------------------------------------------------------------

    private static Gen<byte[]> Bytes(int min, int max) => Gen.Byte.Array[min, max];

    private static Gen<byte[]> Bytes(int length) => Gen.Byte.Array[length];

    private static readonly Gen<byte[]> Spi048 = Gen.OneOf(0, 4, 8).SelectMany(n => Bytes(n));

    private static readonly Gen<IkeRole> Role = Gen.Bool.Select(i => i ? IkeRole.Initiator : IkeRole.Responder);

    private static readonly Gen<TransformAttribute> GenTransformAttribute = Gen.OneOf<TransformAttribute>(
        Gen.OneOf<int>(Gen.OneOf(128, 192, 256), Gen.Int[0, ushort.MaxValue]).Select(TransformAttribute.KeyLength),
        from type in Gen.UShort[0, 0x7fff]
        from value in Gen.UShort
        select new TransformAttribute((TransformAttributeType)type, true, value, default),
        from type in Gen.UShort[0, 0x7fff]
        from value in Bytes(0, 24)
        select new TransformAttribute((TransformAttributeType)type, false, 0, value));

    private static readonly Gen<Transform> GenTransform =
        from type in Gen.Byte[1, 5]
        from id in Gen.OneOf<ushort>(Gen.UShort[0, 40], Gen.UShort)
        from attributes in Gen.OneOf<TransformAttribute[]>(Gen.Const<TransformAttribute[]>([]), GenTransformAttribute.Array[1, 3])
        select new Transform((TransformType)type, id, attributes);

    private static readonly Gen<Proposal> GenProposal =
        from number in Gen.Byte
        from protocol in Gen.OneOf<byte>(Gen.Byte[1, 3], Gen.Byte)
        from spi in Spi048
        from transforms in GenTransform.Array[0, 8]
        select new Proposal(number, (SecurityProtocol)protocol, spi, transforms);

    private static readonly Gen<Payload> GenSa = GenProposal.Array[1, 4].Select(p => (Payload)new SaPayload(p));

    private static readonly Gen<Payload> GenKe =
        from method in Gen.OneOf<ushort>(Gen.UShort[0, 40], Gen.UShort)
        from data in Bytes(0, 300)
        select (Payload)new KePayload((KeyExchangeMethod)method, data);

    private static readonly string[] IdTexts =
    [
        "10.99.0.1", "2001:db8::1", "gw.example.org", "alice@example.org",
        "C=CH, O=strongSwan, CN=moon.strongswan.org", "CN=\u00e9t\u00e9, O=x",
    ];

    private static readonly Gen<Payload> GenId = Gen.OneOf<Payload>(
        from role in Role
        from idType in Gen.OneOf<byte>(Gen.OneOf<byte>(1, 2, 3, 5, 9, 10, 11, 12, 13), Gen.Byte)
        from data in idType switch { 1 => Bytes(4), 5 => Bytes(16), _ => Bytes(0, 64) }
        select (Payload)new IdPayload(role, (IdType)idType, data),
        from role in Role
        from text in Gen.OneOf(IdTexts)
        select (Payload)IdPayload.FromText(role, text));

    private static readonly Gen<Payload> GenCert = Gen.OneOf<Payload>(
        from encoding in Gen.Byte
        from data in encoding is 12 or 13 ? Bytes(20, 80) : Bytes(0, 200)
        select (Payload)new CertPayload((CertificateEncoding)encoding, data),
        from bundle in Gen.Bool
        from sha1 in Bytes(20)
        from url in Gen.String[Gen.Char['!', '~'], 0, 40]
        select (Payload)CertPayload.HashAndUrl(bundle, sha1, url));

    private static readonly Gen<Payload> GenCertReq =
        from encoding in Gen.Byte
        from authorities in Gen.OneOf(Gen.Int[0, 4].SelectMany(n => Bytes(n * 20)), Bytes(0, 50))
        select (Payload)new CertReqPayload((CertificateEncoding)encoding, authorities);

    private static readonly Gen<Payload> GenAuth = Gen.OneOf<Payload>(
        from method in Gen.Byte
        from data in Bytes(0, 100)
        select (Payload)new AuthPayload((AuthMethod)method, data),
        from algorithm in Bytes(1, 20)
        from signature in Bytes(0, 64)
        select (Payload)new AuthPayload(AuthMethod.DigitalSignature, (byte[])[(byte)algorithm.Length, .. algorithm, .. signature]));

    private static readonly Gen<Payload> GenNonce = Bytes(0, 64).Select(d => (Payload)new NoncePayload(d));

    private static readonly Gen<Payload> GenVendorId = Gen.OneOf(
        Bytes(0, 40).Select(d => (Payload)new VendorIdPayload(d)),
        Bytes(0, 8).Select(suffix => (Payload)new VendorIdPayload((byte[])[.. Convert.FromHexString("882fe56d6fd20dbc2251613b2ebe5beb"), .. suffix])));

    /// <summary>Notify types whose data has a fixed shape the decoder checks; random data would be invalid for them.</summary>
    private static readonly HashSet<ushort> ShapedNotifyTypes =
    [
        (ushort)NotifyType.UnsupportedCriticalPayload, (ushort)NotifyType.InvalidKePayload, (ushort)NotifyType.Cookie,
        (ushort)NotifyType.NatDetectionSourceIp, (ushort)NotifyType.NatDetectionDestinationIp, (ushort)NotifyType.SignatureHashAlgorithms,
        (ushort)NotifyType.AdditionalIp4Address, (ushort)NotifyType.AdditionalIp6Address, (ushort)NotifyType.SetWindowSize,
        (ushort)NotifyType.Redirect, (ushort)NotifyType.RedirectedFrom,
    ];

    private static readonly NotifyType[] EmptyStatusNotifies =
    [
        NotifyType.Ikev2FragmentationSupported, NotifyType.RedirectSupported, NotifyType.MobikeSupported, NotifyType.UseTransportMode,
        NotifyType.EspTfcPaddingNotSupported, NotifyType.InitialContact, NotifyType.AuthenticationFailed, NotifyType.NoProposalChosen,
    ];

    private static readonly Gen<Payload> GenNotifyUnconstrained =
        from protocol in Gen.Byte
        from spi in Gen.OneOf(Spi048, Bytes(0, 16))
        from type in Gen.UShort.Where(t => !ShapedNotifyTypes.Contains(t))
        from data in Bytes(0, 64)
        select (Payload)new NotifyPayload((SecurityProtocol)protocol, (NotifyType)type, spi, data);

    private static readonly Gen<byte[]> GenFqdn = Gen.String[Gen.Char['a', 'z'], 1, 30].Select(s => System.Text.Encoding.ASCII.GetBytes(s + ".example"));

    private static readonly Gen<NotifyPayload> GenRedirect =
        from kind in Gen.Int[0, 3]
        from identity in kind switch { 0 => Bytes(4), 1 => Bytes(16), 2 => GenFqdn, _ => Bytes(0, 64) }
        from otherType in Gen.Byte.Where(t => t is not (1 or 2))
        from redirectedFrom in Gen.Bool
        from nonce in Bytes(0, 64)
        select NotifyPayload.Redirect(
            kind switch { 0 => GatewayIdentityType.Ipv4, 1 => GatewayIdentityType.Ipv6, 2 => GatewayIdentityType.Fqdn, _ => (GatewayIdentityType)otherType },
            identity, redirectedFrom ? default : nonce, redirectedFrom);

    private static readonly Gen<Payload> GenNotifyTyped = Gen.OneOf<NotifyPayload>(
        Bytes(1, NotifyPayload.MaxCookieLength).Select(c => NotifyPayload.Cookie(c)),
        from source in Gen.Bool
        from sha1 in Bytes(NotifyPayload.NatDetectionHashLength)
        select NotifyPayload.NatDetection(source, sha1),
        Gen.UShort.Select(m => NotifyPayload.InvalidKe((KeyExchangeMethod)m)),
        from protocol in Gen.Byte
        from spi in Gen.UInt
        select NotifyPayload.RekeySa((SecurityProtocol)protocol, spi),
        Gen.UShort.Array[0, 8].Select(a => NotifyPayload.SignatureHashAlgorithms(Array.ConvertAll(a, h => (HashAlgorithm)h))),
        Bytes(4).Select(a => NotifyPayload.AdditionalAddress(new IPAddress(a))),
        Bytes(16).Select(a => NotifyPayload.AdditionalAddress(new IPAddress(a))),
        Gen.UInt.Select(NotifyPayload.SetWindowSize),
        GenRedirect,
        Gen.Byte.Select(t => NotifyPayload.Create(NotifyType.UnsupportedCriticalPayload, new[] { t })),
        Gen.OneOf(EmptyStatusNotifies).Select(t => NotifyPayload.Create(t))).Select(n => (Payload)n);

    private static readonly Gen<Payload> GenDelete = Gen.OneOf<Payload>(
        Gen.Const<Payload>(DeletePayload.IkeSa()),
        from protocol in Gen.OneOf(SecurityProtocol.Esp, SecurityProtocol.Ah)
        from spis in Gen.UInt.Array[0, 16]
        select (Payload)DeletePayload.ChildSas(protocol, spis),
        from protocol in Gen.Byte
        from size in Gen.Byte[1, 16]
        from count in Gen.Int[0, 8]
        from spis in Bytes(size * count)
        select (Payload)new DeletePayload((SecurityProtocol)protocol, size, spis));

    private static readonly Gen<TrafficSelector> GenSelector = Gen.OneOf<TrafficSelector>(
        from start in Bytes(4)
        from end in Bytes(4)
        from protocol in Gen.OneOf<byte>(Gen.OneOf<byte>(0, 1, 6, 17, 58), Gen.Byte)
        from startPort in Gen.UShort
        from endPort in Gen.UShort
        select TrafficSelector.Range(new IPAddress(start), new IPAddress(end), protocol, startPort, endPort),
        from start in Bytes(16)
        from end in Bytes(16)
        from protocol in Gen.OneOf<byte>(Gen.OneOf<byte>(0, 6, 17, 58), Gen.Byte)
        from startPort in Gen.UShort
        from endPort in Gen.UShort
        select TrafficSelector.Range(new IPAddress(start), new IPAddress(end), protocol, startPort, endPort),
        from cidr in Gen.OneOf("10.1.0.0/24", "0.0.0.0/0", "192.0.2.7/32", "2001:db8::/32", "::/0")
        from protocol in Gen.Byte
        select TrafficSelector.Subnet(cidr, protocol),
        from type in Gen.OneOf<byte>(Gen.OneOf<byte>(9, 10), Gen.Byte.Where(t => t is not (7 or 8)))
        from second in Gen.Byte
        from body in Bytes(0, 40)
        select new TrafficSelector((TrafficSelectorType)type, second, body));

    private static readonly Gen<Payload> GenTs =
        from role in Role
        from selectors in GenSelector.Array[0, 5]
        select (Payload)new TsPayload(role, selectors);

    private static readonly Gen<ConfigurationAttribute> GenConfigurationAttribute =
        from type in Gen.OneOf<ushort>(Gen.UShort[0, 30], Gen.UShort[28672, 28682], Gen.UShort[0, 0x7fff])
        from value in Gen.OneOf(Bytes(0), Bytes(4), Bytes(8), Bytes(16), Bytes(17), Bytes(0, 20), Gen.Int[0, 6].SelectMany(n => Bytes(2 * n)))
        select new ConfigurationAttribute((ConfigurationAttributeType)type, value);

    private static readonly Gen<Payload> GenCp =
        from cfgType in Gen.OneOf<byte>(Gen.Byte[1, 4], Gen.Byte)
        from attributes in GenConfigurationAttribute.Array[0, 8]
        select (Payload)new ConfigurationPayload((ConfigurationType)cfgType, attributes);

    private static readonly Gen<Payload> GenEap =
        from code in Gen.OneOf<byte>(Gen.Byte[1, 6], Gen.Byte)
        from identifier in Gen.Byte
        from data in Bytes(code is 1 or 2 ? 1 : 0, 60)
        select (Payload)new EapPayload(EapMessage(code, identifier, data));

    private static byte[] EapMessage(byte code, byte identifier, byte[] data)
    {
        byte[] message = new byte[4 + data.Length];
        message[0] = code;
        message[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)message.Length);
        data.CopyTo(message, 4);
        return message;
    }

    /// <summary>Types this codec does not know: everything but 0 (end of chain), 33-48 and 53 (SKF).</summary>
    private static readonly Gen<byte> UnknownType = Gen.OneOf<byte>(Gen.Byte[128, 255], Gen.Byte[1, 32], Gen.Byte[49, 52], Gen.Byte[54, 127]);

    private static readonly Gen<Payload> GenUnknown =
        from type in UnknownType
        from body in Bytes(0, 40)
        from critical in Gen.Bool
        select (Payload)new UnknownPayload(type, body) { Critical = critical };

    /// <summary>Any payload that may appear anywhere in a chain; the critical bit is kept as sent, so it is sometimes set.</summary>
    private static readonly Gen<Payload> GenPayload =
        from payload in Gen.OneOf(GenSa, GenKe, GenId, GenCert, GenCertReq, GenAuth, GenNonce, GenNotifyUnconstrained, GenNotifyTyped,
            GenDelete, GenVendorId, GenTs, GenCp, GenEap, GenUnknown)
        from critical in Gen.Int[0, 7]
        select critical == 0 ? payload with { Critical = true } : payload;

    /// <summary>SK: random ciphertext, or (as if it were the plaintext) an encoded inner chain.</summary>
    private static readonly Gen<Payload> GenSk = Gen.OneOf(
        from first in Gen.Byte
        from body in Bytes(0, 200)
        select (Payload)new EncryptedPayload((PayloadType)first, body),
        GenPayload.Array[1, 6].Select(inner => (Payload)new EncryptedPayload(inner[0].Type, EncodeChain(inner))));

    private static readonly Gen<Payload> GenSkf =
        from total in Gen.OneOf<ushort>(Gen.UShort[1, 5], Gen.UShort[1, ushort.MaxValue])
        from number in Gen.UShort[1, total]
        from first in Gen.Byte
        from body in Bytes(0, 200)
        select (Payload)new EncryptedFragmentPayload(number, total, (PayloadType)first, body);

    private static readonly Gen<Payload?> GenLast = Gen.Frequency<Payload?>(
        (4, Gen.Const((Payload?)null)),
        (1, GenSk.Select(p => (Payload?)p)),
        (1, GenSkf.Select(p => (Payload?)p)));

    private static readonly Gen<IkeMessage> GenMessage =
        (from spiI in Gen.ULong
         from spiR in Gen.ULong
         from exchange in Gen.OneOf<byte>(Gen.Byte[34, 44], Gen.Byte)
         from flags in Gen.Byte
         from messageId in Gen.UInt
         from minorVersion in Gen.Byte[0, 15]
         from payloads in GenPayload.Array[0, 12]
         from last in GenLast
         select new IkeMessage(spiI, spiR, (ExchangeType)exchange, (IkeFlags)flags, messageId, last is null ? payloads : [.. payloads, last])
         {
             Version = (byte)(IkeHeader.Version2 | minorVersion),
         })
        .Where(m => m.EncodedLength <= WireLimits.MaxMessageLength);

    private static byte[] EncodeChain(IReadOnlyList<Payload> payloads)
    {
        byte[] bytes = new byte[PayloadChain.EncodedLength(payloads)];
        PayloadChain.Write(payloads, bytes);
        return bytes;
    }

    // ---------------------------------------------------------------------------------------
    // Generators of hostile input.
    // ---------------------------------------------------------------------------------------

    private static readonly byte[] KnownTypes = [33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 53];

    private static readonly Gen<byte[]> GenRandomBytes = Bytes(0, 700);

    /// <summary>A header that passes its own checks (version 2, a known Next Payload, Length = datagram length), then random bytes.</summary>
    private static readonly Gen<byte[]> GenPlausibleHeader =
        from header in Bytes(IkeHeader.EncodedLength)
        from first in Gen.OneOf(KnownTypes)
        from rest in Bytes(0, 700)
        select PatchHeader([.. header, .. rest], first);

    /// <summary>A header and a chain whose generic payload headers are consistent, with random bodies: reaches every body decoder.</summary>
    private static readonly Gen<byte[]> GenPlausibleChain =
        from header in Bytes(IkeHeader.EncodedLength)
        from payloads in (from type in Gen.OneOf<byte>(Gen.OneOf(KnownTypes), UnknownType)
                          from flags in Gen.Byte
                          from body in Gen.OneOf(Bytes(0, 12), Bytes(0, 80))
                          select (Type: type, Flags: flags, Body: body)).Array[0, 10]
        select PlausibleChain(header, payloads);

    private static byte[] PlausibleChain(byte[] header, (byte Type, byte Flags, byte[] Body)[] payloads)
    {
        var bytes = new List<byte>(header);
        for (int i = 0; i < payloads.Length; i++)
        {
            (byte _, byte flags, byte[] body) = payloads[i];
            int length = Payload.HeaderLength + body.Length;
            bytes.AddRange([i + 1 < payloads.Length ? payloads[i + 1].Type : (byte)0, flags, (byte)(length >> 8), (byte)length, .. body]);
        }

        return PatchHeader([.. bytes], payloads.Length == 0 ? (byte)0 : payloads[0].Type);
    }

    private static byte[] PatchHeader(byte[] datagram, byte firstPayload)
    {
        datagram[16] = firstPayload;
        datagram[17] = IkeHeader.Version2;
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(24), (uint)datagram.Length);
        return datagram;
    }

    private static readonly Lazy<byte[][]> CaptureDatagrams = new(() =>
        [.. Fixtures.CaptureTags.SelectMany(Fixtures.IkeDatagrams).Select(d => d.Datagram)]);

    private static readonly Lazy<byte[][]> SampleMessages = new(() => [.. Samples.EveryMessage().Select(m => m.Message.ToArray())]);

    /// <summary>Valid messages to break: generated ones, the hand-built samples, and strongSwan's from the captures.</summary>
    private static readonly Gen<byte[]> GenValidBytes = Gen.Frequency<byte[]>(
        (6, GenMessage.Select(m => m.ToArray())),
        (1, Gen.Int[0, int.MaxValue].Select(i => SampleMessages.Value[i % SampleMessages.Value.Length])),
        (1, Gen.Int[0, int.MaxValue].Select(i => CaptureDatagrams.Value[i % CaptureDatagrams.Value.Length])));

    private readonly record struct Edit(int Position, bool Flip, byte Value);

    /// <summary>
    /// A valid message with 1 to 8 octets flipped or replaced, sometimes truncated or extended, and the
    /// header Length then set to the new size so that decoding gets past the header to the payloads.
    /// </summary>
    private static readonly Gen<byte[]> GenMutated =
        from original in GenValidBytes
        from edits in (from position in Gen.Int[0, int.MaxValue]
                       from flip in Gen.Bool
                       from value in Gen.Byte[1, 255]
                       select new Edit(position, flip, value)).Array[1, 8]
        from resize in Gen.Int[0, 5]
        from cut in Gen.Int[0, int.MaxValue]
        from extra in Bytes(1, 16)
        select Mutate(original, edits, resize, cut, extra);

    private static byte[] Mutate(byte[] original, Edit[] edits, int resize, int cut, byte[] extra)
    {
        byte[] bytes = (byte[])original.Clone();
        foreach (Edit e in edits)
        {
            int i = e.Position % bytes.Length;
            bytes[i] = e.Flip ? (byte)(bytes[i] ^ e.Value) : e.Value;
        }

        bytes = resize switch
        {
            4 => bytes[..(cut % bytes.Length)],
            5 => [.. bytes, .. extra],
            _ => bytes,
        };
        if (bytes.Length >= IkeHeader.EncodedLength)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), (uint)bytes.Length);
        }

        return bytes;
    }

    private static readonly Gen<byte[]> GenHostile = Gen.OneOf(GenRandomBytes, GenPlausibleHeader, GenPlausibleChain, GenMutated);

    private static string Hex(byte[] bytes) => $"{bytes.Length} octets: {Convert.ToHexStringLower(bytes)}";

    private static string Describe(IkeMessage m)
    {
        try
        {
            return $"{m} {Hex(m.ToArray())}";
        }
        catch (InvalidOperationException e)
        {
            return $"{m} (cannot encode: {e.Message})";
        }
    }

    // ---------------------------------------------------------------------------------------
    // (a) encode → decode → encode is byte-identical.
    // ---------------------------------------------------------------------------------------

    [Fact]
    public void Valid_messages_round_trip_byte_for_byte() =>
        GenMessage.Sample(m =>
        {
            byte[] bytes = m.ToArray();
            Assert.Equal(m.EncodedLength, bytes.Length);
            DecodeResult<IkeMessage> result = IkeMessage.Decode(bytes);
            Assert.True(result.IsSuccess, result.ToString());
            IkeMessage decoded = result.Value;

            Assert.Equal(bytes, decoded.ToArray());
            Assert.Equal((m.InitiatorSpi, m.ResponderSpi, m.ExchangeType, m.Flags, m.MessageId, m.Version),
                (decoded.InitiatorSpi, decoded.ResponderSpi, decoded.ExchangeType, decoded.Flags, decoded.MessageId, decoded.Version));
            Assert.Equal(m.Payloads.Select(p => (p.GetType(), p.Type, p.Critical)), decoded.Payloads.Select(p => (p.GetType(), p.Type, p.Critical)));
            Assert.Equal(m.Payloads.Select(p => p.ToString()), decoded.Payloads.Select(p => p.ToString()));
        }, iter: RoundTripIterations, print: Describe);

    [Fact]
    public void Inner_chains_round_trip_byte_for_byte() =>
        GenPayload.Array[1, 12].Sample(payloads =>
        {
            byte[] chain = EncodeChain(payloads);
            DecodeResult<Payload[]> result = PayloadChain.Decode(payloads[0].Type, chain, 0, allowEncrypted: false);
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(chain, EncodeChain(result.Value));
        }, iter: RoundTripIterations / 3, print: p => Hex(EncodeChain(p)));

    // ---------------------------------------------------------------------------------------
    // (b) No proper prefix of a valid message decodes.
    // ---------------------------------------------------------------------------------------

    [Fact]
    public void No_proper_prefix_of_a_valid_message_decodes() =>
        GenMessage.Sample(m =>
        {
            byte[] bytes = m.ToArray();
            for (int n = 0; n < bytes.Length; n++)
            {
                Assert.False(IkeMessage.Decode(bytes.AsMemory(0, n)).IsSuccess, $"prefix of {n} octets decoded");
            }

            // The same with the header Length patched to the prefix, so that decoding gets past the header.
            byte[] patched = (byte[])bytes.Clone();
            for (int n = IkeHeader.EncodedLength; n < bytes.Length; n++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(patched.AsSpan(24), (uint)n);
                DecodeResult<IkeMessage> result = IkeMessage.Decode(patched.AsMemory(0, n));
                Assert.False(result.IsSuccess, $"prefix of {n} octets with Length {n} decoded");
            }

            // The payload chain on its own, as PayloadChain.Decode sees the inner chain of an SK payload.
            var first = (PayloadType)bytes[16];
            ReadOnlyMemory<byte> chain = bytes.AsMemory(IkeHeader.EncodedLength);
            if (m.Payloads.Count > 0)
            {
                for (int n = 0; n < chain.Length; n++)
                {
                    Assert.False(PayloadChain.Decode(first, chain[..n], IkeHeader.EncodedLength).IsSuccess, $"chain prefix of {n} octets decoded");
                }
            }

            Assert.True(PayloadChain.Decode(first, chain, IkeHeader.EncodedLength).IsSuccess);
        }, iter: PrefixIterations, print: Describe);

    // ---------------------------------------------------------------------------------------
    // (c), (d) Nothing a peer sends throws: not the decoder, not ToString, not the inspect view.
    // ---------------------------------------------------------------------------------------

    /// <summary>Decodes like a receiver, then renders like a logger and like <c>ikesharp inspect</c>. Any exception fails the property.</summary>
    private static void DecodeAndRender(byte[] datagram)
    {
        DecodeResult<IkeMessage> result = IkeMessage.Decode(datagram);
        if (!result.TryGetValue(out IkeMessage message))
        {
            Assert.NotNull(result.Error);
            Assert.InRange(result.Error.Offset, 0, datagram.Length);
            _ = result.Error.ToString();
            _ = result.ToString();
            return;
        }

        _ = message.ToString();
        _ = message.Header;
        _ = ExchangeRules.CheckOuter(message)?.ToString();
        int offset = IkeHeader.EncodedLength;
        foreach (Payload p in message.Payloads)
        {
            Render(p);
            offset += Payload.HeaderLength;
            if (p is EncryptedPayload sk)
            {
                // Whatever the SK body holds, as if it were the decrypted plaintext.
                DecodeResult<Payload[]> inner = PayloadChain.Decode(sk.FirstInnerPayload, sk.Body, offset, allowEncrypted: false);
                if (inner.TryGetValue(out Payload[] innerPayloads))
                {
                    _ = ExchangeRules.CheckInner(message.ExchangeType, message.IsResponse, innerPayloads, offset)?.ToString();
                    foreach (Payload q in innerPayloads)
                    {
                        Render(q);
                    }
                }
                else
                {
                    Assert.InRange(inner.Error!.Offset, offset, offset + sk.Body.Length);
                    _ = inner.Error.ToString();
                }
            }

            offset += p.BodyLength;
        }

        // What decodes re-encodes (reserved bits come back as zero), and that encoding is stable.
        byte[] again = message.ToArray();
        DecodeResult<IkeMessage> second = IkeMessage.Decode(again);
        Assert.True(second.IsSuccess, second.ToString());
        Assert.Equal(again, second.Value.ToArray());
    }

    private static void Render(Payload p)
    {
        _ = p.ToString();
        PayloadView view = PayloadView.From(p);
        Walk(view);

        static void Walk(PayloadView v)
        {
            _ = v.ToString();
            foreach (PayloadView child in v.Children)
            {
                Walk(child);
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        GenRandomBytes.Sample(bytes =>
        {
            DecodeAndRender(bytes);
            if (bytes.Length > 0)
            {
                // The same bytes as the decrypted inner chain of an SK payload, whose first type is the SK's Next Payload.
                _ = PayloadChain.Decode((PayloadType)bytes[0], bytes.AsMemory(1), IkeHeader.EncodedLength + 5, allowEncrypted: false).ToString();
            }
        }, iter: RandomIterations, print: Hex);
    }

    [Fact]
    public void Random_bytes_behind_a_plausible_header_never_throw() =>
        Gen.OneOf(GenPlausibleHeader, GenPlausibleChain).Sample(DecodeAndRender, iter: RandomIterations, print: Hex);

    [Fact]
    public void Mutated_valid_messages_never_throw() =>
        GenMutated.Sample(DecodeAndRender, iter: MutationIterations, print: Hex);

    [Fact]
    public void Plausible_chains_reach_the_payload_decoders()
    {
        // Guards the generators above: if they stopped reaching the payload bodies the no-throw
        // properties would pass without testing much.
        int decoded = 0;
        int failedInBody = 0;
        GenPlausibleChain.Sample(bytes =>
        {
            DecodeResult<IkeMessage> r = IkeMessage.Decode(bytes);
            if (r.IsSuccess)
            {
                Interlocked.Increment(ref decoded);
            }
            else if (r.Error!.Payload is not null && r.Error.Code != DecodeErrorCode.LimitExceeded)
            {
                Interlocked.Increment(ref failedInBody);
            }
        }, iter: 2_000);
        Assert.InRange(decoded, 100, 2_000);
        Assert.InRange(failedInBody, 100, 2_000);
    }

    // ---------------------------------------------------------------------------------------
    // (e) The decoder allocates at most linearly in its input.
    // ---------------------------------------------------------------------------------------

    /// <summary>
    /// Bytes allocated on this thread by one <see cref="IkeMessage.Decode"/> of <paramref name="input"/>:
    /// the least of three runs after a warm-up run, so JIT, tiering and first-use allocations do not count.
    /// </summary>
    private static long AllocatedByDecode(byte[] input)
    {
        GC.KeepAlive(IkeMessage.Decode(input).Error);
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            DecodeResult<IkeMessage> result = IkeMessage.Decode(input);
            long after = GC.GetAllocatedBytesForCurrentThread();
            GC.KeepAlive(result.Error);
            least = Math.Min(least, after - before);
        }

        return least;
    }

    private static void AssertLinearAllocation(byte[] input)
    {
        long allocated = AllocatedByDecode(input);
        long bound = (AllocationPerOctet * (long)input.Length) + AllocationConstant;
        Assert.True(allocated <= bound, $"decoding {input.Length} octets allocated {allocated} bytes, more than {bound}");
    }

    [Fact]
    public void Decoding_allocates_at_most_linearly_in_the_input() =>
        GenHostile.Sample(AssertLinearAllocation, iter: AllocationIterations, print: Hex);

    [Fact]
    public void Decoding_the_largest_chains_allocates_at_most_linearly()
    {
        // The shapes that allocate the most objects per octet, at the largest size the limits allow.
        var payloads = new List<Payload>();
        for (int i = 0; i < WireLimits.MaxPayloadsPerChain; i++)
        {
            payloads.Add(new UnknownPayload(200, ReadOnlyMemory<byte>.Empty) { Critical = true });
        }

        AssertLinearAllocation(new IkeMessage(1, 2, ExchangeType.Informational, IkeFlags.None, 0, payloads).ToArray());

        var attributes = new ConfigurationAttribute[(WireLimits.MaxMessageLength - 40) / ConfigurationAttribute.HeaderLength];
        Array.Fill(attributes, new ConfigurationAttribute(ConfigurationAttributeType.InternalIp4Address, ReadOnlyMemory<byte>.Empty));
        AssertLinearAllocation(new IkeMessage(1, 2, ExchangeType.Informational, IkeFlags.None, 0, [new ConfigurationPayload(ConfigurationType.Request, attributes)]).ToArray());

        var selectors = new TrafficSelector[255];
        Array.Fill(selectors, new TrafficSelector(TrafficSelectorType.SecLabel, 0, ReadOnlyMemory<byte>.Empty));
        AssertLinearAllocation(new IkeMessage(1, 2, ExchangeType.Informational, IkeFlags.None, 0, [new TsPayload(IkeRole.Initiator, selectors)]).ToArray());

        var keyLengths = Enumerable.Repeat(TransformAttribute.KeyLength(128), WireLimits.MaxTransformAttributes).ToArray();
        var transforms = Enumerable.Repeat(new Transform(TransformType.Encryption, 12, keyLengths), 255).ToArray();
        var proposals = Enumerable.Range(1, 3).Select(i => new Proposal((byte)i, SecurityProtocol.Ike, ReadOnlyMemory<byte>.Empty, transforms)).ToArray();
        AssertLinearAllocation(new IkeMessage(1, 2, ExchangeType.IkeSaInit, IkeFlags.None, 0, [new SaPayload(proposals)]).ToArray());
    }
}
