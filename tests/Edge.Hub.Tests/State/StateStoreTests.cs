using Edge.Contracts;
using Edge.Hub.Ingest;
using Edge.Hub.State;
using Edge.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Edge.Hub.Tests.State;

public class StateStoreTests
{
    private static readonly GatewayAddress s_gw = new("site-1", "area-1", "gw-1");
    private static readonly DateTimeOffset s_t0 = new(2025, 5, 20, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_store_is_created_at_the_latest_schema_with_every_migration_recorded()
    {
        using var store = StoreFactory.Open();
        Assert.Equal(Migrations.LatestVersion, store.SchemaVersion);
        using var c = new SqliteConnection($"Data Source={store.FilePath}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        using var r = cmd.ExecuteReader();
        var versions = new List<long>();
        while (r.Read())
        {
            versions.Add(r.GetInt64(0));
        }

        Assert.Equal(Migrations.All.Select(m => (long)m.Version), versions);
        cmd.Dispose();
        r.Dispose();
        c.Close();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void A_version_1_store_is_upgraded_in_place_keeping_its_data()
    {
        var path = Path.Combine(TestDirectories.Create("upgrade"), "state.db");
        using (var c = new SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            Assert.Equal([1], Migrations.Apply(c, s_t0, targetVersion: 1));
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO ack_state VALUES ('gw-old', 's', 'a', 41, '45-50', 50, 47, 0, 3, '2025-01-01T00:00:00.0000000Z');
                INSERT INTO dead_letters (received_at, source, topic, reason, payload, payload_bytes)
                VALUES ('2025-01-01T00:00:00.0000000Z', 'gw-old', 'edge/v1/s/a/gw-old/readings', 'MalformedJson: x', x'7b7b', 2);
                """;
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var store = StoreFactory.Open(path);

        Assert.Equal(Migrations.LatestVersion, store.SchemaVersion);
        var state = Assert.Single(store.LoadAckStates());
        Assert.Equal(41, state.Ack.StoredThrough);
        Assert.Equal([new SeqSpan(45, 50)], state.Ack.Ranges);
        Assert.Equal(3, state.Duplicates);
        var letter = Assert.Single(store.GetDeadLetters(null, 10));
        Assert.Null(letter.Letter.Origin);
        Assert.Equal("{{"u8.ToArray(), letter.Letter.Payload.ToArray());
        Assert.Equal(new DeadLetterStats(1, 2, 1, 0), store.GetDeadLetterStats());
        Assert.Empty(store.GetLatest(null, null));
    }

    [Fact]
    public void A_store_written_by_a_newer_hub_is_refused_at_open_naming_both_versions()
    {
        var path = Path.Combine(TestDirectories.Create("newer"), "state.db");
        using (var store = StoreFactory.Open(path))
        {
        }

        using (var c = new SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO schema_migrations VALUES (99, 'from-the-future', '2030-01-01')";
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var again = StoreFactory.Create(path);
        var e = Assert.Throws<StateStoreException>(again.Open);
        Assert.Contains("99", e.Message, StringComparison.Ordinal);
        Assert.Contains(Migrations.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seqs_already_stored_are_duplicates_and_add_nothing_to_totals_even_after_reopening()
    {
        var path = Path.Combine(TestDirectories.Create("dedup"), "state.db");
        using (var store = StoreFactory.Open(path))
        {
            var c = Assert.Single(store.Commit([Readings(1, 10)], s_t0));
            Assert.Equal(10, c.NewReadings);
            Assert.Equal(10, c.Ack.StoredThrough);
        }

        using var reopened = StoreFactory.Open(path);
        var second = Assert.Single(reopened.Commit([Readings(5, 15)], s_t0.AddMinutes(1)));
        Assert.Equal(5, second.NewReadings);
        Assert.Equal(6, second.Duplicates);
        Assert.Equal(15, second.Ack.StoredThrough);
        var total = Assert.Single(reopened.GetCounterTotals("gw-1"));
        Assert.Equal(15, total.Total);
        Assert.Equal(15, total.Readings);
        Assert.Equal(15, total.LastSeq);
        var latest = Assert.Single(reopened.GetLatest("gw-1", null));
        Assert.Equal(15, latest.Seq);
        Assert.Equal(1015, latest.Value);
    }

    [Fact]
    public void Two_stores_on_one_file_see_each_others_commits_as_duplicates()
    {
        var path = Path.Combine(TestDirectories.Create("shared"), "state.db");
        using var a = StoreFactory.Open(path);
        using var b = StoreFactory.Open(path);
        a.Commit([Readings(1, 10)], s_t0);
        var fromB = Assert.Single(b.Commit([Readings(1, 20)], s_t0));
        Assert.Equal(10, fromB.NewReadings);
        Assert.Equal(10, fromB.Duplicates);
        Assert.Equal(20, Assert.Single(a.GetCounterTotals(null)).Total);
    }

    [Fact]
    public void A_dead_lettered_reading_is_acknowledged_but_changes_no_latest_value_or_total()
    {
        using var store = StoreFactory.Open();
        var work = Readings(1, 3) with { DeadLettered = new HashSet<int> { 2 } };
        var c = Assert.Single(store.Commit([work], s_t0));
        Assert.Equal(3, c.Ack.StoredThrough);
        var total = Assert.Single(store.GetCounterTotals(null));
        Assert.Equal(2, total.Total);
        Assert.Equal(2, Assert.Single(store.GetLatest(null, null)).Seq);
    }

    [Fact]
    public void A_scan_row_is_written_once_per_gateway_and_seq()
    {
        using var store = StoreFactory.Open();
        var scan = new ScanEvent { GatewayId = "gw-1", Seq = 7, Ts = s_t0, ClockSynced = true, Device = "sc", Station = "bay", Code = "ABC", Tech = ScanTech.Rfid };
        store.Commit([new StoreScan(s_gw, s_t0, scan, false)], s_t0);
        var again = Assert.Single(store.Commit([new StoreScan(s_gw, s_t0, scan, false)], s_t0));
        Assert.Equal(1, again.Duplicates);
        var row = Assert.Single(store.GetScans("gw-1", null, 10));
        Assert.Equal("rfid", row.Tech);
        Assert.Equal([new SeqSpan(7, 7)], again.Ack.Ranges);
    }

    [Fact]
    public void A_late_last_will_of_an_older_session_does_not_overwrite_a_newer_death_or_birth()
    {
        using var store = StoreFactory.Open();
        store.Commit([Birth(5), Death(5, graceful: true), Death(4, graceful: false), Birth(3)], s_t0);
        var g = Assert.Single(store.LoadRoster());
        Assert.Equal(5, g.BirthSession);
        Assert.Equal(5, g.DeathSession);
        Assert.True(g.DeathGraceful);
        Assert.Equal(["press", "scale"], g.Devices.Select(d => d.Device));
    }

    [Fact]
    public void Dead_letters_beyond_the_row_cap_evict_the_oldest_and_count_them()
    {
        using var store = StoreFactory.Open(deadLetters: new DeadLetterOptions { MaxRows = 10 });
        for (var i = 0; i < 5; i++)
        {
            store.AddDeadLetters([.. Enumerable.Range(i * 5, 5).Select(Letter)]);
        }

        var stats = store.GetDeadLetterStats();
        Assert.Equal(10, stats.Rows);
        Assert.Equal(25, stats.Total);
        Assert.Equal(15, stats.Evicted);
        var newest = store.GetDeadLetters(null, 3);
        Assert.Equal(["r24", "r23", "r22"], newest.Select(l => l.Letter.Reason));
        var next = store.GetDeadLetters(newest[^1].Id, 100);
        Assert.Equal(7, next.Count);
    }

    [Fact]
    public void Dead_letters_are_truncated_and_capped_by_total_bytes()
    {
        using var store = StoreFactory.Open(deadLetters: new DeadLetterOptions { MaxRows = 1000, MaxPayloadBytes = 100, MaxTotalBytes = 1000 });
        var big = new byte[5000];
        store.AddDeadLetters([.. Enumerable.Range(0, 30).Select(i => new DeadLetterRecord(s_t0, "gw", "t", $"r{i}", big, big.Length, null))]);
        var stats = store.GetDeadLetterStats();
        Assert.Equal(10, stats.Rows);
        Assert.Equal(1000, stats.PayloadBytes);
        Assert.Equal(20, stats.Evicted);
        var letter = store.GetDeadLetters(null, 1)[0];
        Assert.True(letter.Letter.Truncated);
        Assert.Equal(5000, letter.Letter.PayloadBytes);
        Assert.Equal(100, letter.Letter.Payload.Length);
    }

    [Fact]
    public async Task An_influx_dead_letter_outlives_a_flood_of_refused_messages_beyond_the_caps_and_stays_whole()
    {
        using var store = StoreFactory.Open(deadLetters: new DeadLetterOptions { MaxRows = 10, MaxPayloadBytes = 100, MaxTotalBytes = 1000 });

        // Longer than a letter may be and than all letters together may be: it is still the reading's only copy.
        var line = "weight,device=scale-1,gateway=gw-1 kg=\"" + new string('x', 5000) + "\",seq=7i 1748764800000000000";
        await store.AddAsync([new Edge.Hub.Influx.DeadLetter(line, "HTTP 400: field type conflict", 400, s_t0, "gw-1 seq 7-7")], CancellationToken.None);
        var flood = new byte[5000];
        for (var i = 0; i < 5; i++)
        {
            store.AddDeadLetters([.. Enumerable.Range(i * 10, 10).Select(n => new DeadLetterRecord(s_t0.AddSeconds(n), "gw-evil", "edge/v1/s/a/gw-evil/readings", $"r{n}", flood, flood.Length, null))]);
        }

        var letters = store.GetDeadLetters(null, 1000);
        var kept = Assert.Single(letters, l => l.Letter.Kind == DeadLetterKind.Influx);
        Assert.Equal(line, System.Text.Encoding.UTF8.GetString(kept.Letter.Payload.Span));
        Assert.False(kept.Letter.Truncated);
        Assert.Equal("gw-1 seq 7-7", kept.Letter.Origin);
        Assert.Equal(["r49", "r48", "r47", "r46", "r45", "r44", "r43", "r42", "r41", "r40"], letters.Where(l => l.Letter.Kind == DeadLetterKind.Mqtt).Select(l => l.Letter.Reason));
        Assert.All(letters.Where(l => l.Letter.Kind == DeadLetterKind.Mqtt), l => Assert.Equal(100, l.Letter.Payload.Length));
        var stats = store.GetDeadLetterStats();
        Assert.Equal(11, stats.Rows);
        Assert.Equal(51, stats.Total);
        Assert.Equal(40, stats.Evicted);
    }

    [Fact]
    public async Task Purging_one_kind_of_dead_letter_leaves_the_other()
    {
        using var store = StoreFactory.Open();
        await store.AddAsync([new Edge.Hub.Influx.DeadLetter("m v=1i 1", "HTTP 400: x", 400, s_t0, null)], CancellationToken.None);
        store.AddDeadLetters([Letter(1), Letter(2)]);

        Assert.Equal(2, store.PurgeDeadLetters(DeadLetterKind.Mqtt));
        Assert.Equal(DeadLetterKind.Influx, Assert.Single(store.GetDeadLetters(null, 10)).Letter.Kind);
        Assert.Equal(1, store.PurgeDeadLetters(DeadLetterKind.Influx));
        Assert.Empty(store.GetDeadLetters(null, 10));
        Assert.Equal(3, store.GetDeadLetterStats().Total);
    }

    [Fact]
    public void Upgrading_marks_the_old_letters_of_the_influx_writer_by_their_missing_topic_not_by_their_source()
    {
        var path = Path.Combine(TestDirectories.Create("upgrade-kind"), "state.db");
        using (var c = new SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            Migrations.Apply(c, s_t0, targetVersion: 4);
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO dead_letters (received_at, source, topic, reason, payload, payload_bytes, origin)
                VALUES ('2025-01-01T00:00:00.0000000Z', 'influx', NULL, 'HTTP 400: field type conflict', x'6d20763d3169', 6, 'gw-1 seq 1-1');
                INSERT INTO dead_letters (received_at, source, topic, reason, payload, payload_bytes)
                VALUES ('2025-01-01T00:00:01.0000000Z', 'influx', 'edge/v1/s/a/influx/readings', 'MalformedJson: x', x'7b7b', 2);
                """;
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var store = StoreFactory.Open(path);

        var letters = store.GetDeadLetters(null, 10);
        Assert.Equal([DeadLetterKind.Mqtt, DeadLetterKind.Influx], letters.Select(l => l.Letter.Kind));
    }

    internal static StoreReadings Readings(long from, long to)
    {
        var readings = new List<Reading>();
        for (var s = from; s <= to; s++)
        {
            readings.Add(new CounterReading { Seq = s, Device = "press", Channel = "bales", Ts = s_t0.AddSeconds(s), Raw = (ulong)(1000 + s), Delta = 1, Epoch = 0, Width = 32 });
        }

        return new StoreReadings(s_gw, s_t0, readings, new HashSet<int>(), to, true);
    }

    private static StoreBirth Birth(long session) => new(s_gw, s_t0, new GatewayBirth
    {
        GatewayId = "gw-1",
        Seq = 0,
        Ts = s_t0.AddSeconds(session),
        ClockSynced = true,
        Session = session,
        Devices = [new DeviceStatus { Device = "press", State = DeviceState.Ok, ErrorCount = 0 }, new DeviceStatus { Device = "scale", State = DeviceState.Degraded, ErrorCount = 2 }],
    }, false);

    private static StoreDeath Death(long session, bool graceful) => new(s_gw, s_t0, new GatewayDeath { GatewayId = "gw-1", Seq = 0, Ts = s_t0, ClockSynced = true, Session = session, Graceful = graceful });

    private static DeadLetterRecord Letter(int i) => new(s_t0.AddSeconds(i), "gw-1", "edge/v1/s/a/gw-1/readings", $"r{i}", "{}"u8.ToArray(), 2, null);
}
