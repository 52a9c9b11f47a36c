using System.Text;
using System.Text.Json;
using IkeSharp.Core.Sa;
using IkeSharp.Daemon.DataPlane;

namespace IkeSharp.Daemon.Control;

/// <summary>
/// The daemon's SAs as <c>ikesharp status</c> shows them: JSON in the schema of docs/status.md, or
/// a table. States use the RFC's words (ESTABLISHED, CONNECTING, REKEYING, DELETING; INSTALLED).
/// </summary>
public static class StatusReport
{
    public sealed record ChildRow(string Name, string State, string Mode, string EspProposal, uint SpiIn, uint SpiOut, string LocalTs, string RemoteTs, ChildSaCounters Counters);

    public sealed record IkeRow(string Name, string State, string Local, string Remote, string LocalId, string RemoteId, ulong SpiI, ulong SpiR, string IkeProposal, long EstablishedSeconds, IReadOnlyList<ChildRow> Children);

    public static IReadOnlyList<IkeRow> Rows(IReadOnlyList<IkeSaInfo> sas, long now, Func<uint, ChildSaInstalled?> details, Func<uint, ChildSaCounters> counters) =>
        [.. sas.OrderBy(s => s.Connection, StringComparer.Ordinal).Select(s => new IkeRow(
            s.Connection,
            IkeState(s),
            s.Local.ToString(),
            s.Remote.ToString(),
            s.LocalId,
            s.RemoteId,
            s.SpiI,
            s.SpiR,
            s.Proposal ?? "",
            s.EstablishedAt is { } at ? Math.Max(0, (now - at) / 1000) : 0,
            [.. s.Children.Select(c => new ChildRow(
                c.Name,
                "INSTALLED",
                c.Mode.ToString().ToUpperInvariant(),
                details(c.SpiIn)?.Proposal ?? "",
                c.SpiIn,
                c.SpiOut,
                string.Join(",", c.LocalTs),
                string.Join(",", c.RemoteTs),
                counters(c.SpiIn)))]))];

    private static string IkeState(IkeSaInfo s) => s.State switch
    {
        IkeSaState.Established when s.Rekeying => "REKEYING",
        IkeSaState.Established => "ESTABLISHED",
        IkeSaState.Connecting or IkeSaState.Authenticating => "CONNECTING",
        IkeSaState.Deleting => "DELETING",
        _ => "DESTROYING",
    };

    /// <summary>The engine's counters (<see cref="EngineCounters"/>) and the host's, read on the engine's thread.</summary>
    public sealed record Totals(int IkeSas, int ChildSas, long LivenessChecks, long LivenessAnswered, long IkeRekeys, long ChildRekeys, long DeadPeers, long IkeExpired, long ChildExpired, long Retransmissions, long MailboxDrops)
    {
        public static Totals Of(IkeEngine e, long mailboxDrops)
        {
            ArgumentNullException.ThrowIfNull(e);
            EngineCounters c = e.Counters;
            return new(e.IkeSaCount, e.ChildSaCount, c.LivenessChecks, c.LivenessAnswered, c.IkeRekeys, c.ChildRekeys, c.DeadPeers, c.IkeExpired, c.ChildExpired, e.Retransmissions, mailboxDrops);
        }
    }

