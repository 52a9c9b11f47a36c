using System.Numerics;
using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto.Tests.KeyExchange;

public class EcpKeyExchangeTests
{
    private static readonly VectorFile Rfc5903 = VectorFile.Load("rfc5903-ecp.txt");
    private static readonly VectorFile Rfc5114 = VectorFile.Load("rfc5114-dh.txt");
    private static readonly VectorFile Rfc7027 = VectorFile.Load("rfc7027-brainpool.txt");

    public static TheoryData<string> Rfc5903Sections => ["rfc5903-8.1", "rfc5903-8.2", "rfc5903-8.3"];

    public static TheoryData<string, string> NamedPartyVectors => new()
    {
        { "rfc5114-dh.txt", "rfc5114-A.6" },
        { "rfc5114-dh.txt", "rfc5114-A.7" },
        { "rfc5114-dh.txt", "rfc5114-A.8" },
        { "rfc7027-brainpool.txt", "rfc7027-A.1" },
        { "rfc7027-brainpool.txt", "rfc7027-A.2" },
        { "rfc7027-brainpool.txt", "rfc7027-A.3" },
    };

    [Theory]
    [MemberData(nameof(Rfc5903Sections))]
    public void Rfc_5903_section_8_vectors_come_out_for_both_roles(string section)
    {
        VectorFile.Section v = Rfc5903[section];
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(v.Method)!;
        byte[] gi = [.. v.Bytes("gix"), .. v.Bytes("giy")];
        byte[] gr = [.. v.Bytes("grx"), .. v.Bytes("gry")];

        using IKeyExchangeInitiator initiator = algorithm.Initiate(new ReplayRandom(v.Bytes("i")));
        Assert.Equal(gi, initiator.Share.ToArray());

        // The KE payloads of §8: 4-octet generic header, the group number, 2 reserved octets, x | y.
        byte[] kei = v.Bytes("kei");
        byte[] ker = v.Bytes("ker");
        Assert.Equal((int)v.Method, (kei[4] << 8) | kei[5]);
        Assert.Equal(kei.Length, (kei[2] << 8) | kei[3]);
        Assert.Equal(gi, kei[8..]);
        Assert.Equal(gr, ker[8..]);

        KeyExchangeResult responder = algorithm.Respond(kei.AsSpan(8), new ReplayRandom(v.Bytes("r")));
        Assert.True(responder.IsSuccess, responder.Error);
        Assert.Equal(gr, responder.ResponderShare.ToArray());
        Assert.Equal(v.Bytes("girx"), responder.SharedSecret!.ReadOnlySpan.ToArray());

        KeyExchangeResult finished = initiator.Finish(ker.AsSpan(8));
        Assert.True(finished.IsSuccess, finished.Error);
        Assert.Equal(v.Bytes("girx"), finished.SharedSecret!.ReadOnlySpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(NamedPartyVectors))]
    public void Rfc_5114_and_rfc_7027_vectors_come_out_for_both_roles(string file, string section)
    {
        VectorFile.Section v = (file == "rfc5114-dh.txt" ? Rfc5114 : Rfc7027)[section];
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(v.Method)!;
        byte[] qa = [.. v.Bytes("x_qA"), .. v.Bytes("y_qA")];
        byte[] qb = [.. v.Bytes("x_qB"), .. v.Bytes("y_qB")];

        using IKeyExchangeInitiator initiator = algorithm.Initiate(new ReplayRandom(v.Bytes("dA")));
        Assert.Equal(qa, initiator.Share.ToArray());

        KeyExchangeResult responder = algorithm.Respond(qa, new ReplayRandom(v.Bytes("dB")));
        Assert.True(responder.IsSuccess, responder.Error);
        Assert.Equal(qb, responder.ResponderShare.ToArray());
        Assert.Equal(v.Bytes("x_Z"), responder.SharedSecret!.ReadOnlySpan.ToArray());
        Assert.Equal(v.Bytes("x_Z"), initiator.Finish(qb).SharedSecret!.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData(KeyExchangeMethod.Ecp256, 32)]
    [InlineData(KeyExchangeMethod.Ecp384, 48)]
    [InlineData(KeyExchangeMethod.Ecp521, 66)]
    [InlineData(KeyExchangeMethod.Brainpool256, 32)]
    [InlineData(KeyExchangeMethod.Brainpool384, 48)]
    [InlineData(KeyExchangeMethod.Brainpool512, 64)]
    public void Shares_are_x_and_y_at_the_field_length_and_the_secret_is_x(KeyExchangeMethod method, int coordinate)
    {
        KeyExchangeAlgorithm algorithm = KeyExchangeAlgorithms.Get(method)!;
        Assert.Equal(2 * coordinate, algorithm.InitiatorShareLength);
        Assert.Equal(2 * coordinate, algorithm.ResponderShareLength);
        for (ulong seed = 0; seed < 20; seed++)
        {
            using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(seed));
            Assert.Equal(2 * coordinate, initiator.Share.Length);
            KeyExchangeResult responder = algorithm.Respond(initiator.Share.Span, new DeterministicRandom(seed + 1000));
            Assert.Equal(coordinate, responder.SharedSecret!.Length);
            Assert.Equal(2 * coordinate, responder.ResponderShare.Length);
        }
    }

