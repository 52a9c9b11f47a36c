using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Curve25519 (group 31) and Curve448 (group 32) for IKEv2, RFC 8031: the X25519 and X448
/// functions of RFC 7748 §5, computed by OpenSSL's libcrypto where it loads and by BouncyCastle
/// elsewhere (the BCL has neither; see <see cref="XdhFunction"/>). The private key is 32 or 56
/// random octets from the injected source (RFC 8031 §2; the function clamps it), the share is the
/// u coordinate as the function produces it (little-endian), and so is the shared secret.
/// Any share of the right length is a valid input (RFC 7748 §5 masks the top bit); what a peer
/// can do wrong is send a point of small order, which RFC 8031 §2.1 and RFC 7748 §6 catch by
/// refusing an all-zero shared secret.
/// </summary>
public sealed class XdhKeyExchange : KeyExchangeAlgorithm
{
    private readonly XdhFunction engine;

    internal XdhKeyExchange(KeyExchangeMethod id, string name, int keyLength, XdhFunction engine)
        : base(id, name, isWeak: false)
    {
        KeyLength = keyLength;
        this.engine = engine;
    }

    /// <summary>
    /// OpenSSL where libcrypto.so.3 loads: measured interleaved on the same machine, one complete
    /// X25519 exchange (key pair and secret) took about 60% of BouncyCastle's time, X448 about 78%,
    /// and it allocates a sixth as much (bench/results/crypto-packet-path-and-xdh.md).
    /// </summary>
    internal static XdhFunction DefaultEngine { get; } = OpenSslXdh.IsAvailable ? new OpenSslXdh() : new BouncyCastleXdh();

    public static XdhKeyExchange Curve25519 { get; } = new(KeyExchangeMethod.Curve25519, "curve25519", 32, DefaultEngine);

    public static XdhKeyExchange Curve448 { get; } = new(KeyExchangeMethod.Curve448, "curve448", 56, DefaultEngine);

    /// <summary>Octets of a private key, a share and the shared secret alike: 32 or 56.</summary>
    public int KeyLength { get; }

    /// <summary>"OpenSSL" or "BouncyCastle".</summary>
    internal string EngineName => engine.Name;

    public override int InitiatorShareLength => KeyLength;

    public override int ResponderShareLength => KeyLength;

    public override IKeyExchangeInitiator Initiate(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new Initiator(this, CreateKey(random));
    }

    public override KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (initiatorShare.Length != KeyLength)
        {
            return KeyExchangeResult.Fail(WrongLength(initiatorShare.Length, KeyLength, "RFC 8031 §2"));
        }

        using XdhPrivateKey own = CreateKey(random);
        return Agree(own, initiatorShare, own.Share);
    }

    private XdhPrivateKey CreateKey(IRandomSource random)
    {
        Span<byte> privateKey = stackalloc byte[KeyLength];
        try
        {
            random.Fill(privateKey);
            return engine.Create(KeyLength != 32, privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private KeyExchangeResult Agree(XdhPrivateKey own, ReadOnlySpan<byte> peerShare, ReadOnlyMemory<byte> responderShare)
    {
        var secret = new SecretBytes(KeyLength);
        if (!own.Agree(peerShare, secret.Span))
        {
            secret.Dispose();
            return KeyExchangeResult.Fail(
                $"the peer's {Name} share is a point of small order: the shared secret is all zeros (RFC 8031 §2.1, RFC 7748 §6)");
        }

        return new KeyExchangeResult(secret, responderShare, null);
    }

    private sealed class Initiator(XdhKeyExchange algorithm, XdhPrivateKey own) : IKeyExchangeInitiator
    {
        private bool disposed;

        public ReadOnlyMemory<byte> Share => own.Share;

        public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (responderShare.Length != algorithm.KeyLength)
            {
                return KeyExchangeResult.Fail(algorithm.WrongLength(responderShare.Length, algorithm.KeyLength, "RFC 8031 §2"));
            }

            return algorithm.Agree(own, responderShare, ReadOnlyMemory<byte>.Empty);
        }

        public void Dispose()
        {
            own.Dispose();
            disposed = true;
        }
    }
}
