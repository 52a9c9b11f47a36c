using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto;
using IkeSharp.Crypto.KeyExchange;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;

namespace IkeSharp.Bench;

/// <summary>One key exchange per method: the initiator's key pair and share, then the shared secret (one side's cost).</summary>
[MemoryDiagnoser]
public class KeyExchangeBenchmarks
{
    private IKeyExchangeAlgorithm ke = null!;
    private byte[] peerShare = [];
    private readonly DeterministicRandom random = new(1);

    [Params(KeyExchangeMethod.Curve25519, KeyExchangeMethod.Curve448, KeyExchangeMethod.Ecp256, KeyExchangeMethod.Ecp384, KeyExchangeMethod.Ecp521,
        KeyExchangeMethod.Brainpool256, KeyExchangeMethod.Modp2048, KeyExchangeMethod.Modp3072)]
    public KeyExchangeMethod Method { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ke = AlgorithmRegistry.Default.KeyExchange(Method)!;
        using IKeyExchangeInitiator peer = ke.Initiate(new DeterministicRandom(2));
        peerShare = peer.Share.ToArray();
    }

    [Benchmark]
    public int KeyPairAndSharedSecret()
    {
        using IKeyExchangeInitiator side = ke.Initiate(random);
        KeyExchangeResult result = side.Finish(peerShare);
        using SecretBytes secret = result.SharedSecret!;
        return secret.Length;
    }
}

/// <summary>
/// X25519 and X448 per complete key exchange (key pair, share, shared secret), OpenSSL's libcrypto
/// against BouncyCastle: the figures that chose XdhKeyExchange.DefaultEngine.
/// </summary>
[MemoryDiagnoser]
public class KeyExchangeEngineBenchmarks
{
    private XdhKeyExchange ke = null!;
    private byte[] peerShare = [];
    private readonly DeterministicRandom random = new(1);

    [Params("OpenSSL", "BouncyCastle")]
    public string Engine { get; set; } = "OpenSSL";

    [Params(KeyExchangeMethod.Curve25519, KeyExchangeMethod.Curve448)]
    public KeyExchangeMethod Method { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        XdhFunction function = Engine == "OpenSSL" ? new OpenSslXdh() : new BouncyCastleXdh();
        ke = Method == KeyExchangeMethod.Curve25519
            ? new XdhKeyExchange(Method, "curve25519", 32, function)
            : new XdhKeyExchange(Method, "curve448", 56, function);
        using IKeyExchangeInitiator peer = ke.Initiate(new DeterministicRandom(2));
        peerShare = peer.Share.ToArray();
    }

    [Benchmark]
    public int KeyPairAndSharedSecret()
    {
        using IKeyExchangeInitiator side = ke.Initiate(random);
        KeyExchangeResult result = side.Finish(peerShare);
        using SecretBytes secret = result.SharedSecret!;
        return secret.Length;
    }
}

/// <summary>The IKE key schedule: SKEYSEED and the seven SK_* keys via prf+ (aes128gcm16-prfsha256, 32-octet nonces).</summary>
[MemoryDiagnoser]
public class KeyScheduleBenchmarks
{
    private readonly IPrf prf = AlgorithmRegistry.Default.Prf(PseudorandomFunction.HmacSha2_256)!;
    private readonly IEncryptionAlgorithm gcm = AlgorithmRegistry.Default.Encryption(EncryptionAlgorithm.AesGcm16, 128)!;
    private readonly byte[] ni = new byte[32];
    private readonly byte[] nr = new byte[32];
    private readonly byte[] shared = new byte[32];

    [Benchmark]
    public int SkeyseedAndSkKeys()
    {
        using SecretBytes skeyseed = IkeKeySchedule.Skeyseed(prf, ni, nr, shared);
        using IkeSaKeys keys = IkeKeySchedule.DeriveIkeSaKeys(prf, gcm, null, skeyseed.ReadOnlySpan, ni, nr, 1, 2);
        return keys.SkD.Length;
    }
}

/// <summary>ESP-sized packets (1400 octets), single thread: AEAD and CBC+HMAC, through keyed instances made once.</summary>
[MemoryDiagnoser]
public class PacketCipherBenchmarks
{
    private const int PacketLength = 1400;
    private readonly byte[] plaintext = new byte[PacketLength];
    private readonly byte[] ciphertext = new byte[PacketLength];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] aad = new byte[8];
    private readonly byte[] iv8 = new byte[8];
    private readonly byte[] iv16 = new byte[16];

    // CBC takes whole blocks: 1400 octets of payload padded to 1408, as ESP would (RFC 4303 §2.4).
    private readonly byte[] cbcPlaintext = new byte[1408];
    private readonly byte[] cbcCiphertext = new byte[1408];
    private ICipherKey gcm128 = null!;
    private ICipherKey gcm256 = null!;
    private ICipherKey chacha = null!;
    private ICipherKey cbc256 = null!;
    private IIntegrityKey sha256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        AlgorithmRegistry r = AlgorithmRegistry.Default;
        gcm128 = r.Encryption(EncryptionAlgorithm.AesGcm16, 128)!.CreateKey(new byte[20]);
        gcm256 = r.Encryption(EncryptionAlgorithm.AesGcm16, 256)!.CreateKey(new byte[36]);
        chacha = r.Encryption(EncryptionAlgorithm.Chacha20Poly1305, 0)!.CreateKey(new byte[36]);
        cbc256 = r.Encryption(EncryptionAlgorithm.AesCbc, 256)!.CreateKey(new byte[32]);
        sha256 = r.Integrity(IntegrityAlgorithm.HmacSha2_256_128)!.CreateKey(new byte[32]);
        gcm128.Encrypt(iv8, plaintext, ciphertext, tag, aad);
    }

    [Benchmark]
    public void Aes128Gcm16Encrypt() => gcm128.Encrypt(iv8, plaintext, ciphertext, tag, aad);

    [Benchmark]
    public bool Aes128Gcm16Decrypt()
    {
        gcm128.Encrypt(iv8, plaintext, ciphertext, tag, aad);
        return gcm128.Decrypt(iv8, ciphertext, tag, plaintext, aad);
    }

    [Benchmark]
    public void Aes256Gcm16Encrypt() => gcm256.Encrypt(iv8, plaintext, ciphertext, tag, aad);

    [Benchmark]
    public void ChaCha20Poly1305Encrypt() => chacha.Encrypt(iv8, plaintext, ciphertext, tag, aad);

    [Benchmark]
    public void Aes256CbcHmacSha256Encrypt()
    {
        cbc256.Encrypt(iv16, cbcPlaintext, cbcCiphertext, default, default);
        sha256.Compute(cbcCiphertext, tag);
    }
}
