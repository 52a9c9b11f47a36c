using System.Numerics;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// value^exponent mod m, with every number a big-endian octet string and the result left-padded
/// to the modulus's length (for a MODP group, RFC 7296 §3.4 and §2.14). Two engines stand behind
/// it: OpenSSL's constant-time BN_mod_exp_mont_consttime through the libcrypto that .NET already
/// loads (ten times faster or more), and System.Numerics.BigInteger where libcrypto is not there.
/// </summary>
internal abstract class ModularExponentiation
{
    /// <summary>OpenSSL where libcrypto can be loaded, otherwise BigInteger.</summary>
    public static ModularExponentiation Default { get; } =
        OpenSslModularExponentiation.IsAvailable ? new OpenSslModularExponentiation() : new BigIntegerModularExponentiation();

    public abstract string Name { get; }

    /// <param name="value">The base, below the modulus.</param>
    /// <param name="exponent">The exponent, any length.</param>
    /// <param name="modulus">An odd modulus (a MODP prime), minimal length.</param>
    /// <param name="result">Exactly the modulus's length.</param>
    public abstract void ModPow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus, Span<byte> result);

    /// <summary>
    /// <paramref name="modulus"/> made ready once for many exponentiations (OpenSSL: the prime as a
    /// BIGNUM and its Montgomery context), so each call does not convert the prime and compute
    /// R^2 mod p again. The result may be used by several threads at once.
    /// </summary>
    public virtual PreparedModulus Prepare(ReadOnlySpan<byte> modulus) => new(modulus.ToArray());

    /// <summary>As <see cref="ModPow(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>, with a modulus from <see cref="Prepare"/> of this engine.</summary>
    public virtual void ModPow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> exponent, PreparedModulus modulus, Span<byte> result)
    {
        ArgumentNullException.ThrowIfNull(modulus);
        ModPow(value, exponent, modulus.Bytes, result);
    }

    public override string ToString() => Name;
}

/// <summary>A modulus as <see cref="ModularExponentiation.Prepare"/> made it: its octets, and whatever the engine keeps with them.</summary>
internal class PreparedModulus(byte[] bytes) : IDisposable
{
    public ReadOnlySpan<byte> Bytes => bytes;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// The portable engine. BigInteger.ModPow is neither fast (about 5 ms per modp2048 exponentiation
/// with a 384-bit exponent here, against 0.4 ms for OpenSSL) nor constant-time, and its
/// intermediate values cannot be zeroed.
/// </summary>
internal sealed class BigIntegerModularExponentiation : ModularExponentiation
{
    public override string Name => "BigInteger";

    public override void ModPow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus, Span<byte> result)
    {
        if (result.Length != modulus.Length)
        {
            throw new ArgumentException("the result must be exactly the modulus's length", nameof(result));
        }

        var b = new BigInteger(value, isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(exponent, isUnsigned: true, isBigEndian: true);
        var m = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        BigInteger r = BigInteger.ModPow(b, e, m);
        result.Clear();
        int needed = r.GetByteCount(isUnsigned: true);
        if (!r.TryWriteBytes(result.Slice(result.Length - needed), out _, isUnsigned: true, isBigEndian: true))
        {
            throw new InvalidOperationException("a residue mod p did not fit p's length");
        }
    }
}
