using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Curve25519 (group 31) and Curve448 (group 32) for IKEv2, RFC 8031: the X25519 and X448
/// functions of RFC 7748 §5, computed by BouncyCastle (the BCL has neither). The private key is
/// 32 or 56 random octets from the injected source (RFC 8031 §2; the function clamps it), the share
/// is the u coordinate as the function produces it (little-endian), and so is the shared secret.
/// Any share of the right length is a valid input (RFC 7748 §5 masks the top bit); what a peer
/// can do wrong is send a point of small order, which RFC 8031 §2.1 and RFC 7748 §6 catch by
/// refusing an all-zero shared secret.
/// </summary>
public sealed class XdhKeyExchange : KeyExchangeAlgorithm
{
    private XdhKeyExchange(KeyExchangeMethod id, string name, int keyLength)
        : base(id, name, isWeak: false)
    {
        KeyLength = keyLength;
    }

    public static XdhKeyExchange Curve25519 { get; } = new(KeyExchangeMethod.Curve25519, "curve25519", X25519.PointSize);

    public static XdhKeyExchange Curve448 { get; } = new(KeyExchangeMethod.Curve448, "curve448", X448.PointSize);

    /// <summary>Octets of a private key, a share and the shared secret alike: 32 or 56.</summary>
    public int KeyLength { get; }

    public override int InitiatorShareLength => KeyLength;

    public override int ResponderShareLength => KeyLength;

    public override IKeyExchangeInitiator Initiate(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        byte[] privateKey = new byte[KeyLength];
        random.Fill(privateKey);
        return new Initiator(this, privateKey, PublicKey(privateKey));
    }

    public override KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (initiatorShare.Length != KeyLength)
        {
            return KeyExchangeResult.Fail(WrongLength(initiatorShare.Length, KeyLength, "RFC 8031 §2"));
        }

        byte[] privateKey = new byte[KeyLength];
        try
        {
            random.Fill(privateKey);
            return Agree(privateKey, initiatorShare, PublicKey(privateKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private byte[] PublicKey(ReadOnlySpan<byte> privateKey)
    {
        byte[] share = new byte[KeyLength];
        if (KeyLength == X25519.PointSize)
        {
            X25519.ScalarMultBase(privateKey, share);
        }
        else
        {
            X448.ScalarMultBase(privateKey, share);
        }

        return share;
    }

    private KeyExchangeResult Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerShare, ReadOnlyMemory<byte> responderShare)
    {
        var secret = new SecretBytes(KeyLength);
        bool nonZero = KeyLength == X25519.PointSize
            ? X25519.CalculateAgreement(privateKey, peerShare, secret.Span)
            : X448.CalculateAgreement(privateKey, peerShare, secret.Span);
        if (!nonZero)
        {
            secret.Dispose();
            return KeyExchangeResult.Fail(
                $"the peer's {Name} share is a point of small order: the shared secret is all zeros (RFC 8031 §2.1, RFC 7748 §6)");
        }

        return new KeyExchangeResult(secret, responderShare, null);
    }

    private sealed class Initiator(XdhKeyExchange algorithm, byte[] privateKey, byte[] share) : IKeyExchangeInitiator
    {
        private bool disposed;

        public ReadOnlyMemory<byte> Share => share;

        public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (responderShare.Length != algorithm.KeyLength)
            {
                return KeyExchangeResult.Fail(algorithm.WrongLength(responderShare.Length, algorithm.KeyLength, "RFC 8031 §2"));
            }

            return algorithm.Agree(privateKey, responderShare, ReadOnlyMemory<byte>.Empty);
        }

        public void Dispose()
        {
            CryptographicOperations.ZeroMemory(privateKey);
            disposed = true;
        }
    }
}
