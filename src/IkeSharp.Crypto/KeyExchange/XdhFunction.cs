using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// The X25519 and X448 functions of RFC 7748 §5, behind one face so that two engines can stand
/// behind <see cref="XdhKeyExchange"/>: OpenSSL's (EVP_PKEY_X25519/X448 in the libcrypto that .NET
/// already loads on Linux) and BouncyCastle's, where libcrypto is not there. Measurements
/// (bench/results/crypto-packet-path-and-xdh.md) pick the default per complete key exchange.
/// </summary>
internal abstract class XdhFunction
{
    public abstract string Name { get; }

    /// <summary>A private key from 32 (X25519) or 56 (X448) random octets, and its public value.</summary>
    public abstract XdhPrivateKey Create(bool x448, ReadOnlySpan<byte> privateKey);

    public override string ToString() => Name;
}

/// <summary>A private key and its share (the u coordinate, little-endian, RFC 7748 §5). Disposing forgets the key.</summary>
internal abstract class XdhPrivateKey : IDisposable
{
    public abstract ReadOnlyMemory<byte> Share { get; }

    /// <summary>
    /// X(private key, <paramref name="peerShare"/>) into <paramref name="secret"/>; false when the
    /// result is all zeros, a peer point of small order (RFC 7748 §6, RFC 8031 §2.1).
    /// </summary>
    public abstract bool Agree(ReadOnlySpan<byte> peerShare, Span<byte> secret);

    public abstract void Dispose();
}

/// <summary>The portable engine: BouncyCastle's Rfc7748 classes.</summary>
internal sealed class BouncyCastleXdh : XdhFunction
{
    public override string Name => "BouncyCastle";

    public override XdhPrivateKey Create(bool x448, ReadOnlySpan<byte> privateKey) => new Key(x448, privateKey.ToArray());

    private sealed class Key : XdhPrivateKey
    {
        private readonly bool x448;
        private readonly byte[] privateKey;
        private readonly byte[] share;

        public Key(bool x448, byte[] privateKey)
        {
            this.x448 = x448;
            this.privateKey = privateKey;
            share = new byte[privateKey.Length];
            if (x448)
            {
                X448.ScalarMultBase(privateKey, share);
            }
            else
            {
                X25519.ScalarMultBase(privateKey, share);
            }
        }

        public override ReadOnlyMemory<byte> Share => share;

        // BouncyCastle's CalculateAgreement is false exactly when the result is all zeros.
        public override bool Agree(ReadOnlySpan<byte> peerShare, Span<byte> secret) => x448
            ? X448.CalculateAgreement(privateKey, peerShare, secret)
            : X25519.CalculateAgreement(privateKey, peerShare, secret);

        public override void Dispose() => CryptographicOperations.ZeroMemory(privateKey);
    }
}