    public static TheoryData<KeyExchangeMethod, string, string> BadPoints => new()
    {
        { KeyExchangeMethod.Ecp256, "sec1-prefixed", "is 65 octets; it must be 64 (x | y, 32 octets each" },
        { KeyExchangeMethod.Ecp256, "x-only", "is 32 octets; it must be 64" },
        { KeyExchangeMethod.Ecp256, "empty", "is 0 octets; it must be 64" },
        { KeyExchangeMethod.Ecp256, "zeros", "all zeros" },
        { KeyExchangeMethod.Ecp256, "off-curve", "not a point on the curve" },
        { KeyExchangeMethod.Ecp256, "x-is-p", "not below the field prime" },
        { KeyExchangeMethod.Ecp384, "off-curve", "not a point on the curve" },
        { KeyExchangeMethod.Ecp384, "zeros", "all zeros" },
        { KeyExchangeMethod.Ecp521, "off-curve", "not a point on the curve" },
        { KeyExchangeMethod.Ecp521, "x-plus-p", "not below the field prime" },
        { KeyExchangeMethod.Ecp521, "sec1-prefixed", "is 133 octets; it must be 132" },
        { KeyExchangeMethod.Brainpool256, "off-curve", "not a point on the curve" },
        { KeyExchangeMethod.Brainpool384, "zeros", "all zeros" },
        { KeyExchangeMethod.Brainpool512, "off-curve", "not a point on the curve" },
        { KeyExchangeMethod.Brainpool512, "x-is-p", "not below the field prime" },
    };

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void Bad_points_fail_with_a_reason_in_both_roles(KeyExchangeMethod method, string kind, string expected)
    {
        var algorithm = (EcpKeyExchange)KeyExchangeAlgorithms.Get(method)!;
        int n = algorithm.CoordinateLength;
        using IKeyExchangeInitiator other = algorithm.Initiate(new DeterministicRandom(11));
        byte[] good = other.Share.ToArray();
        byte[] prime = FieldPrime(method);
        byte[] share = kind switch
        {
            "sec1-prefixed" => [0x04, .. good],
            "x-only" => good[..n],
            "zeros" => new byte[2 * n],
            "off-curve" => Flip(good, 2 * n - 1),
            "x-is-p" => [.. prime, .. good[n..]],
            "x-plus-p" => [.. Add(good[..n], prime), .. good[n..]],
            _ => [],
        };

        KeyExchangeResult responder = algorithm.Respond(share, new DeterministicRandom(12));
        Assert.False(responder.IsSuccess);
        Assert.Contains(expected, responder.Error, StringComparison.Ordinal);
        Assert.StartsWith($"the peer's {algorithm.Name} share", responder.Error, StringComparison.Ordinal);

        using IKeyExchangeInitiator initiator = algorithm.Initiate(new DeterministicRandom(13));
        KeyExchangeResult finished = initiator.Finish(share);
        Assert.False(finished.IsSuccess);
        Assert.Equal(responder.Error, finished.Error);
    }

    [Fact]
    public void Private_scalars_replayed_at_or_above_the_order_are_redrawn()
    {
        // n for P-256 (RFC 5114 §2.6); a source replaying n, then 1, must yield the key 1: share = G.
        byte[] order = Hex.Parse("FFFFFFFF 00000000 FFFFFFFF FFFFFFFF BCE6FAAD A7179E84 F3B9CAC2 FC632551");
        byte[] one = new byte[32];
        one[^1] = 1;
        using IKeyExchangeInitiator initiator = KeyExchangeAlgorithms.Get(KeyExchangeMethod.Ecp256)!.Initiate(new ReplayRandom(order, one));
        Assert.Equal(
            Hex.Parse("6B17D1F2 E12C4247 F8BCE6E5 63A440F2 77037D81 2DEB33A0 F4A13945 D898C296" +
                      "4FE342E2 FE1A7F9B 8EE7EB4A 7C0F9E16 2BCE3357 6B315ECE CBB64068 37BF51F5"),
            initiator.Share.ToArray());
    }

    private static byte[] FieldPrime(KeyExchangeMethod method)
    {
        System.Security.Cryptography.ECCurve curve = method switch
        {
            KeyExchangeMethod.Ecp256 => System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
            KeyExchangeMethod.Ecp384 => System.Security.Cryptography.ECCurve.NamedCurves.nistP384,
            KeyExchangeMethod.Ecp521 => System.Security.Cryptography.ECCurve.NamedCurves.nistP521,
            KeyExchangeMethod.Brainpool256 => System.Security.Cryptography.ECCurve.NamedCurves.brainpoolP256r1,
            KeyExchangeMethod.Brainpool384 => System.Security.Cryptography.ECCurve.NamedCurves.brainpoolP384r1,
            _ => System.Security.Cryptography.ECCurve.NamedCurves.brainpoolP512r1,
        };
        using var key = System.Security.Cryptography.ECDiffieHellman.Create(curve);
        return key.ExportExplicitParameters(includePrivateParameters: false).Curve.Prime!;
    }

    private static byte[] Flip(byte[] value, int index)
    {
        byte[] copy = (byte[])value.Clone();
        copy[index] ^= 1;
        return copy;
    }

    private static byte[] Add(byte[] a, byte[] b)
    {
        BigInteger sum = new BigInteger(a, isUnsigned: true, isBigEndian: true) + new BigInteger(b, isUnsigned: true, isBigEndian: true);
        return ModpGroup.ToFixedLength(sum, a.Length);
    }
}
