namespace IkeSharp.Wire;

/// <summary>The two roles of RFC 7296 §1.2: which end started the IKE SA (or sent the IDi/TSi payload).</summary>
public enum IkeRole : byte
{
    Initiator,
    Responder,
}
