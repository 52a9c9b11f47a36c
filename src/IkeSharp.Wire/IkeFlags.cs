namespace IkeSharp.Wire;

/// <summary>IKE header flags (RFC 7296 §3.1). Bits other than these are reserved and kept as received.</summary>
[Flags]
public enum IkeFlags : byte
{
    None = 0,
    /// <summary>I (Initiator): set by the original initiator of the IKE SA.</summary>
    Initiator = 0x08,
    /// <summary>V (Version): the sender can speak a higher major version.</summary>
    Version = 0x10,
    /// <summary>R (Response): this message answers one with the same Message ID.</summary>
    Response = 0x20,
}
