using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Elliptic curve groups: NIST P-256/384/521 (RFC 5903) and brainpool P256r1/384r1/512r1 (RFC 6954),
/// through the BCL (OpenSSL). The public value is x | y, each coordinate fixed-length; the shared
/// secret is the x coordinate of the product (RFC 5903 §7). Importing the peer's point checks it is
/// on the curve; the private scalar comes from the injected random source.
/// </summary>
public sealed class EcpGroup : DiffieHellmanKem
{
    private readonly ECCurve curve;
    private readonly int size;
    private readonly byte topByteMask;

    private EcpGroup(KeyExchangeMethod id, ECCurve curve, int size, byte topByteMask)
    {
        Id = id;
        this.curve = curve;
        this.size = size;
        this.topByteMask = topByteMask;
    }

    public override KeyExchangeMethod Id { get; }

    public override int PublicValueLength => 2 * size;

    // A scalar below the group order n: clearing the top bit is enough for these curves, whose
    // orders all exceed 2^(8·size-1); P-521's 66-octet scalar keeps one bit of its top octet and is
    // retried in the rare case it is not below n.
    public static EcpGroup Ecp256 { get; } = new(KeyExchangeMethod.Ecp256, ECCurve.NamedCurves.nistP256, 32, 0x7f);

    public static EcpGroup Ecp384 { get; } = new(KeyExchangeMethod.Ecp384, ECCurve.NamedCurves.nistP384, 48, 0x7f);

    public static EcpGroup Ecp521 { get; } = new(KeyExchangeMethod.Ecp521, ECCurve.NamedCurves.nistP521, 66, 0x01);

    public static EcpGroup Brainpool256 { get; } = new(KeyExchangeMethod.Brainpool256, ECCurve.NamedCurves.brainpoolP256r1, 32, 0x7f);

    public static EcpGroup Brainpool384 { get; } = new(KeyExchangeMethod.Brainpool384, ECCurve.NamedCurves.brainpoolP384r1, 48, 0x7f);

    public static EcpGroup Brainpool512 { get; } = new(KeyExchangeMethod.Brainpool512, ECCurve.NamedCurves.brainpoolP512r1, 64, 0x7f);

    protected override DhKeyPair Generate(IRandomSource random)
    {
        byte[] d = new byte[size];
        for (int attempt = 0; ; attempt++)
        {
            random.Fill(d);
            d[0] &= topByteMask;
            if (d.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                continue;
            }

            try
            {
                var key = ECDiffieHellman.Create(new ECParameters { Curve = curve, D = d });
                CryptographicOperations.ZeroMemory(d);
                return new Pair(this, key);
            }
            catch (CryptographicException) when (attempt < 64)
            {
                // The scalar was not below n: draw again.
            }
        }
    }

    /// <summary>A key pair from a given scalar, for known-answer tests (RFC 5903 §8).</summary>
    internal DhKeyPair FromScalar(byte[] d) => new Pair(this, ECDiffieHellman.Create(new ECParameters { Curve = curve, D = d }));

    private sealed class Pair : DhKeyPair
    {
        private readonly EcpGroup group;
        private readonly ECDiffieHellman key;

        public Pair(EcpGroup group, ECDiffieHellman key)
        {
            this.group = group;
            this.key = key;
            ECParameters p = key.ExportParameters(false);
            PublicValue = [.. p.Q.X!, .. p.Q.Y!];
        }

        public override byte[] PublicValue { get; }

        public override string? Derive(ReadOnlySpan<byte> peerPublic, out SecretBytes? secret)
        {
            secret = null;
            int n = group.size;
            try
            {
                using var peer = ECDiffieHellman.Create(new ECParameters
                {
                    Curve = group.curve,
                    Q = new ECPoint { X = peerPublic.Slice(0, n).ToArray(), Y = peerPublic.Slice(n, n).ToArray() },
                });
                byte[] x = key.DeriveRawSecretAgreement(peer.PublicKey);
                secret = new SecretBytes(x);
                CryptographicOperations.ZeroMemory(x);
                return null;
            }
            catch (CryptographicException e)
            {
                return $"the peer's point is not on the curve ({e.Message})";
            }
        }

        public override void Dispose() => key.Dispose();
    }
}
