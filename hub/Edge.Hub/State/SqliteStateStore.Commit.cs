using System.Runtime.InteropServices;
using Edge.Contracts;
using Microsoft.Data.Sqlite;

namespace Edge.Hub.State;

internal sealed partial class SqliteStateStore
{
    /// <summary>
    /// One commit: applies work in receipt order against the acknowledgement state read inside the transaction, and
    /// aggregates what can be aggregated (one latest-value row and one counter-total row per channel, one state row
    /// per gateway) so a commit of thousands of readings writes a few hundred rows.
    /// </summary>
    private sealed class CommitBatch(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
    {
        private readonly Dictionary<string, GatewayWork> _gateways = new(StringComparer.Ordinal);
        private readonly Dictionary<ChannelKey, Reading> _latest = [];
        private readonly Dictionary<ChannelKey, CounterSum> _counters = [];
        private readonly List<AbandonmentReport> _reports = [];
        private SqliteCommand? _insertScan;

        public void Apply(StoreWork work)
        {
            var g = Gateway(work.Gateway);
            switch (work)
            {
                case StoreReadings r:
                    ApplyReadings(g, r);
                    break;
                case StoreScan s:
                    ApplyScan(g, s);
                    break;
                case StoreSeen seen:
                    g.Seen(seen.HighestSeen);
                    g.Duplicates += seen.Duplicates;
                    g.NeedsAck = true;
                    g.LiveAt(seen.ReceivedAt);
                    break;
                case StoreBirth b:
                    ApplyAbandonments(g, b);
                    ApplyBirth(g, b);
                    break;
                case StoreDeath d:
                    ApplyDeath(d);
                    g.Seen(d.Death.Seq);
                    break;
                case StoreHealth h:
                    ApplyHealth(h);
                    g.Seen(h.Health.Seq);
                    if (!h.Retained)
                    {
                        g.LiveAt(h.ReceivedAt);
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown work {work.GetType().Name}.", nameof(work));
            }
        }

        public List<GatewayCommit> Finish()
        {
            WriteLatest();
            WriteCounters();
            var result = new List<GatewayCommit>(_gateways.Count);
            using var state = Command("""
                INSERT INTO ack_state (gateway, site, area, stored_through, ranges, highest_seen, readings_stored, scans_stored, duplicates, updated_at,
                                       abandoned, abandoned_lost, abandoned_unassigned, recovered)
                VALUES ($g, $site, $area, $through, $ranges, $highest, $readings, $scans, $dups, $now, $abandoned, $lost, $unassigned, $recovered)
                ON CONFLICT (gateway) DO UPDATE SET
                    site = excluded.site, area = excluded.area, stored_through = excluded.stored_through,
                    ranges = excluded.ranges, highest_seen = excluded.highest_seen, readings_stored = excluded.readings_stored,
                    scans_stored = excluded.scans_stored, duplicates = excluded.duplicates, updated_at = excluded.updated_at,
                    abandoned = excluded.abandoned, abandoned_lost = excluded.abandoned_lost,
                    abandoned_unassigned = excluded.abandoned_unassigned, recovered = excluded.recovered
                """);
            using var seen = Command("""
                INSERT INTO gateways (gateway, site, area, last_seen_at) VALUES ($g, $site, $area, $seen)
                ON CONFLICT (gateway) DO UPDATE SET
                    site = excluded.site, area = excluded.area,
                    last_seen_at = CASE WHEN excluded.last_seen_at IS NULL THEN gateways.last_seen_at
                                        WHEN gateways.last_seen_at IS NULL OR excluded.last_seen_at > gateways.last_seen_at THEN excluded.last_seen_at
                                        ELSE gateways.last_seen_at END
                """);
            var nowText = FormatTime(now);
            foreach (var g in _gateways.Values)
            {
                Set(state, ("$g", g.Address.GatewayId), ("$site", g.Address.Site), ("$area", g.Address.Area), ("$through", g.Ack.StoredThrough),
                    ("$ranges", g.Ack.FormatRanges()), ("$highest", g.HighestSeen), ("$readings", g.ReadingsStored + g.NewReadings),
                    ("$scans", g.ScansStored + g.NewScans), ("$dups", g.Duplicates), ("$now", nowText), ("$abandoned", g.Abandoned.Format()),
                    ("$lost", g.Lost), ("$unassigned", g.Unassigned), ("$recovered", g.Recovered));
                state.ExecuteNonQuery();
                if (g.RecoveredNow > 0)
                {
                    _reports.Add(new AbandonmentReport(g.Address.GatewayId, null, g.RecoveredNow));
                }

                Set(seen, ("$g", g.Address.GatewayId), ("$site", g.Address.Site), ("$area", g.Address.Area), ("$seen", g.LastLive is { } t ? FormatTime(t) : null));
                seen.ExecuteNonQuery();
                result.Add(new GatewayCommit(g.Address, g.Ack.Clone(), g.NewReadings, g.NewScans, g.Duplicates - g.DuplicatesBefore, g.HighestSeen, g.NeedsAck,
                    new AbandonmentState(g.Abandoned.Clone(), g.Lost, g.Unassigned, g.Recovered)));
            }

            _insertScan?.Dispose();
            return result;
        }

        /// <summary>Logs what the committed transaction settled without data, and what arrived for such seqs after all.</summary>
        /// <param name="logger">The store's logger.</param>
        public void Report(ILogger logger)
        {
            foreach (var r in _reports)
            {
                if (r.Declaration is not { } d)
                {
                    Log.AbandonedSeqsRecovered(logger, r.GatewayId, r.Recovered);
                }
                else if (d.Reason == SeqAbandonment.NeverAssigned)
                {
                    Log.SeqsDeclaredNeverAssigned(logger, r.GatewayId, d.Seq, d.Declared, d.Abandoned, d.Ranges);
                }
                else
                {
                    // Money may be lost: readings the gateway took and can no longer deliver. The planner must know.
                    Log.SeqsDeclaredLost(logger, r.GatewayId, d.Seq, d.Reason, d.Abandoned, d.Declared, d.Ranges, d.Note ?? string.Empty);
                }
            }
        }

        private static void Set(SqliteCommand cmd, params (string Name, object? Value)[] values)
        {
            foreach (var (name, value) in values)
            {
                cmd.Parameters[name].Value = value ?? DBNull.Value;
            }
        }

        private static string ReadingKind(Reading r) => r switch
        {
            WeightReading => Reading.WeightKind,
            CounterReading => Reading.CounterKind,
            AnalogReading => Reading.AnalogKind,
            _ => Reading.StateKind,
        };

        private static string StatusName(IndicatorStatus status) => status switch
        {
            IndicatorStatus.Ok => "ok",
            IndicatorStatus.Overload => "overload",
            IndicatorStatus.Underload => "underload",
            IndicatorStatus.ZeroError => "zero-error",
            _ => "fault",
        };

        private void ApplyReadings(GatewayWork g, StoreReadings work)
        {
            g.Seen(work.HighestSeen);
            g.NeedsAck = true;
            g.LiveAt(work.ReceivedAt);
            for (var i = 0; i < work.Readings.Count; i++)
            {
                var reading = work.Readings[i];
                g.Seen(reading.Seq);
                if (!g.Ack.Add(reading.Seq) && !g.Recover(reading.Seq))
                {
                    g.Duplicates++;
                    continue;
                }

                g.NewReadings++;
                if (work.DeadLettered.Contains(i))
                {
                    // Stored as a dead letter: acknowledged, but not a value anyone should see as current.
                    continue;
                }

                // One hash lookup per reading and table: this loop runs for every reading the hub stores.
                var key = new ChannelKey(work.Gateway.GatewayId, reading.Device, reading.Channel ?? string.Empty);
                ref var newest = ref CollectionsMarshal.GetValueRefOrAddDefault(_latest, key, out var known);
                if (!known || reading.Ts > newest!.Ts || (reading.Ts == newest.Ts && reading.Seq > newest.Seq))
                {
                    newest = reading;
                }

                if (reading is CounterReading counter)
                {
                    (CollectionsMarshal.GetValueRefOrAddDefault(_counters, key, out _) ??= new CounterSum()).Add(counter);
                }
            }
        }

        private void ApplyScan(GatewayWork g, StoreScan work)
        {
            var scan = work.Scan;
            g.Seen(scan.Seq);
            g.NeedsAck = true;
            g.LiveAt(work.ReceivedAt);
            if (!g.Ack.Add(scan.Seq) && !g.Recover(scan.Seq))
            {
                g.Duplicates++;
                return;
            }

            g.NewScans++;
            _insertScan ??= Command("""
                INSERT OR IGNORE INTO scans (gateway, seq, site, area, device, station, code, tech, symbology, ts, received_at)
                VALUES ($g, $seq, $site, $area, $device, $station, $code, $tech, $symbology, $ts, $received)
                """);
            Set(_insertScan, ("$g", scan.GatewayId), ("$seq", scan.Seq), ("$site", work.Gateway.Site), ("$area", work.Gateway.Area),
                ("$device", scan.Device), ("$station", scan.Station), ("$code", scan.Code), ("$tech", scan.Tech == ScanTech.Rfid ? "rfid" : "barcode"),
                ("$symbology", scan.Symbology), ("$ts", FormatTime(scan.Ts)), ("$received", FormatTime(work.ReceivedAt)));
            _insertScan.ExecuteNonQuery();
        }

        /// <summary>
        /// A birth's declarations of abandoned seqs (contract 1.1). Each settles the declared seqs the hub has not stored
        /// (so the watermark moves past them) and records them as abandoned; the declaration's own seq is settled like
        /// a reading. Retained and repeated births bring the same declarations again: the second time nothing is new.
        /// </summary>
        private void ApplyAbandonments(GatewayWork g, StoreBirth work)
        {
            if (work.Birth.Abandoned is not { Count: > 0 } declarations)
            {
                return;
            }

            g.NeedsAck = true;
            using var record = Command("""
                INSERT OR IGNORE INTO seq_abandonments (gateway, seq, reason, ranges, declared, abandoned, note, declared_at, received_at)
                VALUES ($g, $seq, $reason, $ranges, $declared, $abandoned, $note, $declaredAt, $received)
                """);
            foreach (var d in declarations)
            {
                g.Seen(d.Seq);
                long abandoned = 0;
                foreach (var range in d.Ranges)
                {
                    foreach (var span in g.Ack.Settle(range.From, range.To))
                    {
                        g.Abandoned.Add(span.From, span.To);
                        abandoned += span.To - span.From + 1;
                    }
                }

                if (d.Reason == SeqAbandonment.NeverAssigned)
                {
                    g.Unassigned += abandoned;
                }
                else
                {
                    // A reason this hub does not know is treated as the worst one: data may be lost.
                    g.Lost += abandoned;
                }

                // A declaration that an earlier one (from a second corruption) had declared lost arrives after all.
                var first = g.Ack.Add(d.Seq) || g.Abandoned.Remove(d.Seq);
                if (!first)
                {
                    continue;
                }

                var ranges = SeqSet.Format(d.Ranges.Select(r => new SeqSpan(r.From, r.To)));
                Set(record, ("$g", work.Gateway.GatewayId), ("$seq", d.Seq), ("$reason", d.Reason), ("$ranges", ranges), ("$declared", d.CountSeqs()),
                    ("$abandoned", abandoned), ("$note", d.Note), ("$declaredAt", FormatTime(d.Ts)), ("$received", FormatTime(work.ReceivedAt)));
                record.ExecuteNonQuery();
                _reports.Add(new AbandonmentReport(work.Gateway.GatewayId, new StoredAbandonment(work.Gateway.GatewayId, d.Seq, d.Reason, ranges, d.CountSeqs(), abandoned, d.Note, d.Ts, work.ReceivedAt), 0));
            }
        }

        private void ApplyBirth(GatewayWork g, StoreBirth work)
        {
            var birth = work.Birth;
            g.Seen(birth.Seq);
            if (!work.Retained)
            {
                g.LiveAt(work.ReceivedAt);
            }

            using var cmd = Command("""
                INSERT INTO gateways (gateway, site, area, birth_session, birth_seq, birth_ts, birth_received_at, software_version)
                VALUES ($g, $site, $area, $session, $seq, $ts, $received, $version)
                ON CONFLICT (gateway) DO UPDATE SET
                    site = excluded.site, area = excluded.area, birth_seq = excluded.birth_seq, birth_ts = excluded.birth_ts,
                    software_version = excluded.software_version,
                    birth_received_at = CASE WHEN gateways.birth_session = excluded.birth_session THEN gateways.birth_received_at ELSE excluded.birth_received_at END,
                    birth_session = excluded.birth_session
                WHERE gateways.birth_session IS NULL OR excluded.birth_session >= gateways.birth_session
                """);
            Set(cmd, ("$g", birth.GatewayId), ("$site", work.Gateway.Site), ("$area", work.Gateway.Area), ("$session", birth.Session),
                ("$seq", birth.Seq), ("$ts", FormatTime(birth.Ts)), ("$received", FormatTime(work.ReceivedAt)), ("$version", birth.SoftwareVersion));
            if (cmd.ExecuteNonQuery() == 0)
            {
                return;
            }

            foreach (var d in birth.Devices)
            {
                UpsertDevice(birth.GatewayId, d.Device, d.State, d.LastGoodReadAt, d.ErrorCount, d.Message, birth.Ts);
            }
        }

        private void ApplyDeath(StoreDeath work)
        {
            var death = work.Death;
            using var cmd = Command("""
                INSERT INTO gateways (gateway, site, area, death_session, death_graceful, death_received_at)
                VALUES ($g, $site, $area, $session, $graceful, $received)
                ON CONFLICT (gateway) DO UPDATE SET
                    death_graceful = excluded.death_graceful,
                    death_received_at = CASE WHEN gateways.death_session = excluded.death_session THEN gateways.death_received_at ELSE excluded.death_received_at END,
                    death_session = excluded.death_session
                WHERE gateways.death_session IS NULL OR excluded.death_session >= gateways.death_session
                """);
            Set(cmd, ("$g", death.GatewayId), ("$site", work.Gateway.Site), ("$area", work.Gateway.Area), ("$session", death.Session),
                ("$graceful", death.Graceful ? 1 : 0), ("$received", FormatTime(work.ReceivedAt)));
            cmd.ExecuteNonQuery();
        }

        private void ApplyHealth(StoreHealth work)
        {
            var h = work.Health;
            using var cmd = Command("INSERT OR IGNORE INTO gateways (gateway, site, area) VALUES ($g, $site, $area)");
            Set(cmd, ("$g", h.GatewayId), ("$site", work.Gateway.Site), ("$area", work.Gateway.Area));
            cmd.ExecuteNonQuery();
            UpsertDevice(h.GatewayId, h.Device, h.State, h.LastGoodReadAt, h.ErrorCount, h.Message, h.Ts);
        }

        private void UpsertDevice(string gateway, string device, DeviceState state, DateTimeOffset? lastGood, long errors, string? message, DateTimeOffset reportedAt)
        {
            using var cmd = Command("""
                INSERT INTO devices (gateway, device, state, last_good_read_at, error_count, message, reported_at)
                VALUES ($g, $d, $state, $good, $errors, $message, $at)
                ON CONFLICT (gateway, device) DO UPDATE SET
                    state = excluded.state, last_good_read_at = excluded.last_good_read_at, error_count = excluded.error_count,
                    message = excluded.message, reported_at = excluded.reported_at
                WHERE excluded.reported_at >= devices.reported_at
                """);
            Set(cmd, ("$g", gateway), ("$d", device), ("$state", DeviceStateName(state)), ("$good", lastGood is { } t ? FormatTime(t) : null),
                ("$errors", errors), ("$message", message), ("$at", FormatTime(reportedAt)));
            cmd.ExecuteNonQuery();
        }

        private void WriteLatest()
        {
            if (_latest.Count == 0)
            {
                return;
            }

            using var cmd = Command("""
                INSERT INTO latest (gateway, device, channel, kind, value, text, unit, ts, ts_ticks, seq, received_at)
                VALUES ($g, $d, $c, $kind, $value, $text, $unit, $ts, $ticks, $seq, $received)
                ON CONFLICT (gateway, device, channel) DO UPDATE SET
                    kind = excluded.kind, value = excluded.value, text = excluded.text, unit = excluded.unit, ts = excluded.ts,
                    ts_ticks = excluded.ts_ticks, seq = excluded.seq, received_at = excluded.received_at
                WHERE excluded.ts_ticks > latest.ts_ticks OR (excluded.ts_ticks = latest.ts_ticks AND excluded.seq >= latest.seq)
                """);
            var received = FormatTime(now);
            foreach (var (key, r) in _latest)
            {
                var (value, text, unit) = r switch
                {
                    WeightReading w => (w.ValueKg, StatusName(w.Status), "kg"),
                    CounterReading c => ((double?)c.Raw, null, null),
                    AnalogReading a => (a.Value, null, a.Unit),
                    StateReading s => (s.Value, s.Label, null),
                    _ => ((double?)null, (string?)null, (string?)null),
                };
                Set(cmd, ("$g", key.Gateway), ("$d", key.Device), ("$c", key.Channel), ("$kind", ReadingKind(r)), ("$value", value), ("$text", text),
                    ("$unit", unit), ("$ts", FormatTime(r.Ts)), ("$ticks", r.Ts.UtcTicks), ("$seq", r.Seq), ("$received", received));
                cmd.ExecuteNonQuery();
            }
        }

        private void WriteCounters()
        {
            if (_counters.Count == 0)
            {
                return;
            }

            using var cmd = Command("""
                INSERT INTO counter_totals (gateway, device, channel, total, readings, last_raw, epoch, width, last_ts, last_seq)
                VALUES ($g, $d, $c, $total, $n, $raw, $epoch, $width, $ts, $seq)
                ON CONFLICT (gateway, device, channel) DO UPDATE SET
                    total = counter_totals.total + excluded.total,
                    readings = counter_totals.readings + excluded.readings,
                    last_raw = CASE WHEN excluded.last_seq > counter_totals.last_seq THEN excluded.last_raw ELSE counter_totals.last_raw END,
                    epoch = CASE WHEN excluded.last_seq > counter_totals.last_seq THEN excluded.epoch ELSE counter_totals.epoch END,
                    width = CASE WHEN excluded.last_seq > counter_totals.last_seq THEN excluded.width ELSE counter_totals.width END,
                    last_ts = CASE WHEN excluded.last_seq > counter_totals.last_seq THEN excluded.last_ts ELSE counter_totals.last_ts END,
                    last_seq = MAX(excluded.last_seq, counter_totals.last_seq)
                """);
            foreach (var (key, sum) in _counters)
            {
                var last = sum.Last!;
                Set(cmd, ("$g", key.Gateway), ("$d", key.Device), ("$c", key.Channel), ("$total", sum.Total), ("$n", sum.Count),
                    ("$raw", (long)Math.Min(last.Raw, long.MaxValue)), ("$epoch", last.Epoch), ("$width", last.Width), ("$ts", FormatTime(last.Ts)), ("$seq", last.Seq));
                cmd.ExecuteNonQuery();
            }
        }

        private GatewayWork Gateway(GatewayAddress address)
        {
            if (_gateways.TryGetValue(address.GatewayId, out var g))
            {
                g.Address = address;
                return g;
            }

            using var cmd = Command("SELECT stored_through, ranges, highest_seen, readings_stored, scans_stored, duplicates, abandoned, abandoned_lost, abandoned_unassigned, recovered FROM ack_state WHERE gateway = $g");
            Set(cmd, ("$g", address.GatewayId));
            using (var r = cmd.ExecuteReader())
            {
                g = r.Read()
                    ? new GatewayWork(address, AckState.Parse(r.GetInt64(0), r.GetString(1)), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5),
                        new AbandonmentState(SeqSet.Parse(r.GetString(6)), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9)))
                    : new GatewayWork(address, new AckState(), 0, 0, 0, 0, AbandonmentState.None);
            }

            _gateways[address.GatewayId] = g;
            return g;
        }

        // Parameters are declared from the $names in the text so each statement lists them once.
        private SqliteCommand Command(string sql)
        {
            var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            cmd.CommandText = sql;
            var i = 0;
            while ((i = sql.IndexOf('$', i)) >= 0)
            {
                var end = i + 1;
                while (end < sql.Length && (char.IsAsciiLetterOrDigit(sql[end]) || sql[end] == '_'))
                {
                    end++;
                }

                var name = sql[i..end];
                if (!cmd.Parameters.Contains(name))
                {
                    cmd.Parameters.Add(new SqliteParameter(name, DBNull.Value));
                }

                i = end;
            }

            return cmd;
        }
    }

