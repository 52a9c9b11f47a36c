using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// AES-GCM with a 12-octet nonce and a 12- or 16-octet tag through OpenSSL 3's EVP_CIPHER
/// interface directly, in the libcrypto.so.3 that .NET's own cryptography loads on Linux: one
/// EVP_CIPHER_CTX per key, keyed once, and per packet only the nonce set again, the associated data,
/// the data, the final block and the tag (EVP_EncryptInit_ex(3)). .NET's <see cref="AesGcm"/> does the
/// same work but clears OpenSSL's error queue around every call (ERR_clear_error walks all sixteen
/// slots of the queue and frees each) and asks for the IV length each time: a profile of the ESP
/// data plane had that overhead at about a fifth of the CPU. One thread at a time, like AesGcm.
/// </summary>
internal sealed class OpenSslAesGcm : IDisposable
{
    private const string LibCrypto = "libcrypto.so.3";

    // EVP_CTRL_GCM_GET_TAG and EVP_CTRL_GCM_SET_TAG (OpenSSL's evp.h; EVP_CTRL_AEAD_GET_TAG is the same).
    private const int GetTag = 0x10;
    private const int SetTag = 0x11;

    private static readonly string[] RequiredExports =
    [
        "EVP_CIPHER_CTX_new", "EVP_CIPHER_CTX_free", "EVP_CipherInit_ex", "EVP_CipherUpdate", "EVP_CipherFinal_ex",
        "EVP_CIPHER_CTX_ctrl", "EVP_aes_128_gcm", "EVP_aes_192_gcm", "EVP_aes_256_gcm", "ERR_clear_error",
    ];

    private readonly int tagLength;
    private IntPtr context;

    /// <summary>True when libcrypto.so.3 loads and exports every function used here.</summary>
    public static bool IsAvailable { get; } = Probe();

    public OpenSslAesGcm(ReadOnlySpan<byte> key, int tagLength)
    {
        if (key.Length is not (16 or 24 or 32) || tagLength is not (12 or 16))
        {
            throw new ArgumentException($"AES-GCM through OpenSSL takes a 128-, 192- or 256-bit key and a 12- or 16-octet tag; got {key.Length * 8} bits and {tagLength} octets");
        }

        this.tagLength = tagLength;
        IntPtr cipher = key.Length switch
        {
            16 => Native.EVP_aes_128_gcm(),
            24 => Native.EVP_aes_192_gcm(),
            _ => Native.EVP_aes_256_gcm(),
        };
        context = Native.EVP_CIPHER_CTX_new();
        if (context == IntPtr.Zero || Native.EVP_CipherInit_ex(context, cipher, IntPtr.Zero, in MemoryMarshal.GetReference(key), IntPtr.Zero, 1) != 1)
        {
            Dispose();
            throw Failure("EVP_CipherInit_ex (key)");
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (the same span, or not overlapping) and writes the tag.</summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        IntPtr ctx = Context();
        if (Native.EVP_CipherInit_ex(ctx, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, in MemoryMarshal.GetReference(nonce), 1) != 1
            || !Update(ctx, associatedData, ref Unsafe.NullRef<byte>(), aad: true)
            || !Update(ctx, plaintext, ref MemoryMarshal.GetReference(ciphertext), aad: false)
            || Native.EVP_CipherFinal_ex(ctx, ref MemoryMarshal.GetReference(ciphertext), out _) != 1
            || Native.EVP_CIPHER_CTX_ctrl(ctx, GetTag, tagLength, ref MemoryMarshal.GetReference(tag)) != 1)
        {
            throw Failure("AES-GCM encryption");
        }
    }

    /// <summary>Decrypts and verifies; throws <see cref="AuthenticationTagMismatchException"/> (the plaintext zeroed) when the tag does not verify.</summary>
    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        IntPtr ctx = Context();
        if (Native.EVP_CipherInit_ex(ctx, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, in MemoryMarshal.GetReference(nonce), 0) != 1
            || !Update(ctx, associatedData, ref Unsafe.NullRef<byte>(), aad: true)
            || !Update(ctx, ciphertext, ref MemoryMarshal.GetReference(plaintext), aad: false)
            || Native.EVP_CIPHER_CTX_ctrl(ctx, SetTag, tagLength, ref MemoryMarshal.GetReference(tag)) != 1)
        {
            throw Failure("AES-GCM decryption");
        }

        if (Native.EVP_CipherFinal_ex(ctx, ref MemoryMarshal.GetReference(plaintext), out _) != 1)
        {
            // A tag that does not verify (RFC 4106 §1 via SP 800-38D §7.2): nothing of the plaintext is released.
            Native.ERR_clear_error();
            CryptographicOperations.ZeroMemory(plaintext[..ciphertext.Length]);
            throw new AuthenticationTagMismatchException();
        }
    }

