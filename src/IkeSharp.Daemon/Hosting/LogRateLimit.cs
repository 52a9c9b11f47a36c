namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// At most <c>perSecond</c> lines a second for messages anyone can provoke with one unauthenticated
/// datagram (a failed IKE_SA_INIT, a failed authentication): a flood must not become a flood of log
/// lines. What is held back is counted and reported once the next second begins.
/// Used on the engine's thread only.
/// </summary>
internal sealed class LogRateLimit(int perSecond)
{
    private long windowStart;
    private bool started;
    private int written;
    private long suppressed;

    /// <summary>
    /// Whether a line may be written at <paramref name="nowMs"/>; <paramref name="held"/> is how many
    /// were held back in the window that just ended (0 when none, or when the window goes on).
    /// </summary>
    public bool Allow(long nowMs, out long held)
    {
        held = 0;
        if (!started || nowMs - windowStart >= 1000)
        {
            started = true;
            held = suppressed;
            suppressed = 0;
            written = 0;
            windowStart = nowMs;
        }

        if (written < perSecond)
        {
            written++;
            return true;
        }

        suppressed++;
        return false;
    }
}
