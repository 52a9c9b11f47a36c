using System.Numerics;
using System.Runtime.InteropServices;
using IkeSharp.Crypto.KeyExchange;

namespace IkeSharp.Crypto.Tests.KeyExchange;

/// <summary>The MODP constants against their RFCs: sizes, primality, structure, and OpenSSL's copies.</summary>
public class ModpGroupTests
{
    public static TheoryData<string, int, int> Groups => new()
    {
        { "modp768", 768, 0 },
        { "modp1024", 1024, 0 },
        { "modp1536", 1536, 0 },
        { "modp2048", 2048, 0 },
        { "modp3072", 3072, 0 },
        { "modp4096", 4096, 0 },
        { "modp6144", 6144, 0 },
        { "modp8192", 8192, 0 },
        { "modp1024s160", 1024, 160 },
        { "modp2048s224", 2048, 224 },
        { "modp2048s256", 2048, 256 },
    };

    internal static ModpGroup ByName(string name) =>
        ((ModpKeyExchange)KeyExchangeAlgorithms.All.Single(a => a.Name == name)).Group;

    [Theory]
    [MemberData(nameof(Groups))]
    public void Prime_has_its_size_and_passes_miller_rabin(string name, int bits, int subgroupBits)
    {
        ModpGroup group = ByName(name);
        Assert.Equal(bits, (int)group.Prime.GetBitLength());
        Assert.Equal(bits / 8, group.PrimeLength);
        Assert.True(IsProbablePrime(group.Prime), $"{name}: p is composite; a digit was mistyped");
        if (subgroupBits == 0)
        {
            // RFC 2409 §6 and RFC 3526: safe primes, p = 2q + 1, generator 2.
            Assert.Null(group.SubgroupOrder);
            Assert.Equal(2, (int)group.Generator);
            Assert.True(IsProbablePrime((group.Prime - 1) / 2), $"{name}: (p-1)/2 is composite");
        }
        else
        {
            // RFC 5114 §2: q is prime, divides p-1, and g generates the subgroup of order q.
            BigInteger q = group.SubgroupOrder!.Value;
            Assert.Equal(subgroupBits, (int)q.GetBitLength());
            Assert.True(IsProbablePrime(q), $"{name}: q is composite");
            Assert.Equal(BigInteger.Zero, (group.Prime - 1) % q);
            Assert.NotEqual(BigInteger.One, group.Generator);
            Assert.Equal(BigInteger.One, BigInteger.ModPow(group.Generator, q, group.Prime));
        }
    }

    [Theory]
    [InlineData("modp768", "BN_get_rfc2409_prime_768")]
    [InlineData("modp1024", "BN_get_rfc2409_prime_1024")]
    [InlineData("modp1536", "BN_get_rfc3526_prime_1536")]
    [InlineData("modp2048", "BN_get_rfc3526_prime_2048")]
    [InlineData("modp3072", "BN_get_rfc3526_prime_3072")]
    [InlineData("modp4096", "BN_get_rfc3526_prime_4096")]
    [InlineData("modp6144", "BN_get_rfc3526_prime_6144")]
    [InlineData("modp8192", "BN_get_rfc3526_prime_8192")]
    public void Prime_equals_the_copy_openssl_carries(string name, string function)
    {
        if (!NativeLibrary.TryLoad("libcrypto.so.3", out IntPtr library))
        {
            return; // No OpenSSL 3 here: primality and the vectors still hold the constants.
        }

        var get = Marshal.GetDelegateForFunctionPointer<GetPrime>(NativeLibrary.GetExport(library, function));
        var numBits = Marshal.GetDelegateForFunctionPointer<NumBits>(NativeLibrary.GetExport(library, "BN_num_bits"));
        var toBytes = Marshal.GetDelegateForFunctionPointer<ToBytes>(NativeLibrary.GetExport(library, "BN_bn2binpad"));
        var free = Marshal.GetDelegateForFunctionPointer<Free>(NativeLibrary.GetExport(library, "BN_free"));
        IntPtr bn = get(IntPtr.Zero);
        try
        {
            byte[] theirs = new byte[(numBits(bn) + 7) / 8];
            Assert.Equal(theirs.Length, toBytes(bn, theirs, theirs.Length));
            Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ByName(name).Prime.ToByteArray(isUnsigned: true, isBigEndian: true)));
        }
        finally
        {
            free(bn);
        }
    }

    /// <summary>Miller-Rabin with a few fixed bases: enough to catch any mistyped digit.</summary>
    private static bool IsProbablePrime(BigInteger n)
    {
        int rounds = n.GetBitLength() > 4096 ? 2 : 6;
        BigInteger d = n - 1;
        int s = 0;
        while (d.IsEven)
        {
            d >>= 1;
            s++;
        }

        byte[] modulus = n.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] exponent = d.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] power = new byte[modulus.Length];
        foreach (int a in new[] { 2, 3, 5, 7, 11, 13 }.Take(rounds))
        {
            // The fast engine, or this test would take minutes for the 8192-bit group.
            ModularExponentiation.Default.ModPow([(byte)a], exponent, modulus, power);
            var x = new BigInteger(power, isUnsigned: true, isBigEndian: true);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            bool witness = true;
            for (int i = 1; i < s && witness; i++)
            {
                x = x * x % n;
                witness = x != n - 1;
            }

            if (witness)
            {
                return false;
            }
        }

        return true;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetPrime(IntPtr bn);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NumBits(IntPtr bn);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ToBytes(IntPtr bn, byte[] to, int length);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Free(IntPtr bn);
}
