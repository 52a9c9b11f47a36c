using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;

namespace IkeSharp.Core.Exchanges;

/// <summary>What tasks may use of the engine: injected randomness, algorithms, credentials, the clock reading, and the event queue.</summary>
internal sealed class EngineContext(IRandomSource random, IAlgorithmProvider algorithms, ICredentialStore credentials, Queue<IkeEvent> events)
{
    public IRandomSource Random { get; } = random;

    public IAlgorithmProvider Algorithms { get; } = algorithms;

    public ICredentialStore Credentials { get; set; } = credentials;

    public long Now { get; set; }

    /// <summary>Liveness checks, rekeys and expiries, counted where they happen.</summary>
    public EngineCounters Counters { get; } = new();

    /// <summary>Raise <c>IkeSaKeysExported</c> for every IKE SA's keys (EngineOptions.ExportKeys).</summary>
    public bool ExportKeys { get; init; }

    /// <summary>Calendar time for certificate validity (EngineOptions.CalendarClock).</summary>
    public TimeProvider CalendarClock { get; init; } = TimeProvider.System;

    /// <summary>Peer certificate paths already validated, so a peer's next IKE SA is not validated again (cleared on a reload).</summary>
    public IkeSharp.Crypto.Auth.ValidatedChainCache ValidatedChains { get; } = new();

    /// <summary>CERTREQ CA identifiers of the configured certificates, hashed once (cleared on a reload).</summary>
    public IkeSharp.Crypto.Auth.CertificateAuthorityHashes AuthorityHashes { get; } = new();

    /// <summary>Inbound SPIs of every live Child SA, so a new one is never a duplicate (RFC 4303 §2.1).</summary>
    public HashSet<uint> ChildSpisInUse { get; } = [];

    /// <summary>The responder's reused key exchange values (EngineOptions.KeyExchangeReuseTime; off by default).</summary>
    public ResponderKeyReuse KeyReuse { get; init; } = new(TimeSpan.Zero);

    public void Raise(IkeEvent e) => events.Enqueue(e);

    public byte[] RandomBytes(int length)
    {
        byte[] b = new byte[length];
        Random.Fill(b);
        return b;
    }

    public uint RandomSpi()
    {
        Span<byte> b = stackalloc byte[4];
        do
        {
            Random.Fill(b);
        }
        while (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b) < 256   // SPIs 1..255 are reserved (RFC 4303 §2.1)
            || ChildSpisInUse.Contains(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b)));

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b);
    }
}
