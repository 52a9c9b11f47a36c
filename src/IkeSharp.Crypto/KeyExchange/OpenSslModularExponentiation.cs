using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Modular exponentiation by OpenSSL's BN_mod_exp_mont_consttime, called through the libcrypto
/// (OpenSSL 3, "libcrypto.so.3") that .NET's own cryptography already loads on Linux. The one
/// place in IkeSharp that calls native code: no pointers and no unsafe code, only SafeHandles for
/// BIGNUM, BN_CTX and BN_MONT_CTX and spans passed by reference. BIGNUMs that held secrets are freed
/// with BN_clear_free, which zeroes them. A group's prime is converted, and its Montgomery context
/// computed, once (<see cref="Prepare"/>, kept by the group's <see cref="ModpKeyExchange"/>) and
/// passed to every call as in_mont: OpenSSL only reads the two then, so threads may share them.
/// </summary>
internal sealed class OpenSslModularExponentiation : ModularExponentiation
{
    private const string LibCrypto = "libcrypto.so.3";

    private static readonly string[] RequiredExports =
    [
        "BN_new", "BN_bin2bn", "BN_bn2binpad", "BN_clear_free", "BN_CTX_new", "BN_CTX_free",
        "BN_mod_exp_mont_consttime", "ERR_clear_error", "BN_MONT_CTX_new", "BN_MONT_CTX_set", "BN_MONT_CTX_free",
    ];

    /// <summary>True when libcrypto.so.3 loads and exports every function we call.</summary>
    public static bool IsAvailable { get; } = Probe();

    public override string Name => "OpenSSL";

