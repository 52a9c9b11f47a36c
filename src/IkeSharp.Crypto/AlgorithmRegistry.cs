using System.Collections.Frozen;
using IkeSharp.Crypto.Symmetric.Encryption;
using IkeSharp.Crypto.Symmetric.Integrity;
using IkeSharp.Crypto.Symmetric.Prf;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto;

/// <summary>
/// The transforms IkeSharp implements, looked up by IANA id (and, for encryption, the Key Length
/// attribute in bits). Immutable: build one and share it, or use <see cref="Default"/>. Algorithm
/// objects are stateless descriptors; keyed state lives in what their CreateKey returns.
/// </summary>
/// <remarks>
/// Key exchange is looked up in <c>AlgorithmRegistry.KeyExchange.cs</c>, a separate part of this
/// class that the key-exchange implementation owns. Signatures can join the same way.
/// </remarks>
public sealed partial class AlgorithmRegistry : IAlgorithmProvider
{
    private static readonly int[] AesKeyBits = [128, 192, 256];
    private static readonly int[] AeadIcvLengths = [8, 12, 16];

    private readonly FrozenDictionary<(EncryptionAlgorithm Id, int KeyBits), IEncryptionAlgorithm> encryption;
    private readonly NullCipher nullEncryption = new();
    private readonly FrozenDictionary<PseudorandomFunction, IPrf> prfs;
    private readonly FrozenDictionary<IntegrityAlgorithm, IIntegrityAlgorithm> integrity;

    public AlgorithmRegistry()
    {
        var ciphers = new List<IEncryptionAlgorithm>();
        foreach (int bits in AesKeyBits)
        {
            ciphers.Add(new AesCbcCipher(bits));
            ciphers.Add(new AesCtrCipher(bits));
            foreach (int icv in AeadIcvLengths)
            {
                ciphers.Add(new AesGcmCipher(bits, icv));
                ciphers.Add(new AesCcmCipher(bits, icv));
            }
        }

        ciphers.Add(new ChaCha20Poly1305Cipher());
        encryption = ciphers.ToFrozenDictionary(c => (c.Id, c.KeyBits));
        EncryptionAlgorithms = ciphers.AsReadOnly();

        IPrf[] prfList =
        [
            new HmacPrf(PseudorandomFunction.HmacSha1),
            new HmacPrf(PseudorandomFunction.HmacSha2_256),
            new HmacPrf(PseudorandomFunction.HmacSha2_384),
            new HmacPrf(PseudorandomFunction.HmacSha2_512),
            new AesXcbcPrf(),
            new AesCmacPrf(),
        ];
        prfs = prfList.ToFrozenDictionary(p => p.Id);
        Prfs = Array.AsReadOnly(prfList);

        IIntegrityAlgorithm[] integrityList =
        [
            new HmacIntegrity(IntegrityAlgorithm.HmacSha1_96),
            new AesXcbcIntegrity(),
            new AesCmacIntegrity(),
            new HmacIntegrity(IntegrityAlgorithm.HmacSha2_256_128),
            new HmacIntegrity(IntegrityAlgorithm.HmacSha2_384_192),
            new HmacIntegrity(IntegrityAlgorithm.HmacSha2_512_256),
        ];
        integrity = integrityList.ToFrozenDictionary(i => i.Id);
        IntegrityAlgorithms = Array.AsReadOnly(integrityList);
    }

    /// <summary>A shared instance with every algorithm IkeSharp implements.</summary>
    public static AlgorithmRegistry Default { get; } = new();

    /// <summary>Every encryption algorithm usable in IKE and ESP (ENCR_NULL is not among them; see <see cref="EspEncryption"/>).</summary>
    public IReadOnlyList<IEncryptionAlgorithm> EncryptionAlgorithms { get; }

    public IReadOnlyList<IPrf> Prfs { get; }

    public IReadOnlyList<IIntegrityAlgorithm> IntegrityAlgorithms { get; }

