using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Auth;

/// <summary>
/// The octets each side signs or MACs in IKE_AUTH (RFC 7296 §2.15):
/// <code>
/// InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
/// MACedIDForI           = prf(SK_pi, RestOfInitIDPayload)
/// ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR
/// MACedIDForR           = prf(SK_pr, RestOfRespIDPayload)
/// </code>
/// RealMessage1/2 are the IKE_SA_INIT request/response exactly as sent (header included), the
/// nonce data is the other side's Nonce payload body, and RestOf...IDPayload is the ID payload
/// without its generic header: ID Type, three reserved octets, identification data.
/// </summary>
public static class SignedOctets
{
    /// <summary>The initiator's octets: its IKE_SA_INIT request, Nr, prf(SK_pi, IDi').</summary>
    public static byte[] ForInitiator(IPrf prf, ReadOnlySpan<byte> skPi, ReadOnlySpan<byte> realMessage1, ReadOnlySpan<byte> nonceRData, IdPayload idi) =>
        Build(prf, skPi, realMessage1, nonceRData, RestOfIdPayload(idi));

    /// <summary>The responder's octets: its IKE_SA_INIT response, Ni, prf(SK_pr, IDr').</summary>
    public static byte[] ForResponder(IPrf prf, ReadOnlySpan<byte> skPr, ReadOnlySpan<byte> realMessage2, ReadOnlySpan<byte> nonceIData, IdPayload idr) =>
        Build(prf, skPr, realMessage2, nonceIData, RestOfIdPayload(idr));

    /// <summary>
    /// RealMessage | NonceData | prf(SK_p, RestOfIDPayload), for either role (RFC 7296 §2.15).
    /// </summary>
    public static byte[] Build(IPrf prf, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonceData, ReadOnlySpan<byte> restOfIdPayload)
    {
        byte[] octets = new byte[realMessage.Length + peerNonceData.Length + prf.OutputLength];
        realMessage.CopyTo(octets);
        peerNonceData.CopyTo(octets.AsSpan(realMessage.Length));
        prf.Compute(skP, restOfIdPayload, octets.AsSpan(realMessage.Length + peerNonceData.Length));
        return octets;
    }

    /// <summary>
    /// The ID payload body, "RestOfInitIDPayload" / "RestOfRespIDPayload" (RFC 7296 §2.15):
    /// ID Type, 3 reserved octets, identification data. The reserved octets are written as zero
    /// (RFC 7296 §3.5); <see cref="IdPayload"/> does not keep a peer's, so for a peer that set them
    /// the caller passes the received body to <see cref="Build"/> instead.
    /// </summary>
    public static byte[] RestOfIdPayload(IdPayload id)
    {
        byte[] body = new byte[id.BodyLength];
        id.WriteBody(body);
        return body;
    }
}
