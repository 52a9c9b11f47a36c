using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// X25519 and X448 by OpenSSL 3's EVP_PKEY interface, in the libcrypto.so.3 that .NET's own
/// cryptography loads on Linux, called as <see cref="OpenSslModularExponentiation"/> calls it: no
/// unsafe code, SafeHandles for EVP_PKEY and EVP_PKEY_CTX, spans passed by reference. The private
/// key lives inside OpenSSL from the moment it is imported; EVP_PKEY_free cleanses it.
/// </summary>
internal sealed class OpenSslXdh : XdhFunction
{
    private const string LibCrypto = "libcrypto.so.3";

    // NID_X25519 and NID_X448 (OpenSSL's obj_mac.h; EVP_PKEY_X25519 and EVP_PKEY_X448 are these NIDs).
    private const int NidX25519 = 1034;
    private const int NidX448 = 1035;

    private static readonly string[] RequiredExports =
    [
        "EVP_PKEY_new_raw_private_key", "EVP_PKEY_new_raw_public_key", "EVP_PKEY_get_raw_public_key", "EVP_PKEY_free",
        "EVP_PKEY_CTX_new", "EVP_PKEY_CTX_free", "EVP_PKEY_derive_init", "EVP_PKEY_derive_set_peer", "EVP_PKEY_derive",
        "ERR_clear_error",
    ];

    /// <summary>True when libcrypto.so.3 loads, exports every function we call, and knows both curves.</summary>
    public static bool IsAvailable { get; } = Probe();

    public override string Name => "OpenSSL";

    public override XdhPrivateKey Create(bool x448, ReadOnlySpan<byte> privateKey)
    {
        int nid = x448 ? NidX448 : NidX25519;
        SafeEvpPKeyHandle key = Native.EVP_PKEY_new_raw_private_key(nid, IntPtr.Zero, in MemoryMarshal.GetReference(privateKey), (nuint)privateKey.Length);
        if (key.IsInvalid)
        {
            key.Dispose();
            throw Failure("EVP_PKEY_new_raw_private_key");
        }

        byte[] share = new byte[privateKey.Length];
        nuint length = (nuint)share.Length;
        if (Native.EVP_PKEY_get_raw_public_key(key, ref MemoryMarshal.GetArrayDataReference(share), ref length) != 1 || length != (nuint)share.Length)
        {
            key.Dispose();
            throw Failure("EVP_PKEY_get_raw_public_key");
        }

        return new Key(nid, key, share);
    }

    private static InvalidOperationException Failure(string function)
    {
        // Leave nothing on this thread's OpenSSL error queue for .NET's own calls to trip over.
        Native.ERR_clear_error();
        return new InvalidOperationException($"OpenSSL's {function} failed (out of memory?)");
    }

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(LibCrypto, typeof(OpenSslXdh).Assembly, DllImportSearchPath.SafeDirectories, out IntPtr handle)
            || !RequiredExports.All(name => NativeLibrary.TryGetExport(handle, name, out _)))
        {
            return false;
        }

        // A build without the curves (OPENSSL_NO_ECX) loads but cannot make keys: then BouncyCastle.
        try
        {
            var engine = new OpenSslXdh();
            engine.Create(x448: false, new byte[32]).Dispose();
            engine.Create(x448: true, new byte[56]).Dispose();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private sealed class Key(int nid, SafeEvpPKeyHandle privateKey, byte[] share) : XdhPrivateKey
    {
        public override ReadOnlyMemory<byte> Share => share;

        public override bool Agree(ReadOnlySpan<byte> peerShare, Span<byte> secret)
        {
            using SafeEvpPKeyHandle peer = Native.EVP_PKEY_new_raw_public_key(nid, IntPtr.Zero, in MemoryMarshal.GetReference(peerShare), (nuint)peerShare.Length);
            using SafeEvpPKeyCtxHandle ctx = Native.EVP_PKEY_CTX_new(privateKey, IntPtr.Zero);
            if (peer.IsInvalid || ctx.IsInvalid || Native.EVP_PKEY_derive_init(ctx) != 1 || Native.EVP_PKEY_derive_set_peer(ctx, peer) != 1)
            {
                throw Failure("EVP_PKEY_derive_init");
            }

            nuint length = (nuint)secret.Length;
            if (Native.EVP_PKEY_derive(ctx, ref MemoryMarshal.GetReference(secret), ref length) != 1)
            {
                // OpenSSL's X25519 and X448 refuse an all-zero result (RFC 7748 §6) by failing here;
                // that is the one way a well-formed share of the right length fails.
                Native.ERR_clear_error();
                CryptographicOperations.ZeroMemory(secret);
                return false;
            }

            // RFC 8031 §2.1: checked here as well, not left to the library's version.
            return length == (nuint)secret.Length && secret.ContainsAnyExcept((byte)0);
        }

        public override void Dispose() => privateKey.Dispose();
    }

    internal sealed class SafeEvpPKeyHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeEvpPKeyHandle()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            Native.EVP_PKEY_free(handle);
            return true;
        }
    }

    internal sealed class SafeEvpPKeyCtxHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeEvpPKeyCtxHandle()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            Native.EVP_PKEY_CTX_free(handle);
            return true;
        }
    }

    private static class Native
    {
        // EVP_PKEY *EVP_PKEY_new_raw_private_key(int type, ENGINE *e, const unsigned char *priv, size_t len);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeEvpPKeyHandle EVP_PKEY_new_raw_private_key(int type, IntPtr e, in byte priv, nuint len);

        // EVP_PKEY *EVP_PKEY_new_raw_public_key(int type, ENGINE *e, const unsigned char *pub, size_t len);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeEvpPKeyHandle EVP_PKEY_new_raw_public_key(int type, IntPtr e, in byte pub, nuint len);

        // int EVP_PKEY_get_raw_public_key(const EVP_PKEY *pkey, unsigned char *pub, size_t *len);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_PKEY_get_raw_public_key(SafeEvpPKeyHandle pkey, ref byte pub, ref nuint len);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void EVP_PKEY_free(IntPtr pkey);

        // EVP_PKEY_CTX *EVP_PKEY_CTX_new(EVP_PKEY *pkey, ENGINE *e);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern SafeEvpPKeyCtxHandle EVP_PKEY_CTX_new(SafeEvpPKeyHandle pkey, IntPtr e);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void EVP_PKEY_CTX_free(IntPtr ctx);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_PKEY_derive_init(SafeEvpPKeyCtxHandle ctx);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_PKEY_derive_set_peer(SafeEvpPKeyCtxHandle ctx, SafeEvpPKeyHandle peer);

        // int EVP_PKEY_derive(EVP_PKEY_CTX *ctx, unsigned char *key, size_t *keylen);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_PKEY_derive(SafeEvpPKeyCtxHandle ctx, ref byte key, ref nuint keylen);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void ERR_clear_error();
    }
}