    private readonly record struct ChannelKey(string Gateway, string Device, string Channel);

    private sealed class CounterSum
    {
        public long Total { get; private set; }

        public long Count { get; private set; }

        public CounterReading? Last { get; private set; }

        public void Add(CounterReading r)
        {
            // A 64-bit counter's delta can exceed what SQLite's integer holds; such a jump is a fault anyway.
            Total = unchecked(Total + (long)Math.Min(r.Delta, long.MaxValue));
            Count++;
            if (Last is null || r.Seq > Last.Seq)
            {
                Last = r;
            }
        }
    }

    /// <summary>A line for the log once the transaction committed: a declaration recorded, or abandoned seqs recovered.</summary>
    private sealed record AbandonmentReport(string GatewayId, StoredAbandonment? Declaration, long Recovered);

    private sealed class GatewayWork(GatewayAddress address, AckState ack, long highestSeen, long readingsStored, long scansStored, long duplicates, AbandonmentState abandonment)
    {
        public GatewayAddress Address { get; set; } = address;

        /// <summary>Settled seqs: stored, or declared abandoned (those are in <see cref="Abandoned"/> too).</summary>
        public AckState Ack { get; } = ack;

        /// <summary>Settled seqs that hold no data.</summary>
        public SeqSet Abandoned { get; } = abandonment.Outstanding.Clone();

        public long Lost { get; set; } = abandonment.Lost;

        public long Unassigned { get; set; } = abandonment.Unassigned;

        public long Recovered { get; private set; } = abandonment.Recovered;

        public long RecoveredNow { get; private set; }

        public long HighestSeen { get; private set; } = highestSeen;

        public long ReadingsStored { get; } = readingsStored;

        public long ScansStored { get; } = scansStored;

        public long DuplicatesBefore { get; } = duplicates;

        public long Duplicates { get; set; } = duplicates;

        public int NewReadings { get; set; }

        public int NewScans { get; set; }

        public bool NeedsAck { get; set; }

        public DateTimeOffset? LastLive { get; private set; }

        public void Seen(long seq) => HighestSeen = Math.Max(HighestSeen, seq);

        /// <summary>A seq settled as abandoned gets its data after all: stored now, once (the set forgets it).</summary>
        public bool Recover(long seq)
        {
            if (!Abandoned.Remove(seq))
            {
                return false;
            }

            Recovered++;
            RecoveredNow++;
            return true;
        }

        public void LiveAt(DateTimeOffset t)
        {
            if (LastLive is null || t > LastLive)
            {
                LastLive = t;
            }
        }
    }
}