    /// <summary>
    /// Only the counters, as <c>{"counters":{...}}</c>: what <c>ikesharp status --counters</c> prints.
    /// Its cost does not grow with the number of SAs, where the full status builds a row for each
    /// (at 100,000 SAs the full JSON is tens of megabytes).
    /// </summary>
    public static void WriteCountersJson(Utf8JsonWriter w, Totals totals)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(totals);
        w.WriteStartObject();
        WriteCounters(w, totals);
        w.WriteEndObject();
    }

    /// <summary>The counters as text, one "name: value" line each, in the JSON's order and names.</summary>
    public static string CountersText(Totals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var text = new StringBuilder();
        foreach ((string name, long value) in CounterValues(totals))
        {
            text.Append(name).Append(": ").Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static void WriteCounters(Utf8JsonWriter w, Totals totals)
    {
        w.WriteStartObject("counters");
        foreach ((string name, long value) in CounterValues(totals))
        {
            w.WriteNumber(name, value);
        }

        w.WriteEndObject();
    }

    private static (string Name, long Value)[] CounterValues(Totals t) =>
    [
        ("ike_sas", t.IkeSas), ("child_sas", t.ChildSas), ("liveness_checks", t.LivenessChecks),
        ("liveness_answered", t.LivenessAnswered), ("ike_rekeys", t.IkeRekeys), ("child_rekeys", t.ChildRekeys),
        ("dead_peers", t.DeadPeers), ("ike_expired", t.IkeExpired), ("child_expired", t.ChildExpired),
        ("retransmissions", t.Retransmissions), ("mailbox_drops", t.MailboxDrops),
    ];

    public static void WriteJson(Utf8JsonWriter w, IReadOnlyList<IkeRow> rows, IReadOnlyList<DataPlane.TrapInfo>? traps = null, Totals? totals = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        if (totals is not null)
        {
            WriteCounters(w, totals);
        }

        w.WriteStartArray("ike_sas");
        foreach (IkeRow r in rows)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("state", r.State);
            w.WriteString("local", r.Local);
            w.WriteString("remote", r.Remote);
            w.WriteString("local_id", r.LocalId);
            w.WriteString("remote_id", r.RemoteId);
            w.WriteString("initiator_spi", r.SpiI.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("responder_spi", r.SpiR.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("ike_proposal", r.IkeProposal);
            w.WriteNumber("established_seconds", r.EstablishedSeconds);
            w.WriteStartArray("child_sas");
            foreach (ChildRow c in r.Children)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("state", c.State);
                w.WriteString("mode", c.Mode);
                w.WriteString("esp_proposal", c.EspProposal);
                w.WriteString("spi_in", c.SpiIn.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("spi_out", c.SpiOut.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("local_ts", c.LocalTs);
                w.WriteString("remote_ts", c.RemoteTs);
                w.WriteNumber("bytes_in", c.Counters.BytesIn);
                w.WriteNumber("bytes_out", c.Counters.BytesOut);
                w.WriteNumber("packets_in", c.Counters.PacketsIn);
                w.WriteNumber("packets_out", c.Counters.PacketsOut);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();

        // Trap policies waiting for traffic (swanctl --list-pols shows them as TRAP).
        w.WriteStartArray("trap_policies");
        foreach (DataPlane.TrapInfo t in traps ?? [])
        {
            w.WriteStartObject();
            w.WriteString("name", t.Connection);
            w.WriteString("child", t.Child);
            w.WriteString("local_ts", string.Join(",", t.LocalTs));
            w.WriteString("remote_ts", string.Join(",", t.RemoteTs));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A readable table, one block per IKE SA, in the spirit of <c>swanctl --list-sas</c>.</summary>
    public static string Text(IReadOnlyList<IkeRow> rows, IReadOnlyList<DataPlane.TrapInfo>? traps = null)
    {
        var sb = new StringBuilder();
        if (rows.Count == 0)
        {
            sb.Append("no IKE SAs\n");
        }

        foreach (DataPlane.TrapInfo t in traps ?? [])
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{t.Connection}/{t.Child}: TRAP, {string.Join(",", t.LocalTs)} === {string.Join(",", t.RemoteTs)}\n");
        }

        foreach (IkeRow r in rows)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{r.Name}: {r.State}, {r.Local} ({r.LocalId}) <-> {r.Remote} ({r.RemoteId})\n");
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"  SPIs {r.SpiI:x16}_i {r.SpiR:x16}_r, {r.IkeProposal}, up {r.EstablishedSeconds}s\n");
            foreach (ChildRow c in r.Children)
            {
                sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"  {c.Name}: {c.State}, {c.Mode}, {c.EspProposal}, SPIs {c.SpiIn:x8}_i {c.SpiOut:x8}_o\n");
                sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"    in  {c.Counters.BytesIn} bytes, {c.Counters.PacketsIn} packets; out {c.Counters.BytesOut} bytes, {c.Counters.PacketsOut} packets\n");
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"    {c.LocalTs} === {c.RemoteTs}\n");
            }
        }

        return sb.ToString();
    }
}
