using IkeSharp.Core.Policy;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Daemon.Tun;

/// <summary>
/// The TUN device's MTU: the largest inner packet whose ESP-in-UDP packet still fits the path MTU,
/// for the worst of the configured ESP proposals, so that the host's stack (TCP's MSS, PMTU
/// discovery) sizes packets that are never fragmented after encryption.
/// </summary>
/// <remarks>
/// An outer packet carrying an inner packet of L octets (RFC 4303 §2, RFC 3948 §2.1):
/// <code>
/// outer IP header (20, or 40 for IPv6) | UDP header (8) | SPI (4) | Sequence Number (4) | IV |
/// L | padding to the cipher's block size, at least 4-octet aligned (§2.4) | Pad Length (1) | Next Header (1) | ICV
/// </code>
/// so the largest L is: the path MTU less IP, UDP, 8 and the IV, less the ICV, rounded down to
/// the alignment, less the 2 trailer octets. UDP is counted even where plain ESP would do, since
/// a NAT found later (or encap = yes) moves the SA into UDP.
/// </remarks>
public static class TunMtu
{
    public const int DefaultPathMtu = 1500;

    /// <summary>The smallest MTU an IPv4 link may have (RFC 791 §3.2, Linux's ETH_MIN_MTU).</summary>
    public const int MinimumMtu = 68;

    /// <summary>The largest inner packet for one combination of ciphers; 0 when nothing fits.</summary>
    public static int MaxInnerLength(int pathMtu, bool ipv6Outer, int ivLength, int blockSize, int icvLength)
    {
        int esp = pathMtu - (ipv6Outer ? 40 : 20) - 8;
        int alignment = Math.Max(4, blockSize);
        int ciphertext = esp - 8 - ivLength - icvLength;
        ciphertext -= ciphertext % alignment;
        return Math.Max(0, ciphertext - 2);
    }

    /// <summary>The largest inner packet for every encryption and integrity alternative of one ESP proposal (RFC 7296 §3.3: several transforms of a type are alternatives).</summary>
    public static int MaxInnerLength(int pathMtu, bool ipv6Outer, IReadOnlyList<Transform> proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        int worst = int.MaxValue;
        List<IIntegrityAlgorithm> integrities = [.. proposal
            .Where(t => t.Type == TransformType.Integrity && (IntegrityAlgorithm)t.Id != IntegrityAlgorithm.None)
            .Select(t => AlgorithmRegistry.Default.Integrity((IntegrityAlgorithm)t.Id))
            .OfType<IIntegrityAlgorithm>()];
        foreach (Transform t in proposal.Where(t => t.Type == TransformType.Encryption))
        {
            if (AlgorithmRegistry.Default.EspEncryption((EncryptionAlgorithm)t.Id, t.KeyLength ?? 0) is not { } encryption)
            {
                continue;
            }

            if (encryption.IsAead || integrities.Count == 0)
            {
                worst = Math.Min(worst, MaxInnerLength(pathMtu, ipv6Outer, encryption.IvLength, encryption.BlockSize, encryption.IcvLength));
                continue;
            }

            foreach (IIntegrityAlgorithm integrity in integrities)
            {
                worst = Math.Min(worst, MaxInnerLength(pathMtu, ipv6Outer, encryption.IvLength, encryption.BlockSize, integrity.IcvLength));
            }
        }

        return worst;
    }

    /// <summary>
    /// The MTU for every child of every connection: the smallest largest-inner-packet over their
    /// ESP proposals, with a 40-octet outer header for connections that may run over IPv6 (an IPv6
    /// address, or none given). <see cref="TunInterface.DefaultMtu"/> when no proposal is known.
    /// </summary>
    public static int For(IEnumerable<ConnectionConfig> connections, int pathMtu = DefaultPathMtu)
    {
        ArgumentNullException.ThrowIfNull(connections);
        int worst = int.MaxValue;
        foreach (ConnectionConfig c in connections)
        {
            bool ipv6 = c.RemoteAddrs.Count == 0 || c.RemoteAddrs.Any(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                || c.LocalAddrs.Any(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
            foreach (ChildConfig child in c.Children)
            {
                foreach (IReadOnlyList<Transform> proposal in child.EspProposals)
                {
                    worst = Math.Min(worst, MaxInnerLength(pathMtu, ipv6, proposal));
                }
            }
        }

        return worst == int.MaxValue ? pathMtu - (DefaultPathMtu - TunInterface.DefaultMtu) : Math.Max(MinimumMtu, worst);
    }
}
