namespace IkeSharp.Crypto.KeySchedule;

/// <summary>
/// The seven keys of an IKE SA (RFC 7296 §2.14), zeroed together when the SA dies.
/// SK_d derives Child SA keys and the next IKE SA; SK_ai/SK_ar protect integrity and SK_ei/SK_er
/// confidentiality of the SK payload (initiator→responder and back); SK_pi/SK_pr go into AUTH.
/// </summary>
public sealed class IkeSaKeys(SecretBytes skD, SecretBytes skAi, SecretBytes skAr, SecretBytes skEi, SecretBytes skEr, SecretBytes skPi, SecretBytes skPr) : IDisposable
{
    public SecretBytes SkD { get; } = skD;

    public SecretBytes SkAi { get; } = skAi;

    public SecretBytes SkAr { get; } = skAr;

    public SecretBytes SkEi { get; } = skEi;

    public SecretBytes SkEr { get; } = skEr;

    public SecretBytes SkPi { get; } = skPi;

    public SecretBytes SkPr { get; } = skPr;

    /// <summary>
    /// SK_ei/SK_ai/SK_er/SK_ar have keyed the SA's SK protection, which keeps its own copy: they
    /// are zeroed and let go (issue 6: memory per IKE SA).
    /// </summary>
    public void ReleaseProtectionKeys()
    {
        SkAi.Dispose();
        SkAr.Dispose();
        SkEi.Dispose();
        SkEr.Dispose();
    }

    /// <summary>SK_pi/SK_pr go into AUTH only (RFC 7296 §2.15): once IKE_AUTH is done they are zeroed and let go.</summary>
    public void ReleaseAuthKeys()
    {
        SkPi.Dispose();
        SkPr.Dispose();
    }

    public void Dispose()
    {
        SkD.Dispose();
        SkAi.Dispose();
        SkAr.Dispose();
        SkEi.Dispose();
        SkEr.Dispose();
        SkPi.Dispose();
        SkPr.Dispose();
    }
}

/// <summary>
/// The keys of a Child SA (RFC 7296 §2.17): for each direction the encryption key material
/// (with salt for AEAD) and the integrity key (empty for AEAD).
/// </summary>
public sealed class ChildSaKeys(SecretBytes encryptionInitiator, SecretBytes integrityInitiator, SecretBytes encryptionResponder, SecretBytes integrityResponder) : IDisposable
{
    /// <summary>Initiator to responder.</summary>
    public SecretBytes EncryptionInitiator { get; } = encryptionInitiator;

    public SecretBytes IntegrityInitiator { get; } = integrityInitiator;

    /// <summary>Responder to initiator.</summary>
    public SecretBytes EncryptionResponder { get; } = encryptionResponder;

    public SecretBytes IntegrityResponder { get; } = integrityResponder;

    public void Dispose()
    {
        EncryptionInitiator.Dispose();
        IntegrityInitiator.Dispose();
        EncryptionResponder.Dispose();
        IntegrityResponder.Dispose();
    }
}
