using System.Globalization;
using System.Text.Json;

namespace IkeSharp.Daemon.Load;

/// <summary>Why a setup of a load run did not complete, in categories a person can act on.</summary>
public enum LoadFailure
{
    /// <summary>AUTHENTICATION_FAILED, ours or the responder's (RFC 7296 §2.21.2): keys, certificates or identities.</summary>
    AuthenticationFailed,
    /// <summary>IKE_SA_INIT or IKE_AUTH refused: proposals, key exchange, identities the policy does not know.</summary>
    NegotiationFailed,
    /// <summary>The IKE SA came up but the Child SA in IKE_AUTH was refused (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, ...).</summary>
    ChildSaNotCreated,
    /// <summary>The responder did not answer a request before the retransmissions ran out (RFC 7296 §2.1).</summary>
    NoResponse,
    /// <summary>Still in flight when the run ended (--duration, or interrupted).</summary>
    Unfinished,
}

public static class LoadFailureNames
{
    /// <summary>The key in <c>--json</c> output.</summary>
    public static string JsonName(this LoadFailure failure) => failure switch
    {
        LoadFailure.AuthenticationFailed => "authentication_failed",
        LoadFailure.NegotiationFailed => "negotiation_failed",
        LoadFailure.ChildSaNotCreated => "child_sa_not_created",
        LoadFailure.NoResponse => "no_response",
        _ => "unfinished",
    };

    /// <summary>The category in plain words, for the text report.</summary>
    public static string Describe(this LoadFailure failure) => failure switch
    {
        LoadFailure.AuthenticationFailed => "authentication failed",
        LoadFailure.NegotiationFailed => "negotiation failed",
        LoadFailure.ChildSaNotCreated => "IKE SA up, but its Child SA was refused",
        LoadFailure.NoResponse => "no response from the responder (retransmissions exhausted)",
        _ => "still in flight when the run ended",
    };
}