    private static bool Update(IntPtr ctx, ReadOnlySpan<byte> input, ref byte output, bool aad)
    {
        if (input.IsEmpty)
        {
            return true;
        }

        // For the associated data the output pointer is NULL (EVP_EncryptUpdate(3), "AEAD Interface").
        return aad
            ? Native.EVP_CipherUpdate(ctx, IntPtr.Zero, out _, in MemoryMarshal.GetReference(input), input.Length) == 1
            : Native.EVP_CipherUpdate(ctx, ref output, out _, in MemoryMarshal.GetReference(input), input.Length) == 1;
    }

    private IntPtr Context()
    {
        ObjectDisposedException.ThrowIf(context == IntPtr.Zero, this);
        return context;
    }

    private static CryptographicException Failure(string what)
    {
        // Leave nothing on this thread's OpenSSL error queue for .NET's own calls to trip over.
        Native.ERR_clear_error();
        return new CryptographicException($"OpenSSL's {what} failed");
    }

    /// <summary>EVP_CIPHER_CTX_free cleanses the key schedule.</summary>
    public void Dispose()
    {
        IntPtr ctx = context;
        context = IntPtr.Zero;
        if (ctx != IntPtr.Zero)
        {
            Native.EVP_CIPHER_CTX_free(ctx);
        }
    }

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(LibCrypto, typeof(OpenSslAesGcm).Assembly, DllImportSearchPath.SafeDirectories, out IntPtr handle)
            || !RequiredExports.All(name => NativeLibrary.TryGetExport(handle, name, out _)))
        {
            return false;
        }

        // The SP 800-38D test case 3 key must give its tag, or this libcrypto is not one to use.
        try
        {
            using var gcm = new OpenSslAesGcm(Convert.FromHexString("feffe9928665731c6d6a8f9467308308"), 16);
            byte[] plaintext = Convert.FromHexString("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
            byte[] tag = new byte[16];
            gcm.Encrypt(Convert.FromHexString("cafebabefacedbaddecaf888"), plaintext, plaintext, tag, default);
            return Convert.ToHexStringLower(tag) == "4d5c2af327cd64a62cf35abd2ba6fab4";
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static class Native
    {
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr EVP_CIPHER_CTX_new();

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void EVP_CIPHER_CTX_free(IntPtr ctx);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr EVP_aes_128_gcm();

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr EVP_aes_192_gcm();

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr EVP_aes_256_gcm();

        // int EVP_CipherInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl, const unsigned char *key, const unsigned char *iv, int enc);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_CipherInit_ex(IntPtr ctx, IntPtr type, IntPtr impl, in byte key, IntPtr iv, int enc);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_CipherInit_ex(IntPtr ctx, IntPtr type, IntPtr impl, IntPtr key, in byte iv, int enc);

        // int EVP_CipherUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_CipherUpdate(IntPtr ctx, ref byte output, out int outputLength, in byte input, int inputLength);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_CipherUpdate(IntPtr ctx, IntPtr output, out int outputLength, in byte input, int inputLength);

        // int EVP_CipherFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *outm, int *outl);  (GCM writes nothing here)
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_CipherFinal_ex(IntPtr ctx, ref byte output, out int outputLength);

        // int EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr);
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int EVP_CIPHER_CTX_ctrl(IntPtr ctx, int type, int arg, ref byte ptr);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void ERR_clear_error();
    }
}
