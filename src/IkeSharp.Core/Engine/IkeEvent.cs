using System.Net;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto.KeySchedule;

namespace IkeSharp.Core.Engine;

/// <summary>Something the engine reports to its owner (the daemon, a test, a load generator).</summary>
public abstract record IkeEvent(long Time, string Connection);

/// <summary>An IKE SA finished IKE_AUTH (RFC 7296 §1.2): both peers authenticated.</summary>
public sealed record IkeSaEstablished(long Time, string Connection, ulong SpiI, ulong SpiR, bool IsInitiator, string Proposal, string LocalId, string RemoteId, IPEndPoint Local, IPEndPoint Remote)
    : IkeEvent(Time, Connection);

/// <summary>
/// A Child SA is ready for the data plane: SPIs, mode, algorithms, keys (owned by the receiver,
/// who disposes them), selectors, endpoints and encapsulation.
/// </summary>
public sealed record ChildSaInstalled(
    long Time,
    string Connection,
    string Child,
    uint SpiIn,
    uint SpiOut,
    IpsecMode Mode,
    string Proposal,
    EncryptionAlgorithm Encryption,
    int EncryptionKeyBits,
    IntegrityAlgorithm Integrity,
    bool Esn,
    SecretBytes EncryptionKeyIn,
    SecretBytes IntegrityKeyIn,
    SecretBytes EncryptionKeyOut,
    SecretBytes IntegrityKeyOut,
    IReadOnlyList<Wire.Payloads.TrafficSelector> LocalTs,
    IReadOnlyList<Wire.Payloads.TrafficSelector> RemoteTs,
    IPEndPoint Local,
    IPEndPoint Remote,
    bool UdpEncapsulation) : IkeEvent(Time, Connection)
{
    /// <summary>Byte and packet limits for the data plane to watch; it reports them with <c>ChildSaLimitReached</c>.</summary>
    public ChildSaLimits Limits { get; init; } = ChildSaLimits.None;
}

/// <summary>
/// rekey_bytes/rekey_packets (soft: rekey) and life_bytes/life_packets (hard: delete) of a Child SA,
/// counted per direction as RFC 4301 §4.4.2.1 says; zero means no limit.
/// </summary>
public sealed record ChildSaLimits(ulong SoftBytes, ulong SoftPackets, ulong HardBytes, ulong HardPackets)
{
    public static ChildSaLimits None { get; } = new(0, 0, 0, 0);

    /// <summary>0 below every limit, 1 past a soft one, 2 past a hard one.</summary>
    public int Check(ulong bytes, ulong packets) =>
        (HardBytes > 0 && bytes >= HardBytes) || (HardPackets > 0 && packets >= HardPackets) ? 2
        : (SoftBytes > 0 && bytes >= SoftBytes) || (SoftPackets > 0 && packets >= SoftPackets) ? 1
        : 0;
}

public sealed record ChildSaDeleted(long Time, string Connection, string Child, uint SpiIn, uint SpiOut, string Reason) : IkeEvent(Time, Connection)
{
    /// <summary>Who or what closed it; the owner's close_action and dpd_action act on this.</summary>
    public SaCloseCause Cause { get; init; }
}

public sealed record IkeSaDeleted(long Time, string Connection, ulong SpiI, ulong SpiR, string Reason) : IkeEvent(Time, Connection)
{
    public SaCloseCause Cause { get; init; }
}

/// <summary>Why an SA went, in the terms swanctl.conf's close_action and dpd_action use.</summary>
public enum SaCloseCause
{
    /// <summary>We deleted it: a command, a lifetime, a shutdown.</summary>
    Local,
    /// <summary>The peer sent a Delete for it (RFC 7296 §1.4.1): close_action applies.</summary>
    Peer,
    /// <summary>The peer stopped answering (RFC 7296 §2.4): dpd_action applies.</summary>
    DeadPeer,
    /// <summary>Replaced by a rekeyed SA (§2.8) or a newer one of the same identity (§2.4 INITIAL_CONTACT, unique).</summary>
    Replaced,
    /// <summary>It never completed: a failed negotiation or authentication, a half-open timeout.</summary>
    Failed,
}

/// <summary>Authentication failed, ours or the peer's; nothing was installed.</summary>
public sealed record AuthFailed(long Time, string Connection, string Reason) : IkeEvent(Time, Connection);

/// <summary>A negotiation failed for a reason a person can act on (proposals, selectors, IDs).</summary>
public sealed record NegotiationFailed(long Time, string Connection, string Reason) : IkeEvent(Time, Connection);

/// <summary>A Child SA was replaced by a new one (RFC 7296 §2.8); the old one is deleted next.</summary>
public sealed record ChildSaRekeyed(long Time, string Connection, string Child, uint OldSpiIn, uint OldSpiOut, uint NewSpiIn, uint NewSpiOut) : IkeEvent(Time, Connection);

/// <summary>The IKE SA was replaced by a new one with new SPIs and keys; its Child SAs moved over (RFC 7296 §2.18).</summary>
public sealed record IkeSaRekeyed(long Time, string Connection, ulong OldSpiI, ulong OldSpiR, ulong NewSpiI, ulong NewSpiR) : IkeEvent(Time, Connection);

/// <summary>
/// An IKE SA's encryption and integrity keys, raised only with EngineOptions.ExportKeys, as soon
/// as IKE_SA_INIT (or an IKE SA rekey) derives them, so even a failed IKE_AUTH can be decrypted.
/// </summary>
public sealed record IkeSaKeysExported(long Time, string Connection, ulong SpiI, ulong SpiR, EncryptionAlgorithm Encryption, int EncryptionKeyBits, IntegrityAlgorithm Integrity,
    byte[] SkEi, byte[] SkEr, byte[] SkAi, byte[] SkAr) : IkeEvent(Time, Connection)
{
    /// <summary>Never prints the keys.</summary>
    public override string ToString() => $"IkeSaKeysExported {{ Connection = {Connection}, SpiI = {SpiI:x16}, SpiR = {SpiR:x16} }}";
}
