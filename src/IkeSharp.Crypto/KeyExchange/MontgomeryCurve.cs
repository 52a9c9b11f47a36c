using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Curve25519 and Curve448 (RFC 8031, with the functions of RFC 7748) through BouncyCastle, which the
/// BCL lacks. Public values are 32 and 56 octets; an all-zero shared secret (a small-order peer
/// value) is refused (RFC 7748 §6, RFC 8031 §2).
/// </summary>
public sealed class MontgomeryCurve : DiffieHellmanKem
{
    private readonly bool x448;

    private MontgomeryCurve(bool x448) => this.x448 = x448;

    public static MontgomeryCurve X25519 { get; } = new(x448: false);

    public static MontgomeryCurve X448 { get; } = new(x448: true);

    public override KeyExchangeMethod Id => x448 ? KeyExchangeMethod.Curve448 : KeyExchangeMethod.Curve25519;

    public override int PublicValueLength => x448 ? 56 : 32;

    protected override DhKeyPair Generate(IRandomSource random)
    {
        byte[] scalar = new byte[PublicValueLength];
        random.Fill(scalar);
        DhKeyPair pair = FromScalar(scalar);
        CryptographicOperations.ZeroMemory(scalar);
        return pair;
    }

    /// <summary>A key pair from a given private scalar, for known-answer tests (RFC 7748 §6).</summary>
    internal DhKeyPair FromScalar(byte[] scalar) => x448 ? new Pair448(new X448PrivateKeyParameters(scalar)) : new Pair25519(new X25519PrivateKeyParameters(scalar));

    private sealed class Pair25519(X25519PrivateKeyParameters key) : DhKeyPair
    {
        public override byte[] PublicValue { get; } = key.GeneratePublicKey().GetEncoded();

        public override string? Derive(ReadOnlySpan<byte> peerPublic, out SecretBytes? secret)
        {
            secret = null;
            byte[] shared = new byte[32];
            try
            {
                var agreement = new X25519Agreement();
                agreement.Init(key);
                agreement.CalculateAgreement(new X25519PublicKeyParameters(peerPublic), shared, 0);
            }
            catch (InvalidOperationException)
            {
                return "the shared secret is all zero: the peer sent a small-order point (RFC 7748 §6.1)";
            }

            secret = new SecretBytes(shared);
            CryptographicOperations.ZeroMemory(shared);
            return null;
        }

        public override void Dispose()
        {
        }
    }

    private sealed class Pair448(X448PrivateKeyParameters key) : DhKeyPair
    {
        public override byte[] PublicValue { get; } = key.GeneratePublicKey().GetEncoded();

        public override string? Derive(ReadOnlySpan<byte> peerPublic, out SecretBytes? secret)
        {
            secret = null;
            byte[] shared = new byte[56];
            try
            {
                var agreement = new X448Agreement();
                agreement.Init(key);
                agreement.CalculateAgreement(new X448PublicKeyParameters(peerPublic), shared, 0);
            }
            catch (InvalidOperationException)
            {
                return "the shared secret is all zero: the peer sent a small-order point (RFC 7748 §6.2)";
            }

            secret = new SecretBytes(shared);
            CryptographicOperations.ZeroMemory(shared);
            return null;
        }

        public override void Dispose()
        {
        }
    }
}