    public override void ModPow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus, Span<byte> result)
    {
        if (result.Length != modulus.Length)
        {
            throw new ArgumentException("the result must be exactly the modulus's length", nameof(result));
        }

        using SafeBnCtxHandle ctx = Native.BN_CTX_new();
        using SafeBigNumHandle b = FromBytes(value);
        using SafeBigNumHandle e = FromBytes(exponent);
        using SafeBigNumHandle p = FromBytes(modulus);
        using SafeBigNumHandle r = Native.BN_new();
        if (ctx.IsInvalid || r.IsInvalid)
        {
            throw Failure("BN_new");
        }

        // BN_mod_exp_mont_consttime wants an odd modulus; every MODP prime is odd.
        if (Native.BN_mod_exp_mont_consttime(r, b, e, p, ctx, IntPtr.Zero) != 1)
        {
            throw Failure("BN_mod_exp_mont_consttime");
        }

        if (Native.BN_bn2binpad(r, ref MemoryMarshal.GetReference(result), result.Length) != result.Length)
        {
            throw Failure("BN_bn2binpad");
        }
    }

    public override PreparedModulus Prepare(ReadOnlySpan<byte> modulus)
    {
        SafeBigNumHandle p = FromBytes(modulus);
        SafeBnMontCtxHandle mont = Native.BN_MONT_CTX_new();
        using SafeBnCtxHandle ctx = Native.BN_CTX_new();
        if (mont.IsInvalid || ctx.IsInvalid || Native.BN_MONT_CTX_set(mont, p, ctx) != 1)
        {
            mont.Dispose();
            p.Dispose();
            throw Failure("BN_MONT_CTX_set");
        }

        return new Modulus(modulus.ToArray(), p, mont);
    }

    public override void ModPow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> exponent, PreparedModulus modulus, Span<byte> result)
    {
        if (modulus is not Modulus prepared)
        {
            base.ModPow(value, exponent, modulus, result);
            return;
        }

        if (result.Length != prepared.Bytes.Length)
        {
            throw new ArgumentException("the result must be exactly the modulus's length", nameof(result));
        }

        using SafeBnCtxHandle ctx = Native.BN_CTX_new();
        using SafeBigNumHandle b = FromBytes(value);
        using SafeBigNumHandle e = FromBytes(exponent);
        using SafeBigNumHandle r = Native.BN_new();
        if (ctx.IsInvalid || r.IsInvalid)
        {
            throw Failure("BN_new");
        }

        // The constant-time ladder for every exponent (a secret one, or q in a subgroup check);
        // with in_mont given it neither converts the prime nor computes R^2 mod p.
        if (Native.BN_mod_exp_mont_consttime(r, b, e, prepared.Prime, ctx, prepared.Mont) != 1)
        {
            throw Failure("BN_mod_exp_mont_consttime");
        }

        if (Native.BN_bn2binpad(r, ref MemoryMarshal.GetReference(result), result.Length) != result.Length)
        {
            throw Failure("BN_bn2binpad");
        }
    }

    /// <summary>A prime as a BIGNUM with its Montgomery context; both freed when disposed or finalized (SafeHandles).</summary>
    private sealed class Modulus(byte[] bytes, SafeBigNumHandle prime, SafeBnMontCtxHandle mont) : PreparedModulus(bytes)
    {
        public SafeBigNumHandle Prime => prime;

        public SafeBnMontCtxHandle Mont => mont;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                mont.Dispose();
                prime.Dispose();
            }
        }
    }

    private static SafeBigNumHandle FromBytes(ReadOnlySpan<byte> bytes)
    {
        SafeBigNumHandle bn = Native.BN_bin2bn(in MemoryMarshal.GetReference(bytes), bytes.Length, IntPtr.Zero);
        if (bn.IsInvalid)
        {
            bn.Dispose();
            throw Failure("BN_bin2bn");
        }

        return bn;
    }

    private static InvalidOperationException Failure(string function)
    {
        // Leave nothing on this thread's OpenSSL error queue for .NET's own calls to trip over.
        Native.ERR_clear_error();
        return new InvalidOperationException($"OpenSSL's {function} failed (out of memory?)");
    }

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(LibCrypto, typeof(OpenSslModularExponentiation).Assembly, DllImportSearchPath.SafeDirectories, out IntPtr handle))
        {
            return false;
        }

        // The handle stays loaded for the P/Invokes below, which name the same library.
        return RequiredExports.All(name => NativeLibrary.TryGetExport(handle, name, out _));
    }

    internal sealed class SafeBigNumHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeBigNumHandle()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            Native.BN_clear_free(handle);
            return true;
        }
    }

    internal sealed class SafeBnCtxHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeBnCtxHandle()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            Native.BN_CTX_free(handle);
            return true;
        }
    }

    internal sealed class SafeBnMontCtxHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeBnMontCtxHandle()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            Native.BN_MONT_CTX_free(handle);
            return true;
        }
    }

    private static class Native
    {
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeBigNumHandle BN_new();

        // BIGNUM *BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeBigNumHandle BN_bin2bn(in byte s, int len, IntPtr ret);

        // int BN_bn2binpad(const BIGNUM *a, unsigned char *to, int tolen);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int BN_bn2binpad(SafeBigNumHandle a, ref byte to, int tolen);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void BN_clear_free(IntPtr a);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeBnCtxHandle BN_CTX_new();

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void BN_CTX_free(IntPtr ctx);

        // int BN_mod_exp_mont_consttime(BIGNUM *rr, const BIGNUM *a, const BIGNUM *p,
        //                               const BIGNUM *m, BN_CTX *ctx, BN_MONT_CTX *in_mont);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int BN_mod_exp_mont_consttime(
            SafeBigNumHandle rr, SafeBigNumHandle a, SafeBigNumHandle p, SafeBigNumHandle m, SafeBnCtxHandle ctx, IntPtr inMont);

        [DllImport(LibCrypto, EntryPoint = "BN_mod_exp_mont_consttime")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int BN_mod_exp_mont_consttime(
            SafeBigNumHandle rr, SafeBigNumHandle a, SafeBigNumHandle p, SafeBigNumHandle m, SafeBnCtxHandle ctx, SafeBnMontCtxHandle inMont);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeBnMontCtxHandle BN_MONT_CTX_new();

        // int BN_MONT_CTX_set(BN_MONT_CTX *mont, const BIGNUM *mod, BN_CTX *ctx);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int BN_MONT_CTX_set(SafeBnMontCtxHandle mont, SafeBigNumHandle mod, SafeBnCtxHandle ctx);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void BN_MONT_CTX_free(IntPtr mont);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void ERR_clear_error();
    }
}
