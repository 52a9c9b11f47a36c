using System.Numerics;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// The MODP groups. The Oakley primes (groups 1, 2, 5, 14 to 18) are built by the formula their
/// RFCs give, p = 2^N - 2^(N-64) - 1 + 2^64 * ([2^(N-130) pi] + k) with generator 2 (RFC 2409 §6.1
/// and §6.2, RFC 3526 §2 to §7), from one table of N and k, instead of eight near-copies of the
/// same hexadecimal digits of pi; the RFC 5114 groups, which have no such formula, are printed as
/// RFC 5114 §2 prints them. Tests check every prime's bit length, that it and (p-1)/2 (or q) pass
/// Miller-Rabin, and that it equals the copy OpenSSL carries.
/// </summary>
/// <remarks>
/// Exponent sizes (the secret x of g^x). RFC 3526 §1 asks for "double the entropy of the strength
/// of the entire system", and RFC 3526 §8 gives two strength estimates per group. strongSwan,
/// with <c>dh_exponent_ansi_x9_42 = no</c>, uses 256 bits for groups 1, 2, 5, 384 bits for 14 and
/// 15, and 512 bits for 16, 17, 18 (src/libstrongswan/crypto/key_exchange.c; by default it uses
/// full-length exponents instead, which cost five to sixteen times as much). We take the larger of
/// strongSwan's size and RFC 3526 §8's "Estimate 2" exponent size rounded up to 64 bits:
/// 256, 256, 256, 384, 448, 512, 576, 640 bits for groups 1, 2, 5, 14, 15, 16, 17, 18. Every one
/// is at least twice the NIST SP 800-57 strength of its group. The size is private to each peer and
/// does not affect interoperability. For the RFC 5114 groups the exponent is uniform in [1, q-1]
/// (RFC 5114 §4: "the size of the secret key should be equal to the size of q").
/// </remarks>
public static class ModpGroups
{
    // The integer part of pi * 2^(8192 - 130) (for group 18, the largest), and the lower bits the
    // smaller groups do not need; computed once with Machin's formula.
    private const int PiBits = 8192 - 130;
    private static readonly BigInteger ScaledPi = Pi(PiBits);

    /// <summary>Group 1, the First Oakley Group (RFC 2409 §6.1; RFC 7296 Appendix B.1). Weak.</summary>
    public static readonly ModpGroup Modp768 = Oakley(KeyExchangeMethod.Modp768, "modp768", 768, 149686, 256);

    /// <summary>Group 2, the Second Oakley Group (RFC 2409 §6.2; RFC 7296 Appendix B.2). Weak.</summary>
    public static readonly ModpGroup Modp1024 = Oakley(KeyExchangeMethod.Modp1024, "modp1024", 1024, 129093, 256);

    /// <summary>Group 5, 1536-bit MODP (RFC 3526 §2). Weak.</summary>
    public static readonly ModpGroup Modp1536 = Oakley(KeyExchangeMethod.Modp1536, "modp1536", 1536, 741804, 256);

    /// <summary>Group 14, 2048-bit MODP (RFC 3526 §3): 384-bit exponents, over twice its 112-bit strength.</summary>
    public static readonly ModpGroup Modp2048 = Oakley(KeyExchangeMethod.Modp2048, "modp2048", 2048, 124476, 384);

    /// <summary>Group 15, 3072-bit MODP (RFC 3526 §4).</summary>
    public static readonly ModpGroup Modp3072 = Oakley(KeyExchangeMethod.Modp3072, "modp3072", 3072, 1690314, 448);

    /// <summary>Group 16, 4096-bit MODP (RFC 3526 §5).</summary>
    public static readonly ModpGroup Modp4096 = Oakley(KeyExchangeMethod.Modp4096, "modp4096", 4096, 240904, 512);

    /// <summary>Group 17, 6144-bit MODP (RFC 3526 §6).</summary>
    public static readonly ModpGroup Modp6144 = Oakley(KeyExchangeMethod.Modp6144, "modp6144", 6144, 929484, 576);

    /// <summary>Group 18, 8192-bit MODP (RFC 3526 §7).</summary>
    public static readonly ModpGroup Modp8192 = Oakley(KeyExchangeMethod.Modp8192, "modp8192", 8192, 4743158, 640);

