using System.Security.Cryptography;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// Shared Key Message Integrity Code, AUTH method 2 (RFC 7296 §2.15):
/// <code>
/// AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;InitiatorSignedOctets&gt;)
/// AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;ResponderSignedOctets&gt;)
/// </code>
/// The pad string is 17 ASCII octets without a terminating NUL. The same formula with the EAP
/// MSK in place of the shared secret authenticates the IKE_AUTH messages after EAP (§2.16).
/// </summary>
public static class SharedKeyMic
{
    /// <summary>"Key Pad for IKEv2", 17 octets, no NUL (RFC 7296 §2.15).</summary>
    public static ReadOnlySpan<byte> KeyPad => "Key Pad for IKEv2"u8;

    /// <summary>prf(prf(secret, "Key Pad for IKEv2"), signedOctets).</summary>
    public static byte[] Compute(IPrf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> signedOctets)
    {
        byte[] mic = new byte[prf.OutputLength];
        Span<byte> padKey = stackalloc byte[prf.OutputLength];
        try
        {
            prf.Compute(sharedSecret, KeyPad, padKey);
            prf.Compute(padKey, signedOctets, mic);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padKey);
        }

        return mic;
    }

    /// <summary>
    /// Checks a received AUTH value in constant time (CryptographicOperations.FixedTimeEquals).
    /// A length that differs from the PRF's output fails without comparing.
    /// </summary>
    public static AuthResult Verify(IPrf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> signedOctets, ReadOnlySpan<byte> receivedAuth)
    {
        if (receivedAuth.Length != prf.OutputLength)
        {
            return AuthResult.Fail($"shared key MIC has {receivedAuth.Length} octets; {prf.Id.ToIanaName()} gives {prf.OutputLength}");
        }

        byte[] expected = Compute(prf, sharedSecret, signedOctets);
        bool equal = CryptographicOperations.FixedTimeEquals(expected, receivedAuth);
        CryptographicOperations.ZeroMemory(expected);
        return equal ? AuthResult.Success : AuthResult.Fail("shared key MIC does not match: the peer used another pre-shared key or computed other signed octets");
    }

    /// <summary>An AUTH payload with method 2 over <paramref name="signedOctets"/>.</summary>
    public static AuthPayload CreatePayload(IPrf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> signedOctets) =>
        new(AuthMethod.SharedKeyMessageIntegrityCode, Compute(prf, sharedSecret, signedOctets));

    /// <summary>Verifies a received AUTH payload, which must use method 2.</summary>
    public static AuthResult VerifyPayload(IPrf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> signedOctets, AuthPayload received)
    {
        if (received.Method != AuthMethod.SharedKeyMessageIntegrityCode)
        {
            return AuthResult.Fail($"expected AUTH method {AuthMethod.SharedKeyMessageIntegrityCode.ToIanaName()}, the peer used {received.Method.ToIanaName()}");
        }

        return Verify(prf, sharedSecret, signedOctets, received.Data.Span);
    }

    /// <summary>
    /// The whole check of a peer's PSK AUTH payload from what an IKE_AUTH exchange has at hand
    /// (RFC 7296 §2.15): its IKE_SA_INIT message as sent, our nonce, its SK_p (SK_pi when the
    /// peer is the initiator, SK_pr when it is the responder), its decrypted ID payload and AUTH.
    /// </summary>
    public static AuthResult VerifyPeer(IPrf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> peerSkP, ReadOnlySpan<byte> peerRealMessage,
        ReadOnlySpan<byte> ourNonceData, IdPayload peerId, AuthPayload peerAuth)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        ArgumentNullException.ThrowIfNull(peerAuth);
        byte[] octets = SignedOctets.Build(prf, peerSkP, peerRealMessage, ourNonceData, SignedOctets.RestOfIdPayload(peerId));
        AuthResult result = VerifyPayload(prf, sharedSecret, octets, peerAuth);
        return result.Succeeded ? result : AuthResult.Fail($"{result.FailureReason} (peer {peerId})");
    }

    /// <summary>
    /// The secret that keys the AUTH of the IKE_AUTH messages after EAP (RFC 7296 §2.16): the MSK
    /// when the EAP method produced one, otherwise SK_pi (initiator) or SK_pr (responder).
    /// The result is a view of one of the inputs; nothing is copied.
    /// </summary>
    public static ReadOnlySpan<byte> EapSecret(ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skP) => msk.IsEmpty ? skP : msk;

    /// <summary>AUTH after EAP (RFC 7296 §2.16): <see cref="Compute"/> keyed with <see cref="EapSecret"/>.</summary>
    public static byte[] ComputeAfterEap(IPrf prf, ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> signedOctets) =>
        Compute(prf, EapSecret(msk, skP), signedOctets);

    /// <summary>Checks AUTH after EAP (RFC 7296 §2.16) in constant time.</summary>
    public static AuthResult VerifyAfterEap(IPrf prf, ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> signedOctets, ReadOnlySpan<byte> receivedAuth) =>
        Verify(prf, EapSecret(msk, skP), signedOctets, receivedAuth);
}
