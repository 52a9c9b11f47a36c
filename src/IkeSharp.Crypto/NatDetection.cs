using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP data (RFC 7296 §2.23):
/// SHA-1(SPIi | SPIr | IP address | port), with SPIr zero in the IKE_SA_INIT request.
/// </summary>
public static class NatDetection
{
    public const int HashLength = 20;

    public static byte[] ComputeHash(ulong initiatorSpi, ulong responderSpi, IPEndPoint endpoint)
    {
        Span<byte> input = stackalloc byte[8 + 8 + 16 + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, initiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(input.Slice(8), responderSpi);
        endpoint.Address.TryWriteBytes(input.Slice(16), out int addressLength);
        BinaryPrimitives.WriteUInt16BigEndian(input.Slice(16 + addressLength), (ushort)endpoint.Port);
#pragma warning disable CA5350 // RFC 7296 §2.23 fixes SHA-1 here; it is an address fingerprint, not a signature.
        return SHA1.HashData(input.Slice(0, 16 + addressLength + 2));
#pragma warning restore CA5350
    }

    /// <summary>True when <paramref name="received"/> matches the hash of <paramref name="endpoint"/>, compared in constant time.</summary>
    public static bool Matches(ReadOnlySpan<byte> received, ulong initiatorSpi, ulong responderSpi, IPEndPoint endpoint) =>
        CryptographicOperations.FixedTimeEquals(received, ComputeHash(initiatorSpi, responderSpi, endpoint));
}
