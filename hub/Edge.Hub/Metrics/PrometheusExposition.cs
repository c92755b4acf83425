using System.Globalization;
using System.Text;
using Edge.Contracts;
using Edge.Hub.Hosting;
using Edge.Hub.Influx;
using Edge.Hub.Ingest;
using Edge.Hub.Roster;
using Edge.Hub.State;

namespace Edge.Hub.Metrics;

/// <summary>
/// Writes <c>/metrics</c> in the Prometheus text format (version 0.0.4) by hand: the hub's counters, the InfluxDB
/// writer's figures, the roster and, per gateway, the acknowledgement watermark and backlog.
/// </summary>
/// <remarks>
/// Gateways do not report their outbox depth (birth and health carry only the newest seq assigned), so the backlog is
/// derived: <c>edge_hub_gateway_unacked_backlog</c> = highest seq the gateway has named − its acknowledged watermark.
/// It counts seqs the hub has not stored yet, including ones still in flight.
/// </remarks>
internal sealed class PrometheusExposition
{
    /// <summary>The content type of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly MessageKind[] s_decodedKinds = [MessageKind.Readings, MessageKind.Scans, MessageKind.Birth, MessageKind.Death, MessageKind.Health];

    private readonly HubMetrics _metrics;
    private readonly InfluxWriter? _writer;
    private readonly IStateStore _store;
    private readonly RosterTracker _roster;
    private readonly IngestLedger _ledger;
    private readonly HubMqttConnection _mqtt;
    private readonly IngestService _ingest;
    private readonly DeadLetterRecorder _deadLetters;
    private readonly MemoryTrimmer _trimmer;
    private readonly TimeProvider _time;

    /// <summary>Creates the exposition.</summary>
    /// <param name="metrics">The hub's counters.</param>
    /// <param name="services">Where the writer is found (absent when a test replaces it).</param>
    /// <param name="store">The state store (dead-letter counts).</param>
    /// <param name="roster">The roster.</param>
    /// <param name="ledger">The seqs in memory.</param>
    /// <param name="mqtt">The MQTT connection.</param>
    /// <param name="ingest">The ingest (pipeline depth).</param>
    /// <param name="deadLetters">The dead-letter recorder (queue depth).</param>
    /// <param name="trimmer">The memory trimmer.</param>
    /// <param name="timeProvider">The clock.</param>
    public PrometheusExposition(HubMetrics metrics, IServiceProvider services, IStateStore store, RosterTracker roster, IngestLedger ledger, HubMqttConnection mqtt, IngestService ingest, DeadLetterRecorder deadLetters, MemoryTrimmer trimmer, TimeProvider timeProvider)
    {
        _metrics = metrics;
        _writer = services.GetService<InfluxWriter>();
        _store = store;
        _roster = roster;
        _ledger = ledger;
        _mqtt = mqtt;
        _ingest = ingest;
        _deadLetters = deadLetters;
        _trimmer = trimmer;
        _time = timeProvider;
    }

