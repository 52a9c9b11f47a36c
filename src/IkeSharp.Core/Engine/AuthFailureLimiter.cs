using System.Net;

namespace IkeSharp.Core.Engine;

/// <summary>
/// Failed authentications per source address: after <c>limit</c> failures within <c>windowMs</c>,
/// new IKE_SA_INIT requests from that address are dropped until the window has passed since its
/// first failure. It slows down guessing a PSK online (each guess costs the attacker a full
/// IKE_SA_INIT + IKE_AUTH round trip, so it cannot come from spoofed addresses).
/// The table holds at most <c>capacity</c> addresses: when full, expired entries go first, and if
/// none has expired the new failure is not tracked, so no peer can grow it without bound.
/// </summary>
internal sealed class AuthFailureLimiter(int limit, long windowMs, int capacity = 4096)
{
    private readonly Dictionary<IPAddress, (int Count, long Since)> failures = [];

    public int Count => failures.Count;

    /// <summary>Whether the address has used up its failures in the current window.</summary>
    public bool IsBlocked(IPAddress address, long now)
    {
        if (limit <= 0 || !failures.TryGetValue(address, out (int Count, long Since) entry))
        {
            return false;
        }

        if (now - entry.Since >= windowMs)
        {
            failures.Remove(address);
            return false;
        }

        return entry.Count >= limit;
    }

    public void Record(IPAddress address, long now)
    {
        if (limit <= 0)
        {
            return;
        }

        if (failures.TryGetValue(address, out (int Count, long Since) entry) && now - entry.Since < windowMs)
        {
            failures[address] = (entry.Count + 1, entry.Since);
            return;
        }

        if (failures.Count >= capacity && !failures.ContainsKey(address))
        {
            foreach (IPAddress old in failures.Where(f => now - f.Value.Since >= windowMs).Select(f => f.Key).ToList())
            {
                failures.Remove(old);
            }

            if (failures.Count >= capacity)
            {
                return;
            }
        }

        failures[address] = (1, now);
    }
}
