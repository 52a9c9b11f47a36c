using System.Security.Cryptography;
using IkeSharp.Crypto;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// BCL-backed algorithms for the engine simulations: HMAC-SHA-256 PRF, AES-GCM-16, and ECP-256 with
/// its private scalar drawn from the injected random source, so runs repeat per seed.
/// </summary>
internal sealed class SimAlgorithms : IAlgorithmProvider
{
    public IEncryptionAlgorithm? Encryption(EncryptionAlgorithm id, int keyBits) =>
        id == EncryptionAlgorithm.AesGcm16 && keyBits is 128 or 256 ? new Gcm(keyBits) : null;

    public IPrf? Prf(PseudorandomFunction id) => id == PseudorandomFunction.HmacSha2_256 ? new HmacPrf() : null;

    public IIntegrityAlgorithm? Integrity(IntegrityAlgorithm id) => null;

    public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) => id switch
    {
        KeyExchangeMethod.Ecp256 => new Ecp(KeyExchangeMethod.Ecp256, ECCurve.NamedCurves.nistP256, 32),
        KeyExchangeMethod.Ecp384 => new Ecp(KeyExchangeMethod.Ecp384, ECCurve.NamedCurves.nistP384, 48),
        _ => null,
    };

    private sealed class HmacPrf : IPrf
    {
        public PseudorandomFunction Id => PseudorandomFunction.HmacSha2_256;

        public int OutputLength => 32;

        public int KeyLength => 32;

        public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output) => HMACSHA256.HashData(key, data, output);
    }

    private sealed class Gcm(int keyBits) : IEncryptionAlgorithm
    {
        public EncryptionAlgorithm Id => EncryptionAlgorithm.AesGcm16;

        public int KeyBits => keyBits;

        public int KeyMaterialLength => (keyBits / 8) + 4;

        public int IvLength => 8;

        public int BlockSize => 1;

        public bool IsAead => true;

        public int IcvLength => 16;

        public ICipherKey CreateKey(ReadOnlySpan<byte> keyMaterial) => new Key(keyMaterial[..^4], keyMaterial[^4..]);

        private sealed class Key(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt) : ICipherKey
        {
            private readonly AesGcm gcm = new(key, 16);
            private readonly byte[] salt = salt.ToArray();

            public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
                gcm.Encrypt([.. salt, .. iv], plaintext, ciphertext, tag, associatedData);

            public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
            {
                try
                {
                    gcm.Decrypt([.. salt, .. iv], ciphertext, tag, plaintext, associatedData);
                    return true;
                }
                catch (CryptographicException)
                {
                    return false;
                }
            }

            public void Dispose() => gcm.Dispose();
        }
    }

    private sealed class Ecp(KeyExchangeMethod id, ECCurve curve, int size) : IKeyExchangeAlgorithm
    {
        public KeyExchangeMethod Id => id;

        public int InitiatorShareLength => 2 * size;

        public int ResponderShareLength => 2 * size;

        public IKeyExchangeInitiator Initiate(IRandomSource random) => new Side(random, curve, size);

        public KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
        {
            using var side = new Side(random, curve, size);
            KeyExchangeResult r = side.Finish(initiatorShare);
            return r.IsSuccess ? r with { ResponderShare = side.Share } : r;
        }

        private sealed class Side : IKeyExchangeInitiator
        {
            private readonly ECDiffieHellman key;
            private readonly ECCurve curve;
            private readonly int size;

            public Side(IRandomSource random, ECCurve curve, int size)
            {
                this.curve = curve;
                this.size = size;

                // A scalar in [1, n-1]: a random value with its top bit cleared is below n; retried otherwise.
                byte[] d = new byte[size];
                while (true)
                {
                    random.Fill(d);
                    d[0] &= 0x7f;
                    try
                    {
                        key = ECDiffieHellman.Create(new ECParameters { Curve = curve, D = d });
                        break;
                    }
                    catch (CryptographicException)
                    {
                    }
                }

                ECParameters p = key.ExportParameters(false);
                Share = (byte[])[.. p.Q.X!, .. p.Q.Y!];
            }

            public ReadOnlyMemory<byte> Share { get; }

            public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare)
            {
                if (responderShare.Length != 2 * size)
                {
                    return KeyExchangeResult.Fail($"the share is {2 * size} octets, got {responderShare.Length}");
                }

                try
                {
                    using var peer = ECDiffieHellman.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = responderShare[..size].ToArray(), Y = responderShare[size..].ToArray() } });
                    byte[] secret = key.DeriveRawSecretAgreement(peer.PublicKey);
                    return new KeyExchangeResult(new SecretBytes(secret), ReadOnlyMemory<byte>.Empty, null);
                }
                catch (CryptographicException e)
                {
                    return KeyExchangeResult.Fail($"the peer's point is invalid: {e.Message}");
                }
            }

            public void Dispose() => key.Dispose();
        }
    }
}