    /// <summary>Group 22, 1024-bit MODP with a 160-bit prime-order subgroup (RFC 5114 §2.1). Weak.</summary>
    public static readonly ModpGroup Modp1024s160 = new(KeyExchangeMethod.Modp1024s160, "modp1024s160", """
        B10B8F96 A080E01D DE92DE5E AE5D54EC 52C99FBC FB06A3C6
        9A6A9DCA 52D23B61 6073E286 75A23D18 9838EF1E 2EE652C0
        13ECB4AE A9061123 24975C3C D49B83BF ACCBDD7D 90C4BD70
        98488E9C 219A7372 4EFFD6FA E5644738 FAA31A4F F55BCCC0
        A151AF5F 0DC8B4BD 45BF37DF 365C1A65 E68CFDA7 6D4DA708
        DF1FB2BC 2E4A4371
        """, """
        A4D1CBD5 C3FD3412 6765A442 EFB99905 F8104DD2 58AC507F
        D6406CFF 14266D31 266FEA1E 5C41564B 777E690F 5504F213
        160217B4 B01B886A 5E91547F 9E2749F4 D7FBD7D3 B9A92EE1
        909D0D22 63F80A76 A6A24C08 7A091F53 1DBF0A01 69B6A28A
        D662A4D1 8E73AFA3 2D779D59 18D08BC8 858F4DCE F97C2A24
        855E6EEB 22B3B2E5
        """, """
        F518AA87 81A8DF27 8ABA4E7D 64B7CB9D 49462353
        """, 160);

    /// <summary>Group 23, 2048-bit MODP with a 224-bit prime-order subgroup (RFC 5114 §2.2).</summary>
    public static readonly ModpGroup Modp2048s224 = new(KeyExchangeMethod.Modp2048s224, "modp2048s224", """
        AD107E1E 9123A9D0 D660FAA7 9559C51F A20D64E5 683B9FD1
        B54B1597 B61D0A75 E6FA141D F95A56DB AF9A3C40 7BA1DF15
        EB3D688A 309C180E 1DE6B85A 1274A0A6 6D3F8152 AD6AC212
        9037C9ED EFDA4DF8 D91E8FEF 55B7394B 7AD5B7D0 B6C12207
        C9F98D11 ED34DBF6 C6BA0B2C 8BBC27BE 6A00E0A0 B9C49708
        B3BF8A31 70918836 81286130 BC8985DB 1602E714 415D9330
        278273C7 DE31EFDC 7310F712 1FD5A074 15987D9A DC0A486D
        CDF93ACC 44328387 315D75E1 98C641A4 80CD86A1 B9E587E8
        BE60E69C C928B2B9 C52172E4 13042E9B 23F10B0E 16E79763
        C9B53DCF 4BA80A29 E3FB73C1 6B8E75B9 7EF363E2 FFA31F71
        CF9DE538 4E71B81C 0AC4DFFE 0C10E64F
        """, """
        AC4032EF 4F2D9AE3 9DF30B5C 8FFDAC50 6CDEBE7B 89998CAF
        74866A08 CFE4FFE3 A6824A4E 10B9A6F0 DD921F01 A70C4AFA
        AB739D77 00C29F52 C57DB17C 620A8652 BE5E9001 A8D66AD7
        C1766910 1999024A F4D02727 5AC1348B B8A762D0 521BC98A
        E2471504 22EA1ED4 09939D54 DA7460CD B5F6C6B2 50717CBE
        F180EB34 118E98D1 19529A45 D6F83456 6E3025E3 16A330EF
        BB77A86F 0C1AB15B 051AE3D4 28C8F8AC B70A8137 150B8EEB
        10E183ED D19963DD D9E263E4 770589EF 6AA21E7F 5F2FF381
        B539CCE3 409D13CD 566AFBB4 8D6C0191 81E1BCFE 94B30269
        EDFE72FE 9B6AA4BD 7B5A0F1C 71CFFF4C 19C418E1 F6EC0179
        81BC087F 2A7065B3 84B890D3 191F2BFA
        """, """
        801C0D34 C58D93FE 99717710 1F80535A 4738CEBC BF389A99
        B36371EB
        """, 224);

