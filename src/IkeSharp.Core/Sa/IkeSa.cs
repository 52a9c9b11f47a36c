using System.Net;
using IkeSharp.Core.Exchanges;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Reliability;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Sa;

/// <summary>The life of an IKE SA (RFC 7296 §1.2, §1.4).</summary>
public enum IkeSaState
{
    /// <summary>IKE_SA_INIT in progress: no keys yet.</summary>
    Connecting,
    /// <summary>Keys derived, IKE_AUTH in progress.</summary>
    Authenticating,
    Established,
    /// <summary>A Delete is in flight; nothing new starts.</summary>
    Deleting,
    Dead,
}

/// <summary>
/// One IKE SA: its SPIs and endpoints, state, the two Message ID windows, the keys and SK
/// protection each way, the queued exchanges it will start, and its Child SAs. Driven by one
/// logical thread (the engine), so it needs no locks.
/// </summary>
internal sealed class IkeSa : IDisposable
{
    public IkeSa(ConnectionConfig config, bool isInitiator, ulong spiI, ulong spiR, IPEndPoint local, IPEndPoint remote, RetransmissionSchedule schedule)
    {
        Config = config;
        IsInitiator = isInitiator;
        SpiI = spiI;
        SpiR = spiR;
        Local = local;
        Remote = remote;
        InitialRemote = remote;
        Requests = new InitiatorWindow(schedule);
    }

    public ConnectionConfig Config { get; }

    /// <summary>True when we are the original initiator (RFC 7296 §2.2), which decides SK_ei vs SK_er.</summary>
    public bool IsInitiator { get; }

    public ulong SpiI { get; set; }

    public ulong SpiR { get; set; }

    public ulong LocalSpi => IsInitiator ? SpiI : SpiR;

    public IPEndPoint Local { get; set; }

    public IPEndPoint Remote { get; set; }

    /// <summary>Where the IKE SA began, before any float to 4500 or address change.</summary>
    public IPEndPoint InitialRemote { get; }

    public IkeSaState State { get; set; } = IkeSaState.Connecting;

    public InitiatorWindow Requests { get; }

    public ResponderWindow Responses { get; } = new();

    /// <summary>Exchanges waiting for the request window (RFC 7296 §2.3: window size 1).</summary>
    public Queue<PendingExchange> Pending { get; } = new();

    /// <summary>The exchange whose request is outstanding.</summary>
    public PendingExchange? Active { get; set; }

    // ---- IKE_SA_INIT material, kept for IKE_AUTH (RFC 7296 §2.15 signs the INIT messages) ----

    public byte[] Ni { get; set; } = [];

    public byte[] Nr { get; set; } = [];

    public byte[] InitRequest { get; set; } = [];

    public byte[] InitResponse { get; set; } = [];

    public Proposal? Proposal { get; set; }

    public IPrf? Prf { get; set; }

    public IkeSaKeys? Keys { get; set; }

    /// <summary>Protects what we send (SK_ei/SK_ai when initiator).</summary>
    public SkPayloadProtection? Outbound { get; set; }

    /// <summary>Opens what the peer sends.</summary>
    public SkPayloadProtection? Inbound { get; set; }

    /// <summary>Either side is behind a NAT (RFC 7296 §2.23), or encapsulation is forced: use UDP 4500.</summary>
    public bool UseNatT { get; set; }

    /// <summary>Our side is behind a NAT (or pretends to be, with encap): we send NAT-keepalives.</summary>
    public bool LocalBehindNat { get; set; }

    /// <summary>The hashes the peer announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4); empty when it sent none.</summary>
    public IReadOnlyList<Wire.HashAlgorithm> PeerSignatureHashes { get; set; } = [];

    /// <summary>The CA hashes of the peer's CERTREQ payloads (RFC 7296 §3.7): which of our certificates it trusts.</summary>
    public List<ReadOnlyMemory<byte>> PeerCertificateRequests { get; } = [];

    public string LocalId { get; set; } = "";

    public string RemoteId { get; set; } = "";

    public List<ChildSa> Children { get; } = [];

    public long LastInbound { get; set; }

    public long EstablishedAt { get; set; }

    /// <summary>Our rekey of this IKE SA, in flight or done.</summary>
    public IkeRekeyTask? OurIkeRekey { get; set; }

    /// <summary>The peer's rekey of this IKE SA that we answered: with <see cref="OurIkeRekey"/>, a collision (§2.8.2).</summary>
    public IkeRekeyTask? TheirIkeRekey { get; set; }

    /// <summary>Start (engine clock) of the current 10 s window of the peer's INFORMATIONAL requests, and how many came in it.</summary>
    public long InformationalWindowStart { get; set; }

    public int InformationalCount { get; set; }

    /// <summary>Counted among the responder's half-open SAs (RFC 7296 §2.6 thresholds).</summary>
    public bool CountedHalfOpen { get; set; }

    /// <summary>A newer IKE SA has taken over (§2.18): this one only waits to be deleted.</summary>
    public bool Rekeyed { get; set; }

    /// <summary>The PSK AUTH and the IDs: set by IKE_AUTH.</summary>
    public bool Authenticated { get; set; }

    /// <summary>
    /// Once IKE_AUTH is done, the IKE_SA_INIT messages and nonces have served (they are signed in
    /// AUTH, §2.15, and key the first Child SA, §2.17); later exchanges bring their own nonces
    /// (§1.3). Dropping them saves ~700 octets per IKE SA. SK_pi/SK_pr have served too (§2.15).
    /// </summary>
    public void ReleaseInitMaterial()
    {
        InitRequest = [];
        InitResponse = [];
        Ni = [];
        Nr = [];
        Keys?.ReleaseAuthKeys();
    }

    public void Dispose()
    {
        Keys?.Dispose();
        Outbound?.Dispose();
        Inbound?.Dispose();
        foreach (ChildSa child in Children)
        {
            child.Dispose();
        }

        State = IkeSaState.Dead;
    }
}

/// <summary>An exchange we will start: its type and tasks, in order.</summary>
internal sealed record PendingExchange(ExchangeType Exchange, IReadOnlyList<IExchangeTask> Tasks);

/// <summary>A Child SA as the engine tracks it; the data plane got its keys in <c>ChildSaInstalled</c>.</summary>
internal sealed class ChildSa(ChildConfig config, uint spiIn, uint spiOut, IReadOnlyList<TrafficSelector> localTs, IReadOnlyList<TrafficSelector> remoteTs, long createdAt) : IDisposable
{
    public ChildConfig Config { get; } = config;

    public uint SpiIn { get; } = spiIn;

    public uint SpiOut { get; } = spiOut;

    public IReadOnlyList<TrafficSelector> LocalTs { get; } = localTs;

    public IReadOnlyList<TrafficSelector> RemoteTs { get; } = remoteTs;

    public long CreatedAt { get; } = createdAt;

    /// <summary>A rekey of this Child SA is in flight or done; it will be deleted (RFC 7296 §2.8).</summary>
    public bool Rekeyed { get; set; }

    /// <summary>Our own rekey of this Child SA, in flight or done.</summary>
    public ChildCreateTask? OurRekey { get; set; }

    /// <summary>The peer's rekey of this Child SA that we answered: with <see cref="OurRekey"/>, a collision (§2.8.1).</summary>
    public ChildCreateTask? TheirRekey { get; set; }

    public void Dispose()
    {
    }
}
