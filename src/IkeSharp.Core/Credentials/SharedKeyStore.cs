namespace IkeSharp.Core.Credentials;

/// <summary>PSKs in memory, each for a set of identities (swanctl.conf secrets.ike-NAME).</summary>
public class SharedKeyStore : ICredentialStore
{
    private readonly List<(HashSet<string> Ids, byte[] Secret)> keys = [];

    public SharedKeyStore Add(byte[] secret, params string[] ids)
    {
        keys.Add((new HashSet<string>(ids, StringComparer.OrdinalIgnoreCase), secret));
        return this;
    }

    public byte[]? SharedKey(string localId, string remoteId)
    {
        // Best match first: a key naming both identities, then one naming either, then one naming none.
        (HashSet<string> Ids, byte[] Secret)? best = null;
        int bestScore = -1;
        foreach ((HashSet<string> ids, byte[] secret) in keys)
        {
            int score = (ids.Contains(localId) ? 1 : 0) + (ids.Contains(remoteId) ? 2 : 0);
            if (ids.Count > 0 && score == 0)
            {
                continue;
            }

            if (score > bestScore)
            {
                best = (ids, secret);
                bestScore = score;
            }
        }

        return best?.Secret;
    }
}
