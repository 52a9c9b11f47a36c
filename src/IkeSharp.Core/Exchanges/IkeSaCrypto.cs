using IkeSharp.Core.Sa;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// The algorithms of a chosen IKE proposal, and installing an IKE SA's keys from its SKEYSEED
/// (RFC 7296 §2.14): shared by IKE_SA_INIT and the IKE SA rekey (§2.18).
/// </summary>
internal sealed record IkeSaCrypto(IEncryptionAlgorithm Encryption, IPrf Prf, IIntegrityAlgorithm? Integrity)
{
    /// <summary>The implementations for <paramref name="proposal"/>, or null when this build lacks one.</summary>
    public static IkeSaCrypto? Resolve(IAlgorithmProvider algorithms, Proposal proposal)
    {
        Transform enc = proposal.Transforms.First(t => t.Type == TransformType.Encryption);
        Transform prfTransform = proposal.Transforms.First(t => t.Type == TransformType.Prf);
        Transform? integTransform = proposal.Transforms.FirstOrDefault(t => t.Type == TransformType.Integrity && t.Id != 0);
        IEncryptionAlgorithm? encryption = algorithms.Encryption((EncryptionAlgorithm)enc.Id, enc.KeyLength ?? 0);
        IPrf? prf = algorithms.Prf((PseudorandomFunction)prfTransform.Id);
        IIntegrityAlgorithm? integrity = integTransform is null ? null : algorithms.Integrity((IntegrityAlgorithm)integTransform.Id);
        return encryption is null || prf is null || (!encryption.IsAead && integrity is null) ? null : new IkeSaCrypto(encryption, prf, integrity);
    }

    /// <summary>
    /// Derives SK_* from <paramref name="skeyseed"/> with the SA's nonces and SPIs and sets up SK
    /// protection each way: SK_ei/SK_ai protect what the original initiator sends.
    /// </summary>
    public void InstallKeys(IkeSa sa, ReadOnlySpan<byte> skeyseed, EngineContext context)
    {
        IRandomSource random = context.Random;
        sa.Prf = Prf;
        sa.Keys = IkeKeySchedule.DeriveIkeSaKeys(Prf, Encryption, Integrity, skeyseed, sa.Ni, sa.Nr, sa.SpiI, sa.SpiR);
        IkeSaKeys k = sa.Keys;
        var i2r = new SkPayloadProtection(Encryption, k.SkEi.ReadOnlySpan, Integrity, k.SkAi.ReadOnlySpan, random);
        var r2i = new SkPayloadProtection(Encryption, k.SkEr.ReadOnlySpan, Integrity, k.SkAr.ReadOnlySpan, random);
        sa.Outbound = sa.IsInitiator ? i2r : r2i;
        sa.Inbound = sa.IsInitiator ? r2i : i2r;
        if (context.ExportKeys)
        {
            // Only when the owner asked for a key log (EngineOptions.ExportKeys): a debugging aid, like SSLKEYLOGFILE.
            context.Raise(new Engine.IkeSaKeysExported(context.Now, sa.Config.Name, sa.SpiI, sa.SpiR, Encryption.Id, Encryption.KeyBits, Integrity?.Id ?? IntegrityAlgorithm.None,
                k.SkEi.ReadOnlySpan.ToArray(), k.SkEr.ReadOnlySpan.ToArray(), k.SkAi.ReadOnlySpan.ToArray(), k.SkAr.ReadOnlySpan.ToArray()));
        }

        k.ReleaseProtectionKeys();
    }
}
