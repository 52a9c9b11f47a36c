using System.Security.Cryptography;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// AUTH with a shared key (RFC 7296 §2.15):
/// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), &lt;SignedOctets&gt;), where the signed octets
/// are the sender's IKE_SA_INIT message, the peer's nonce and prf(SK_p, the sender's ID payload body).
/// </summary>
internal static class PskAuthentication
{
    private static ReadOnlySpan<byte> KeyPad => "Key Pad for IKEv2"u8;

    public static byte[] SignedOctets(IPrf prf, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> skP, IdPayload id)
    {
        byte[] idBody = new byte[id.BodyLength];
        id.WriteBody(idBody);
        byte[] octets = new byte[realMessage.Length + peerNonce.Length + prf.OutputLength];
        realMessage.CopyTo(octets);
        peerNonce.CopyTo(octets.AsSpan(realMessage.Length));
        prf.Compute(skP, idBody, octets.AsSpan(realMessage.Length + peerNonce.Length));
        return octets;
    }

    public static byte[] Compute(IPrf prf, ReadOnlySpan<byte> sharedKey, ReadOnlySpan<byte> signedOctets)
    {
        byte[] padded = new byte[prf.OutputLength];
        byte[] auth = new byte[prf.OutputLength];
        prf.Compute(sharedKey, KeyPad, padded);
        prf.Compute(padded, signedOctets, auth);
        CryptographicOperations.ZeroMemory(padded);
        return auth;
    }

    public static bool Verify(IPrf prf, ReadOnlySpan<byte> sharedKey, ReadOnlySpan<byte> signedOctets, ReadOnlySpan<byte> received) =>
        CryptographicOperations.FixedTimeEquals(Compute(prf, sharedKey, signedOctets), received);
}
