using System.Security.Cryptography;
using IkeSharp.Crypto;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// The algorithm registry for ciphers, PRFs and integrity; ECP-256/384 written here with the private
/// scalar drawn from the injected random source, so runs repeat per seed.
/// </summary>
internal sealed class SimAlgorithms : IAlgorithmProvider
{
    private static readonly AlgorithmRegistry Registry = AlgorithmRegistry.Default;

    public IEncryptionAlgorithm? Encryption(EncryptionAlgorithm id, int keyBits) => Registry.Encryption(id, keyBits);

    public IPrf? Prf(PseudorandomFunction id) => Registry.Prf(id);

    public IIntegrityAlgorithm? Integrity(IntegrityAlgorithm id) => Registry.Integrity(id);

    public IKeyExchangeAlgorithm? KeyExchange(KeyExchangeMethod id) => id switch
    {
        KeyExchangeMethod.Ecp256 => new Ecp(KeyExchangeMethod.Ecp256, ECCurve.NamedCurves.nistP256, 32),
        KeyExchangeMethod.Ecp384 => new Ecp(KeyExchangeMethod.Ecp384, ECCurve.NamedCurves.nistP384, 48),
        _ => null,
    };

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
