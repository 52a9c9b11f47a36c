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

    public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) => id == KeyExchangeMethod.Ecp256 ? new Ecp256() : null;

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

    private sealed class Ecp256 : IKeyExchangeAlgorithm
    {
        public KeyExchangeMethod Id => KeyExchangeMethod.Ecp256;

        public int InitiatorShareLength => 64;

        public int ResponderShareLength => 64;

        public IKeyExchangeInitiator Initiate(IRandomSource random) => new Side(random);

        public KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
        {
            using var side = new Side(random);
            KeyExchangeResult r = side.Finish(initiatorShare);
            return r.IsSuccess ? r with { ResponderShare = side.Share } : r;
        }

        private sealed class Side : IKeyExchangeInitiator
        {
            private readonly ECDiffieHellman key;

            public Side(IRandomSource random)
            {
                // A scalar in [1, n-1]; a random 256-bit value below n with overwhelming probability, retried otherwise.
                byte[] d = new byte[32];
                while (true)
                {
                    random.Fill(d);
                    d[0] &= 0x7f;
                    try
                    {
                        key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
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
                if (responderShare.Length != 64)
                {
                    return KeyExchangeResult.Fail($"an ecp256 share is 64 octets, got {responderShare.Length}");
                }

                try
                {
                    using var peer = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = responderShare[..32].ToArray(), Y = responderShare[32..].ToArray() } });
                    byte[] secret = key.DeriveRawSecretAgreement(peer.PublicKey);
                    return new KeyExchangeResult(new SecretBytes(secret), ReadOnlyMemory<byte>.Empty, null);
                }
                catch (CryptographicException e)
                {
                    return KeyExchangeResult.Fail($"the peer's ecp256 point is invalid: {e.Message}");
                }
            }

            public void Dispose() => key.Dispose();
        }
    }
}