    /// <summary>Renders every metric.</summary>
    /// <returns>The exposition text.</returns>
    public string Render()
    {
        var w = new Writer();
        var m = _metrics;
        var now = _time.GetUtcNow();

        w.Family("edge_hub_messages_total", "counter", "MQTT messages decoded, by kind.", s_decodedKinds, k => m.Messages(k), k => [("kind", MessageKindRules.Get(k).Segment)]);

        w.Counter("edge_hub_invalid_messages_total", "MQTT messages refused (decode error, wrong topic, forged gateway id, oversized) and dead-lettered.", m.InvalidMessages);
        w.Counter("edge_hub_readings_received_total", "Readings in decoded batches, duplicates included.", m.ReadingsReceived);
        w.Counter("edge_hub_readings_stored_total", "Readings stored for the first time (InfluxDB 204 or dead letter, and state store committed).", m.ReadingsStored);
        w.Counter("edge_hub_scans_stored_total", "Scans stored for the first time.", m.ScansStored);
        w.Counter("edge_hub_duplicates_dropped_total", "Readings and scans whose seq was already stored or in flight: not written again, acknowledged again.", m.Duplicates);

        w.Summary("edge_hub_ingest_lag_seconds", "Receipt time minus the newest reading's timestamp of each batch (replays raise it).", m.LagSumSeconds, m.LagCount);
        w.Gauge("edge_hub_ingest_lag_last_seconds", "Lag of the last batch received.", m.LagLastSeconds);
        w.Gauge("edge_hub_ingest_pipeline_depth", "Messages received and waiting for InfluxDB or the state-store commit.", _ingest.PipelineDepth);
        w.Counter("edge_hub_influx_series_collisions_total", "Readings of one device with the same kind, unit and timestamp but another channel: InfluxDB keeps only one of them (the schema has no channel tag); the state store keeps all.", m.SeriesCollisions);
        w.Counter("edge_hub_commits_total", "State-store transactions committed.", m.Commits);
        w.Counter("edge_hub_commit_seconds_total", "Time spent in state-store commits.", m.CommitSeconds);
        w.Counter("edge_hub_commit_failures_total", "State-store commits that failed and were retried.", m.CommitFailures);
        w.Counter("edge_hub_ingest_abandoned_total", "Messages not settled before a shutdown, or refused while a failed hub stops: not acknowledged, replayed by their gateway.", m.Abandoned);

        w.Family("edge_hub_dead_letters_total", "counter", "Dead letters by reason: a decode error code, Internal, or influx (a line InfluxDB refused).", m.DeadLetters.OrderBy(r => r.Key, StringComparer.Ordinal), r => r.Value, r => [("reason", r.Key)]);
        if (_writer is not null)
        {
            w.Sample("edge_hub_dead_letters_total", _writer.GetMetrics().DeadLetters, ("reason", "influx"));
        }

        if (_store.IsOpen)
        {
            var stats = _store.GetDeadLetterStats();
            w.Gauge("edge_hub_dead_letters_stored", "Dead letters held in the state store.", stats.Rows);
            w.Gauge("edge_hub_dead_letters_stored_bytes", "Payload bytes of the dead letters held.", stats.PayloadBytes);
            w.Counter("edge_hub_dead_letters_evicted_total", "Dead letters of refused MQTT messages evicted (oldest first) to stay within DeadLetters:MaxRows and MaxTotalBytes; letters of lines InfluxDB refused are never evicted.", stats.Evicted);
        }

        w.Gauge("edge_hub_dead_letters_queued", "Dead letters waiting to be stored.", _deadLetters.Pending);
        w.Counter("edge_hub_dead_letter_publish_failures_total", "Dead-letter notices not published on the report topic.", m.DeadLetterPublishFailures);
        w.Counter("edge_hub_acks_published_total", "Acknowledgements the broker accepted.", m.AcksPublished);
        w.Counter("edge_hub_ack_publish_failures_total", "Acknowledgements that failed to publish (sent again later).", m.AckPublishFailures);
        w.Counter("edge_hub_seq_gaps_total", "Gaps reported: seqs missing below a gateway's highest stored seq for longer than Ingest:GapGrace.", m.GapEvents);
        w.Counter("edge_hub_seq_regressions_total", "Births whose seq was below what is already stored (a gateway's counter went backwards).", m.SeqRegressions);
        w.Gauge("edge_hub_mqtt_connected", "1 when the hub is connected to the broker and subscribed.", _mqtt.IsReady ? 1 : 0);

        RenderInflux(w);
        RenderRoster(w, now);
        RenderProcess(w, _trimmer);
        return w.ToString();
    }

