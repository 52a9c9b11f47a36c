namespace IkeSharp.Crypto;

/// <summary>
/// Turns negotiated transforms into algorithm implementations. The engine asks it once per SA;
/// null means "not supported here", which selection must have ruled out before.
/// </summary>
public interface IAlgorithmProvider
{
    /// <summary>An encryption algorithm with its key size in bits (0 for fixed-size ones such as ChaCha20-Poly1305).</summary>
    IEncryptionAlgorithm? Encryption(EncryptionAlgorithm id, int keyBits);

    IPrf? Prf(PseudorandomFunction id);

    IIntegrityAlgorithm? Integrity(IntegrityAlgorithm id);

    IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id);
}
