namespace IkeSharp.Daemon.DataPlane;

/// <summary>
/// Where Child SAs go once the engine installs them: the userspace ESP path over a TUN device, the
/// kernel's XFRM, or nothing (control plane only, for the demo and tests of IKE alone).
/// </summary>
public interface IDataPlane : IDisposable
{
    /// <summary>A short name for logs and status: "userspace", "xfrm", "none".</summary>
    string Name { get; }

    /// <summary>Installs both directions of a Child SA; the data plane owns and disposes the keys.</summary>
    void Install(ChildSaInstalled sa);

    /// <summary>Removes a Child SA (both directions) by its inbound SPI.</summary>
    void Remove(uint spiIn);

    /// <summary>An ESP packet that arrived, in UDP 4500 (RFC 3948) or as IP protocol 50, from <paramref name="remote"/>.</summary>
    void HandleEsp(ReadOnlySpan<byte> esp, IPEndPoint local, SocketAddress remote);

    /// <summary>Traffic counters of a Child SA, or zeros when unknown.</summary>
    ChildSaCounters Counters(uint spiIn);

    /// <summary>The end of a batch of received ESP: packets kept to be merged go to the host now.</summary>
    void FlushInbound()
    {
    }

    /// <summary>The NAT-T ports should use UDP GSO and GRO (the userspace data plane on an offloading TUN device).</summary>
    bool UdpOffload => false;
}

/// <summary>Octets and packets through a Child SA, each direction (RFC 4303 §3.4.3's lifetime accounting uses them too).</summary>
public readonly record struct ChildSaCounters(ulong BytesIn, ulong PacketsIn, ulong BytesOut, ulong PacketsOut);

/// <summary>No data plane: Child SAs are negotiated but carry nothing.</summary>
public sealed class NullDataPlane : IDataPlane
{
    public string Name => "none";

    public void Install(ChildSaInstalled sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        sa.EncryptionKeyIn.Dispose();
        sa.EncryptionKeyOut.Dispose();
        sa.IntegrityKeyIn.Dispose();
        sa.IntegrityKeyOut.Dispose();
    }

    public void Remove(uint spiIn)
    {
    }

    public void HandleEsp(ReadOnlySpan<byte> esp, IPEndPoint local, SocketAddress remote)
    {
    }

    public ChildSaCounters Counters(uint spiIn) => default;

    public void Dispose()
    {
    }
}

/// <summary>How the userspace data plane sends ESP: in UDP from our NAT-T port (RFC 3948), or as IP protocol 50.</summary>
public interface IEspTransport
{
    /// <summary>Sends from our port <paramref name="local"/> to <paramref name="remote"/> (kept in socket form by the caller, so nothing is allocated).</summary>
    bool SendUdp(IPEndPoint local, SocketAddress remote, ReadOnlySpan<byte> esp);

    /// <summary>Sends every datagram of <paramref name="batch"/> from our port <paramref name="local"/> (sendmmsg(2)); returns how many left.</summary>
    int SendUdp(IPEndPoint local, Transport.DatagramBatch batch);

    /// <summary>False when plain ESP is not available (no raw socket: not root). <paramref name="remote"/> has port 0.</summary>
    bool SendRaw(SocketAddress remote, ReadOnlySpan<byte> esp);
}