    private static void RenderProcess(Writer w, MemoryTrimmer trimmer)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        w.Gauge("process_resident_memory_bytes", "Resident memory of the hub process.", self.WorkingSet64);
        w.Gauge("dotnet_gc_heap_size_bytes", "Managed heap size after the last collection.", gc.HeapSizeBytes);
        w.Gauge("dotnet_gc_committed_bytes", "Memory the garbage collector has committed.", gc.TotalCommittedBytes);
        w.Gauge("dotnet_gc_fragmented_bytes", "Free space inside the managed heap after the last collection.", gc.FragmentedBytes);
        w.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", GC.GetTotalAllocatedBytes());
        w.Counter("edge_hub_memory_trims_total", "Full collections run after a burst to give memory back.", trimmer.Trims);
        w.Family("dotnet_gc_collections_total", "counter", "Garbage collections by generation.", Enumerable.Range(0, GC.MaxGeneration + 1), g => GC.CollectionCount(g), g => [("generation", g.ToString(CultureInfo.InvariantCulture))]);
    }

    private void RenderInflux(Writer w)
    {
        if (_writer is null)
        {
            return;
        }

        var s = _writer.GetMetrics();
        var status = _writer.Status;
        w.Counter("edge_hub_influx_requests_total", "Write requests sent to InfluxDB.", s.Requests);
        w.Counter("edge_hub_influx_retries_total", "Write requests repeated after a transient failure or while held.", s.Retries);
        w.Counter("edge_hub_influx_batches_total", "Write requests InfluxDB answered with 204.", s.Batches);
        w.Counter("edge_hub_influx_lines_written_total", "Lines InfluxDB stored.", s.LinesWritten);
        w.Counter("edge_hub_influx_batch_splits_total", "Batches halved after 413 or to find a refused line.", s.Splits);
        w.Gauge("edge_hub_influx_queue_lines", "Lines held by the writer, queued or in flight.", s.QueuedLines);
        w.Gauge("edge_hub_influx_queue_bytes", "Line-protocol bytes held by the writer.", s.QueuedBytes);
        w.Summary("edge_hub_influx_write_duration_seconds", "Duration of one write request to InfluxDB.", s.LatencySumSeconds, s.LatencyCount, ("0.99", s.LatencyP99Seconds));
        w.Gauge("edge_hub_influx_state", "0 healthy, 1 retrying transient failures, 2 held (credentials or database missing).", (int)status.State);
        w.Gauge("edge_hub_influx_alarm", "0 none, 1 authentication failed, 2 database or retention policy missing.", (int)status.Alarm);
    }

    private void RenderRoster(Writer w, DateTimeOffset now)
    {
        var gateways = _roster.Snapshot(now);
        w.Family("edge_hub_gateways", "gauge", "Gateways by presence (online, offline by Last Will or shutdown, stale, unknown = expected but never heard).", Enum.GetValues<GatewayPresence>(), p => gateways.Count(g => g.Presence == p), p => [("presence", Name(p))]);
        w.Family("edge_hub_devices", "gauge", "Devices by presence.", Enum.GetValues<DevicePresence>(), p => gateways.Sum(g => g.Devices.Count(d => d.Presence == p)), p => [("presence", Name(p))]);
        w.Family("edge_hub_gateway_up", "gauge", "1 while the gateway is online.", gateways, g => g.Presence == GatewayPresence.Online ? 1 : 0, g => Labels(g.Gateway));
        w.Family("edge_hub_gateway_last_seen_age_seconds", "gauge", "Seconds since the gateway's last live message.", gateways.Where(g => g.LastSeenAt.HasValue), g => Math.Max(0, (now - g.LastSeenAt.GetValueOrDefault()).TotalSeconds), g => Labels(g.Gateway));

        // Each family's samples must follow its HELP/TYPE lines as one group (Prometheus text format), so the per-gateway
        // figures are read once and then written family by family.
        var rows = _ledger.All.OrderBy(l => l.Address.GatewayId, StringComparer.Ordinal).Select(l =>
        {
            var (storedThrough, _, _) = l.Figures();
            var (lost, unassigned, recovered, outstanding) = l.AbandonmentFigures();
            return new LedgerRow(Labels(l.Address), storedThrough, l.HighestSeen, RosterMonitor.OpenGap(l), lost, unassigned, recovered, outstanding);
        }).ToList();
        w.Family("edge_hub_gateway_stored_through", "gauge", "Acknowledged watermark: every seq up to this is stored.", rows, r => r.StoredThrough, r => r.Labels);
        w.Family("edge_hub_gateway_highest_seq", "gauge", "Highest seq the gateway has named (readings, scans, birth or health).", rows, r => r.Highest, r => r.Labels);
        w.Family("edge_hub_gateway_unacked_backlog", "gauge", "Derived outbox backlog: highest seq named minus the acknowledged watermark (gateways do not report their outbox depth).", rows, r => Math.Max(0, r.Highest - r.StoredThrough), r => r.Labels);
        w.Family("edge_hub_gateway_missing_seqs", "gauge", "Seqs missing below the highest stored seq for longer than Ingest:GapGrace.", rows, r => r.Missing, r => r.Labels);
        w.Family("edge_hub_seqs_abandoned_total", "counter", "Seqs the gateway declared abandoned (corrupt outbox) that the hub had not stored: settled without data, so readings may be lost. Alert on any increase.", rows, r => r.Lost, r => r.Labels);
        w.Family("edge_hub_seqs_unassigned_total", "counter", "Seqs the gateway declared reserved but never assigned: settled without data, nothing lost.", rows, r => r.Unassigned, r => r.Labels);
        w.Family("edge_hub_seqs_recovered_total", "counter", "Seqs settled as abandoned whose reading or scan arrived later and was stored once.", rows, r => r.Recovered, r => r.Labels);
        w.Family("edge_hub_gateway_abandoned_seqs", "gauge", "Seqs settled as abandoned that still hold no data.", rows, r => r.Outstanding, r => r.Labels);
    }

    private sealed record LedgerRow((string Name, string Value)[] Labels, long StoredThrough, long Highest, long Missing, long Lost, long Unassigned, long Recovered, long Outstanding);

    private static (string, string)[] Labels(GatewayAddress a) => [("gateway", a.GatewayId), ("site", a.Site), ("area", a.Area)];

    private static string Name(GatewayPresence p) => p.ToString().ToLowerInvariant();

    private static string Name(DevicePresence p) => p.ToString().ToLowerInvariant();

    private sealed class Writer
    {
        private readonly StringBuilder _sb = new(8192);

        public void Family(string name, string type, string help)
        {
            _sb.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            _sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        public void Counter(string name, string help, double value)
        {
            Family(name, "counter", help);
            Sample(name, value);
        }

        public void Gauge(string name, string help, double value)
        {
            Family(name, "gauge", help);
            Sample(name, value);
        }

        /// <summary>A family with one sample per item, the items told apart by their labels.</summary>
        public void Family<T>(string name, string type, string help, IEnumerable<T> items, Func<T, double> value, Func<T, (string Name, string Value)[]> labels)
        {
            Family(name, type, help);
            foreach (var item in items)
            {
                Sample(name, value(item), labels(item));
            }
        }

        /// <summary>A summary: its quantiles (e.g. "0.99"), then <c>_sum</c> and <c>_count</c>.</summary>
        public void Summary(string name, string help, double sum, double count, params (string Quantile, double Value)[] quantiles)
        {
            Family(name, "summary", help);
            foreach (var (quantile, value) in quantiles)
            {
                Sample(name, value, ("quantile", quantile));
            }

            Sample(name + "_sum", sum);
            Sample(name + "_count", count);
        }

        public void Sample(string name, double value, params (string Name, string Value)[] labels)
        {
            _sb.Append(name);
            if (labels.Length > 0)
            {
                _sb.Append('{');
                for (var i = 0; i < labels.Length; i++)
                {
                    if (i > 0)
                    {
                        _sb.Append(',');
                    }

                    _sb.Append(labels[i].Name).Append("=\"");
                    foreach (var c in labels[i].Value)
                    {
                        _ = c switch
                        {
                            '\\' => _sb.Append("\\\\"),
                            '"' => _sb.Append("\\\""),
                            '\n' => _sb.Append("\\n"),
                            _ => _sb.Append(c),
                        };
                    }

                    _sb.Append('"');
                }

                _sb.Append('}');
            }

            _sb.Append(' ').Append(Format(value)).Append('\n');
        }

        public override string ToString() => _sb.ToString();

        private static string Format(double v) =>
            double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);
    }
}
