using System.Security.Cryptography;

namespace IkeSharp.Crypto.KeyExchange;

/// <summary>
/// Elliptic-curve Diffie-Hellman over a prime field, through the BCL's ECDiffieHellman (OpenSSL
/// underneath): the NIST curves of RFC 5903 (groups 19, 20, 21) and the Brainpool curves of
/// RFC 6954 (groups 28, 29, 30). A share is x | y, each coordinate big-endian at the field's
/// length, with no point-format octet (RFC 5903 §7, which RFC 6954 §2 adopts); the shared secret is the x
/// coordinate of the agreed point alone (RFC 5903 §7). The peer's point must have
/// that length, coordinates below the field prime, and lie on the curve (RFC 6989 §2.3; the BCL's
/// import checks the curve equation). The private scalar is drawn from the injected random source,
/// uniform in [1, n-1].
/// </summary>
public sealed class EcpKeyExchange : KeyExchangeAlgorithm
{
    private readonly ECCurve curve;
    private readonly Lazy<CurveFacts> facts;

    internal EcpKeyExchange(KeyExchangeMethod id, string name, ECCurve curve, int coordinateLength)
        : base(id, name, isWeak: false)
    {
        this.curve = curve;
        CoordinateLength = coordinateLength;
        facts = new Lazy<CurveFacts>(() => CurveFacts.Of(curve, coordinateLength));
    }

    /// <summary>Octets of one coordinate: 32, 48, 66 for P-256/384/521; 32, 48, 64 for Brainpool.</summary>
    public int CoordinateLength { get; }

    public override int InitiatorShareLength => 2 * CoordinateLength;

    public override int ResponderShareLength => 2 * CoordinateLength;

    private string Layout => $"x | y, {CoordinateLength} octets each, RFC 5903 §7";

    /// <summary>Whether the platform's OpenSSL knows this curve (Brainpool may be missing elsewhere).</summary>
    internal bool IsSupported()
    {
        try
        {
            _ = facts.Value;
            return true;
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    public override IKeyExchangeInitiator Initiate(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ECDiffieHellman own = CreateKey(random, out byte[] share);
        return new Initiator(this, own, share);
    }

    public override KeyExchangeResult Respond(ReadOnlySpan<byte> initiatorShare, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        using ECDiffieHellman? peer = ImportPeer(initiatorShare, out string? error);
        if (peer is null)
        {
            return KeyExchangeResult.Fail(error!);
        }

        using ECDiffieHellman own = CreateKey(random, out byte[] share);
        return Agree(own, peer, share);
    }

    private ECDiffieHellman CreateKey(IRandomSource random, out byte[] share)
    {
        CurveFacts f = facts.Value;
        byte[] d = new byte[f.Order.Length];
        try
        {
            RandomScalar.Below(f.Order, random, d);
            ECDiffieHellman key = ECDiffieHellman.Create(new ECParameters { Curve = curve, D = d });
            ECPoint q = key.ExportParameters(includePrivateParameters: false).Q;
            share = new byte[2 * CoordinateLength];
            q.X.AsSpan().CopyTo(share.AsSpan(CoordinateLength - q.X!.Length, q.X.Length));
            q.Y.AsSpan().CopyTo(share.AsSpan((2 * CoordinateLength) - q.Y!.Length, q.Y.Length));
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>The peer's point as a public key, or null and the reason it is not acceptable.</summary>
    private ECDiffieHellman? ImportPeer(ReadOnlySpan<byte> peerShare, out string? error)
    {
        error = null;
        if (peerShare.Length != 2 * CoordinateLength)
        {
            error = WrongLength(peerShare.Length, 2 * CoordinateLength, Layout);
            return null;
        }

        if (!peerShare.ContainsAnyExcept((byte)0))
        {
            error = $"the peer's {Name} share is all zeros, which is not a point on the curve " +
                "(the point at infinity has no encoding in IKEv2, RFC 5903 §7; RFC 6989 §2.3)";
            return null;
        }

        CurveFacts f = facts.Value;
        ReadOnlySpan<byte> x = peerShare[..CoordinateLength];
        ReadOnlySpan<byte> y = peerShare[CoordinateLength..];
        if (x.SequenceCompareTo(f.Prime) >= 0 || y.SequenceCompareTo(f.Prime) >= 0)
        {
            error = $"the peer's {Name} share has a coordinate that is not below the field prime (RFC 6989 §2.3)";
            return null;
        }

        try
        {
            return ECDiffieHellman.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
            });
        }
        catch (CryptographicException)
        {
            error = $"the peer's {Name} share is not a point on the curve (RFC 6989 §2.3)";
            return null;
        }
    }

    private KeyExchangeResult Agree(ECDiffieHellman own, ECDiffieHellman peer, ReadOnlyMemory<byte> responderShare)
    {
        byte[] x;
        try
        {
            using ECDiffieHellmanPublicKey peerKey = peer.PublicKey;
            x = own.DeriveRawSecretAgreement(peerKey);
        }
        catch (CryptographicException e)
        {
            // A valid point on a prime-order curve and a scalar in [1, n-1] cannot get here.
            return KeyExchangeResult.Fail($"the {Name} agreement failed: {e.Message}");
        }

        try
        {
            var secret = new SecretBytes(CoordinateLength);
            x.AsSpan().CopyTo(secret.Span[(CoordinateLength - x.Length)..]);
            return new KeyExchangeResult(secret, responderShare, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(x);
        }
    }

    /// <summary>The field prime and group order as fixed-length octets, asked of OpenSSL once per curve.</summary>
    private sealed record CurveFacts(byte[] Prime, byte[] Order)
    {
        public static CurveFacts Of(ECCurve curve, int coordinateLength)
        {
            using var probe = ECDiffieHellman.Create(curve);
            ECCurve explicitCurve = probe.ExportExplicitParameters(includePrivateParameters: false).Curve;
            byte[] prime = explicitCurve.Prime!;
            byte[] order = explicitCurve.Order!.AsSpan().TrimStart((byte)0).ToArray();
            if (prime.Length != coordinateLength)
            {
                throw new CryptographicException($"the curve's field is {prime.Length} octets, not {coordinateLength}");
            }

            return new CurveFacts(prime, order);
        }
    }

    private sealed class Initiator(EcpKeyExchange algorithm, ECDiffieHellman own, byte[] share) : IKeyExchangeInitiator
    {
        private bool disposed;

        public ReadOnlyMemory<byte> Share => share;

        public KeyExchangeResult Finish(ReadOnlySpan<byte> responderShare)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            using ECDiffieHellman? peer = algorithm.ImportPeer(responderShare, out string? error);
            return peer is null ? KeyExchangeResult.Fail(error!) : algorithm.Agree(own, peer, ReadOnlyMemory<byte>.Empty);
        }

        public void Dispose()
        {
            own.Dispose();
            disposed = true;
        }
    }
}