    /// <summary>Group 24, 2048-bit MODP with a 256-bit prime-order subgroup (RFC 5114 §2.3).</summary>
    public static readonly ModpGroup Modp2048s256 = new(KeyExchangeMethod.Modp2048s256, "modp2048s256", """
        87A8E61D B4B6663C FFBBD19C 65195999 8CEEF608 660DD0F2
        5D2CEED4 435E3B00 E00DF8F1 D61957D4 FAF7DF45 61B2AA30
        16C3D911 34096FAA 3BF4296D 830E9A7C 209E0C64 97517ABD
        5A8A9D30 6BCF67ED 91F9E672 5B4758C0 22E0B1EF 4275BF7B
        6C5BFC11 D45F9088 B941F54E B1E59BB8 BC39A0BF 12307F5C
        4FDB70C5 81B23F76 B63ACAE1 CAA6B790 2D525267 35488A0E
        F13C6D9A 51BFA4AB 3AD83477 96524D8E F6A167B5 A41825D9
        67E144E5 14056425 1CCACB83 E6B486F6 B3CA3F79 71506026
        C0B857F6 89962856 DED4010A BD0BE621 C3A3960A 54E710C3
        75F26375 D7014103 A4B54330 C198AF12 6116D227 6E11715F
        693877FA D7EF09CA DB094AE9 1E1A1597
        """, """
        3FB32C9B 73134D0B 2E775066 60EDBD48 4CA7B18F 21EF2054
        07F4793A 1A0BA125 10DBC150 77BE463F FF4FED4A AC0BB555
        BE3A6C1B 0C6B47B1 BC3773BF 7E8C6F62 901228F8 C28CBB18
        A55AE313 41000A65 0196F931 C77A57F2 DDF463E5 E9EC144B
        777DE62A AAB8A862 8AC376D2 82D6ED38 64E67982 428EBC83
        1D14348F 6F2F9193 B5045AF2 767164E1 DFC967C1 FB3F2E55
        A4BD1BFF E83B9C80 D052B985 D182EA0A DB2A3B73 13D3FE14
        C8484B1E 052588B9 B7D2BBD2 DF016199 ECD06E15 57CD0915
        B3353BBB 64E0EC37 7FD02837 0DF92B52 C7891428 CDC67EB6
        184B523D 1DB246C3 2F630784 90F00EF8 D647D148 D4795451
        5E2327CF EF98C582 664B4C0F 6CC41659
        """, """
        8CF83642 A709A097 B4479976 40129DA2 99B1A47D 1EB3750B
        A308B0FE 64F5FBD3
        """, 256);

    /// <summary>p = 2^N - 2^(N-64) - 1 + 2^64 * ([2^(N-130) pi] + k), g = 2 (RFC 3526 §2 to §7, RFC 2409 §6).</summary>
    private static ModpGroup Oakley(KeyExchangeMethod id, string name, int bits, int k, int exponentBits)
    {
        BigInteger piPart = ScaledPi >> (PiBits - (bits - 130));
        BigInteger prime = (BigInteger.One << bits) - (BigInteger.One << (bits - 64)) - 1 + ((piPart + k) << 64);
        return new ModpGroup(id, name, prime, 2, null, exponentBits);
    }

    /// <summary>
    /// floor(pi * 2^bits), by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239) in fixed point with
    /// 64 guard bits, which swallow the truncation of every series term.
    /// </summary>
    private static BigInteger Pi(int bits)
    {
        const int Guard = 64;
        BigInteger one = BigInteger.One << (bits + Guard);
        BigInteger pi = (16 * ArcTanOfInverse(5, one)) - (4 * ArcTanOfInverse(239, one));
        return pi >> Guard;
    }

    /// <summary>atan(1/x) * one = sum of (-1)^i / ((2i+1) x^(2i+1)), to the last bit of one.</summary>
    private static BigInteger ArcTanOfInverse(int x, BigInteger one)
    {
        BigInteger power = one / x;
        BigInteger sum = power;
        BigInteger xSquared = x * x;
        for (int i = 1; !power.IsZero; i++)
        {
            power /= xSquared;
            BigInteger term = power / ((2 * i) + 1);
            sum = (i % 2 == 0) ? sum + term : sum - term;
        }

        return sum;
    }
}
