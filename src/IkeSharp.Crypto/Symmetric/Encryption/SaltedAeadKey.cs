using System.Security.Cryptography;

namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// The part the salted AEADs share (AES-GCM RFC 4106 §4, AES-CCM RFC 4309 §4, ChaCha20-Poly1305
/// RFC 7634 §2): the key material ends in a salt, the nonce is salt | the packet's IV, arguments are
/// checked, and a tag that does not verify is <c>false</c>, never an exception. Subclasses hold the
/// BCL cipher and seal or open with the nonce.
/// </summary>
internal abstract class SaltedAeadKey : ICipherKey
{
    private readonly IEncryptionAlgorithm algorithm;
    private readonly byte[] salt;

    /// <param name="algorithm">The transform, for its lengths.</param>
    /// <param name="salt">The end of the key material, after the key.</param>
    protected SaltedAeadKey(IEncryptionAlgorithm algorithm, ReadOnlySpan<byte> salt)
    {
        this.algorithm = algorithm;
        this.salt = salt.ToArray();
    }

    protected IEncryptionAlgorithm Algorithm => algorithm;

    /// <summary>Salt plus the 8-octet IV every one of these carries.</summary>
    private int NonceLength => salt.Length + 8;

    protected abstract void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    /// <summary>Throws <see cref="AuthenticationTagMismatchException"/> when the tag does not verify.</summary>
    protected abstract void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);

    protected abstract void DisposeCipher();

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CipherArguments.CheckEncrypt(algorithm, iv, plaintext, ciphertext, tag);
        Span<byte> nonce = stackalloc byte[NonceLength];
        CipherArguments.WriteNonce(salt, iv, nonce);
        Seal(nonce, plaintext, ciphertext, tag, associatedData);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (!CipherArguments.DecryptLengthsValid(algorithm, iv, ciphertext, tag, plaintext))
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceLength];
        CipherArguments.WriteNonce(salt, iv, nonce);
        try
        {
            Open(nonce, ciphertext, tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>Frees the cipher's key and zeroes the salt.</summary>
    public void Dispose()
    {
        DisposeCipher();
        CryptographicOperations.ZeroMemory(salt);
    }
}
