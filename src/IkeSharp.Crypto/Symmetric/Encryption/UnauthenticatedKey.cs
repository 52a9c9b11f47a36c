namespace IkeSharp.Crypto.Symmetric.Encryption;

/// <summary>
/// A cipher without an ICV of its own (AES-CBC, AES-CTR, NULL): argument checks, and the
/// associated data and empty tag ignored, since a separate integrity transform covers the packet
/// (RFC 7296 §3.14, RFC 4303 §3.3.2). Subclasses only transform.
/// </summary>
internal abstract class UnauthenticatedKey(IEncryptionAlgorithm algorithm) : ICipherKey
{
    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CipherArguments.CheckEncrypt(algorithm, iv, plaintext, ciphertext, tag);
        Transform(iv, plaintext, ciphertext, encrypt: true);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (!CipherArguments.DecryptLengthsValid(algorithm, iv, ciphertext, tag, plaintext))
        {
            return false;
        }

        Transform(iv, ciphertext, plaintext, encrypt: false);
        return true;
    }

    public abstract void Dispose();

    /// <summary>Lengths already checked; <paramref name="output"/> may be <paramref name="input"/>.</summary>
    protected abstract void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool encrypt);
}
