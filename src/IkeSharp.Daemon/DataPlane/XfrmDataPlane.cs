using IkeSharp.Daemon.Tun;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.DataPlane;

/// <summary>
/// ESP in the Linux kernel (dataplane = "xfrm"): each Child SA becomes policies (out, in, fwd) with
/// a tunnel-mode template and two SAs in the kernel's databases, as strongSwan's kernel-netlink
/// plugin does. AEAD algorithms only (rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305)). A kernel
/// without ESP refuses the SAs; the policies are then taken back and the reason is reported.
/// </summary>
public sealed class XfrmDataPlane(ILogger log) : IDataPlane
{
    private readonly XfrmNetlink xfrm = new();
    private readonly Dictionary<uint, ChildSaInstalled> installed = [];
    private uint nextReqid = 1;

    public string Name => "xfrm";

    public void Install(ChildSaInstalled sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        using (sa.EncryptionKeyIn)
        using (sa.EncryptionKeyOut)
        using (sa.IntegrityKeyIn)
        using (sa.IntegrityKeyOut)
        {
            (string name, int icvBits) = KernelAead(sa.Encryption)
                ?? throw new NotSupportedException($"the xfrm data plane installs AEAD Child SAs only (aes*gcm*, chacha20poly1305), not {sa.Encryption.ToIanaName()}; use dataplane = \"userspace\"");
            uint reqid = nextReqid++;
            var added = new List<(TrafficSelector, TrafficSelector, XfrmNetlink.Direction)>();
            try
            {
                foreach (TrafficSelector local in sa.LocalTs)
                {
                    foreach (TrafficSelector remote in sa.RemoteTs)
                    {
                        xfrm.AddPolicy(local, remote, XfrmNetlink.Direction.Out, sa.Local.Address, sa.Remote.Address, reqid);
                        added.Add((local, remote, XfrmNetlink.Direction.Out));
                        xfrm.AddPolicy(remote, local, XfrmNetlink.Direction.In, sa.Remote.Address, sa.Local.Address, reqid);
                        added.Add((remote, local, XfrmNetlink.Direction.In));
                        xfrm.AddPolicy(remote, local, XfrmNetlink.Direction.Forward, sa.Remote.Address, sa.Local.Address, reqid);
                        added.Add((remote, local, XfrmNetlink.Direction.Forward));
                    }
                }

                xfrm.AddSa(sa.SpiIn, sa.Remote.Address, sa.Local.Address, name, sa.EncryptionKeyIn.ReadOnlySpan, icvBits, reqid, sa.UdpEncapsulation, sa.Remote.Port, sa.Local.Port);
                xfrm.AddSa(sa.SpiOut, sa.Local.Address, sa.Remote.Address, name, sa.EncryptionKeyOut.ReadOnlySpan, icvBits, reqid, sa.UdpEncapsulation, sa.Local.Port, sa.Remote.Port);
            }
            catch (IOException e)
            {
                foreach ((TrafficSelector s, TrafficSelector d, XfrmNetlink.Direction dir) in added)
                {
                    TryDelete(() => xfrm.DeletePolicy(s, d, dir));
                }

                TryDelete(() => xfrm.DeleteSa(sa.SpiIn, sa.Local.Address));
                throw new InvalidOperationException($"{e.Message}; a kernel without ESP (CONFIG_INET_ESP) cannot carry this Child SA: use dataplane = \"userspace\"", e);
            }

            installed[sa.SpiIn] = sa;
        }
    }

    private void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException e)
        {
            log.LogDebug("xfrm cleanup: {Reason}", e.Message);
        }
    }

    /// <summary>The kernel's crypto API name and ICV length for an AEAD transform (RFC 4106, RFC 7634).</summary>
    public static (string Name, int IcvBits)? KernelAead(EncryptionAlgorithm algorithm) => algorithm switch
    {
        EncryptionAlgorithm.AesGcm8 => ("rfc4106(gcm(aes))", 64),
        EncryptionAlgorithm.AesGcm12 => ("rfc4106(gcm(aes))", 96),
        EncryptionAlgorithm.AesGcm16 => ("rfc4106(gcm(aes))", 128),
        EncryptionAlgorithm.Chacha20Poly1305 => ("rfc7539esp(chacha20,poly1305)", 128),
        _ => null,
    };

    public void Remove(uint spiIn)
    {
        if (!installed.Remove(spiIn, out ChildSaInstalled? sa))
        {
            return;
        }

        foreach (TrafficSelector local in sa.LocalTs)
        {
            foreach (TrafficSelector remote in sa.RemoteTs)
            {
                TryDelete(() => xfrm.DeletePolicy(local, remote, XfrmNetlink.Direction.Out));
                TryDelete(() => xfrm.DeletePolicy(remote, local, XfrmNetlink.Direction.In));
                TryDelete(() => xfrm.DeletePolicy(remote, local, XfrmNetlink.Direction.Forward));
            }
        }

        TryDelete(() => xfrm.DeleteSa(sa.SpiIn, sa.Local.Address));
        TryDelete(() => xfrm.DeleteSa(sa.SpiOut, sa.Remote.Address));
    }

    /// <summary>The kernel takes ESP itself; nothing arrives here.</summary>
    public void HandleEsp(ReadOnlySpan<byte> esp, IPEndPoint local, SocketAddress remote)
    {
    }

    /// <summary>Counters live in the kernel (XFRM_MSG_GETSA); not read yet.</summary>
    public ChildSaCounters Counters(uint spiIn) => default;

    public void Dispose() => xfrm.Dispose();
}