    /// <summary>
    /// An encryption algorithm for IKE or ESP, by transform id and Key Length attribute in bits
    /// (0 when the transform has none, as for ChaCha20-Poly1305). Never ENCR_NULL: IKE must not
    /// use it (RFC 7296 §3.3.2), so only <see cref="EspEncryption"/> hands it out. Null when
    /// unsupported, including AES without a key length.
    /// </summary>
    public IEncryptionAlgorithm? Encryption(EncryptionAlgorithm id, int keyBits) =>
        encryption.GetValueOrDefault((id, keyBits));

    /// <summary>As <see cref="Encryption"/>, plus ENCR_NULL (RFC 2410), which only ESP may use.</summary>
    public IEncryptionAlgorithm? EspEncryption(EncryptionAlgorithm id, int keyBits) =>
        id == EncryptionAlgorithm.Null && keyBits == 0 ? nullEncryption : Encryption(id, keyBits);

    public IPrf? Prf(PseudorandomFunction id) => prfs.GetValueOrDefault(id);

    public IIntegrityAlgorithm? Integrity(IntegrityAlgorithm id) => integrity.GetValueOrDefault(id);

    /// <summary>
    /// True when this registry can carry out <paramref name="transform"/> in a proposal for
    /// <paramref name="protocol"/>. Sequence-number transforms are the ESP data plane's concern and
    /// count as supported for ESP and AH.
    /// </summary>
    public bool Supports(Transform transform, SecurityProtocol protocol) => transform.Type switch
    {
        TransformType.Encryption => (protocol == SecurityProtocol.Esp
            ? EspEncryption((EncryptionAlgorithm)transform.Id, transform.KeyLength ?? 0)
            : Encryption((EncryptionAlgorithm)transform.Id, transform.KeyLength ?? 0)) is not null,
        TransformType.Prf => Prf((PseudorandomFunction)transform.Id) is not null,
        TransformType.Integrity => Integrity((IntegrityAlgorithm)transform.Id) is not null,
        TransformType.KeyExchange or (>= TransformType.AdditionalKeyExchange1 and <= TransformType.AdditionalKeyExchange7) =>
            (KeyExchangeMethod)transform.Id == KeyExchangeMethod.None || KeyExchange((KeyExchangeMethod)transform.Id) is not null,
        TransformType.SequenceNumbers => protocol != SecurityProtocol.Ike && (SequenceNumbers)transform.Id is SequenceNumbers.NoEsn or SequenceNumbers.Esn,
        _ => false,
    };

    /// <summary>
    /// The transforms of <paramref name="proposal"/> this registry cannot carry out, each with a
    /// sentence saying so ("3des (ENCR_3DES) is not implemented by IkeSharp"); empty when all are.
    /// </summary>
    public IReadOnlyList<string> Unsupported(Proposal proposal)
    {
        var problems = new List<string>();
        foreach (Transform t in proposal.Transforms)
        {
            if (!Supports(t, proposal.Protocol))
            {
                problems.Add($"{t.Keyword} ({Describe(t)}) is not implemented by IkeSharp for {proposal.Protocol.ToIanaName()}");
            }
        }

        return problems;
    }

    private static string Describe(Transform t) => t.Type switch
    {
        TransformType.Encryption => ((EncryptionAlgorithm)t.Id).ToIanaName() + (t.KeyLength is { } bits ? $" with {bits}-bit key" : string.Empty),
        TransformType.Prf => ((PseudorandomFunction)t.Id).ToIanaName(),
        TransformType.Integrity => ((IntegrityAlgorithm)t.Id).ToIanaName(),
        TransformType.KeyExchange => ((KeyExchangeMethod)t.Id).ToIanaName(),
        TransformType.SequenceNumbers => ((SequenceNumbers)t.Id).ToIanaName(),
        _ => t.Type.ToIanaName(),
    };
}
