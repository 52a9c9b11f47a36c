using System.Security.Cryptography;

namespace IkeSharp.Wire;

/// <summary>
/// Vendor IDs (RFC 7296 §3.12) that the common implementations send, for display. Most are the
/// MD5 of a vendor string, matched by prefix since some append a version.
/// </summary>
public static class KnownVendorIds
{
    private static readonly (byte[] Prefix, string Name)[] Table =
    [
        (MD5.HashData("strongSwan"u8), "strongSwan"),
        (MD5.HashData("Cisco Delete Reason"u8), "Cisco Delete Reason"),
        (MD5.HashData("CISCO-DYNAMIC-ROUTE"u8), "Cisco Dynamic Route"),
        (MD5.HashData("FRAGMENTATION"u8), "Cisco Fragmentation"),
        (MD5.HashData("MS NT5 ISAKMPOAKLEY"u8), "Microsoft Windows"),
    ];

    public static string? Identify(ReadOnlySpan<byte> vendorId)
    {
        foreach ((byte[] prefix, string name) in Table)
        {
            if (vendorId.StartsWith(prefix))
            {
                return name;
            }
        }

        return null;
    }
}