/// <summary>Latency percentiles in milliseconds (nearest rank); zero when nothing was established.</summary>
public sealed record LatencyPercentiles(double P50, double P90, double P99)
{
    public static LatencyPercentiles Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new LatencyPercentiles(0, 0, 0);
        }

        double[] sorted = [.. samples];
        Array.Sort(sorted);
        return new LatencyPercentiles(Rank(sorted, 50), Rank(sorted, 90), Rank(sorted, 99));
    }

    /// <summary>The nearest-rank percentile: the smallest sample with at least p% of samples at or below it.</summary>
    private static double Rank(double[] sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// The outcome of a load run: how many IKE SAs were set up, how fast, how long each took (first
/// IKE_SA_INIT sent to Child SA installed), what went wrong and how often we retransmitted.
/// </summary>
public sealed record LoadReport
{
    public required int Started { get; init; }

    public required int Established { get; init; }

    public required int Failed { get; init; }

    /// <summary>IKE SAs deleted by us at the end (--delete).</summary>
    public required int Deleted { get; init; }

    /// <summary>Established setups per second of the setup phase (first initiation to last setup finished).</summary>
    public required double SetupsPerSecond { get; init; }

    public required LatencyPercentiles LatencyMs { get; init; }

    public required long Retransmissions { get; init; }

    public required IReadOnlyDictionary<LoadFailure, int> Failures { get; init; }

    /// <summary>The engine's own words for the first failure of each category.</summary>
    public required IReadOnlyDictionary<LoadFailure, string> FailureExamples { get; init; }

    /// <summary>The SAs were set up without Child SAs (RFC 6023), so latency ends at IKE SA established.</summary>
    public bool Childless { get; init; }

    /// <summary>With --hold: how long the SAs were held, and what happened to them meanwhile.</summary>
    public HoldReport? Hold { get; init; }

    /// <summary>Length of the setup phase.</summary>
    public required TimeSpan SetupTime { get; init; }

    /// <summary>
    /// The one line <c>ikesharp load --json</c> prints:
    /// {"established":N,"failed":N,"setups_per_second":X,"latency_ms":{"p50":X,"p90":X,"p99":X},"retransmissions":N,"failures":{"REASON":N}}.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("established", Established);
            json.WriteNumber("failed", Failed);
            json.WriteNumber("setups_per_second", Math.Round(SetupsPerSecond, 1));
            json.WriteStartObject("latency_ms");
            json.WriteNumber("p50", Math.Round(LatencyMs.P50, 3));
            json.WriteNumber("p90", Math.Round(LatencyMs.P90, 3));
            json.WriteNumber("p99", Math.Round(LatencyMs.P99, 3));
            json.WriteEndObject();
            json.WriteNumber("retransmissions", Retransmissions);
            json.WriteStartObject("failures");
            foreach ((LoadFailure failure, int n) in Failures.OrderBy(f => f.Key))
            {
                json.WriteNumber(failure.JsonName(), n);
            }

            json.WriteEndObject();
            if (Hold is { } h)
            {
                json.WriteStartObject("hold");
                json.WriteNumber("seconds", Math.Round(h.Time.TotalSeconds, 1));
                json.WriteNumber("held_at_start", h.HeldAtStart);
                json.WriteNumber("held_at_end", h.HeldAtEnd);
                json.WriteNumber("lost", h.Lost);
                json.WriteNumber("liveness_requests_answered", h.LivenessRequestsAnswered);
                json.WriteNumber("ike_rekeys", h.IkeRekeys);
                json.WriteNumber("child_rekeys", h.ChildRekeys);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The text report, one fact a line.</summary>
    public IEnumerable<string> ToLines()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"established   {Established} of {Started} started, {Failed} failed, {Deleted} deleted");
        yield return string.Create(c, $"setups/s      {SetupsPerSecond:F1} (setup phase {SetupTime.TotalSeconds:F2} s)");
        yield return string.Create(c, $"latency       p50 {LatencyMs.P50:F2} ms, p90 {LatencyMs.P90:F2} ms, p99 {LatencyMs.P99:F2} ms (first IKE_SA_INIT sent to {(Childless ? "IKE SA established" : "Child SA installed")})");
        yield return string.Create(c, $"retransmits   {Retransmissions}");
        foreach ((LoadFailure failure, int n) in Failures.OrderBy(f => f.Key))
        {
            yield return string.Create(c, $"failed        {n} x {failure.Describe()}") + (FailureExamples.TryGetValue(failure, out string? example) ? $": e.g. {example}" : "");
        }

        if (Hold is { } h)
        {
            yield return string.Create(c, $"held          {h.Time.TotalSeconds:F0} s: {h.HeldAtStart} IKE SAs at the start, {h.HeldAtEnd} at the end, {h.Lost} lost; answered {h.LivenessRequestsAnswered} liveness checks; {h.IkeRekeys} IKE and {h.ChildRekeys} Child SA rekeys");
        }
    }
}

/// <summary>Where a running load test is, for a progress line.</summary>
public sealed record LoadProgress(int Started, int InFlight, int Established, int Failed, int Deleted, long Retransmissions, long ElapsedMs, bool Deleting)
{
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{ElapsedMs / 1000.0,7:F1} s  started {Started}  in flight {InFlight}  established {Established}  failed {Failed}  retransmits {Retransmissions}{(Deleting ? $"  deleted {Deleted}" : "")}");
}

/// <summary>
/// What happened to the SAs held after the setups (--hold): held at the start and the end, lost
/// (deleted by the responder or dead), the responder's liveness checks we answered (RFC 7296 §1.4)
/// and the rekeys done (§2.8, §2.18).
/// </summary>
public sealed record HoldReport(TimeSpan Time, int HeldAtStart, int HeldAtEnd, int Lost, long LivenessRequestsAnswered, long IkeRekeys, long ChildRekeys);
