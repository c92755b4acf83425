using Edge.Hub.Influx;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Influx;

/// <summary>The writer against the real influxd 1.x (one shared server, a database per test).</summary>
[Trait(Traits.Category, Traits.Integration)]
public class InfluxWriterIntegrationTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    private static long Ns(DateTimeOffset ts) => (ts.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static InfluxPoint[] WithStringKg(InfluxPoint[] points, params int[] indexes)
    {
        foreach (var i in indexes)
        {
            var fields = new Dictionary<string, InfluxFieldValue>(points[i].Fields) { ["kg"] = InfluxFieldValue.String("heavy") };
            points[i] = points[i] with { Fields = fields };
        }

        return points;
    }

    private static async Task<long> CountAsync(InfluxServer influx, string db, string query)
    {
        var rows = await influx.QueryRowsAsync(db, query);
        return rows.Count == 0 ? 0 : rows[0][1].GetInt64();
    }

    [Fact]
    public async Task Points_are_written_gzipped_and_read_back_with_their_own_timestamps()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("w");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);
        var points = Points.Weights(5);

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        Assert.True(result.AllWritten);
        var rows = await influx.QueryRowsAsync(db, "SELECT kg, seq, stable, state, device FROM weight ORDER BY time");
        Assert.Equal(5, rows.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Ns(points[i].Timestamp), rows[i][0].GetInt64());
            Assert.Equal(1000.5 + i + 1, rows[i][1].GetDouble());
            Assert.Equal(i + 1, rows[i][2].GetInt64());
            Assert.Equal((i + 1) % 2 == 0, rows[i][3].GetBoolean());
            Assert.Equal("ok", rows[i][4].GetString());
            Assert.Equal("scale-1", rows[i][5].GetString());
        }

        Assert.All(h.Counter.Requests, r => Assert.Equal("gzip", r.ContentEncoding));
        Assert.Equal(1, h.Writer.GetMetrics().Batches);
    }

    [Fact]
    public async Task Readings_formatted_straight_to_lines_are_stored_and_a_line_protocol_cannot_carry_is_dead_lettered_alone()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("l");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);
        var source = new PointSource("plant1", "hall", "gw-01");
        var lines = new InfluxLinesBuilder();
        for (var i = 1; i <= 4; i++)
        {
            // The third counter cannot be an InfluxDB 1.x integer; the others must not suffer for it.
            var raw = i == 3 ? ulong.MaxValue : (ulong)(100 + i);
            InfluxSchema.AppendLine(lines, new Contracts.CounterReading { Seq = i, Device = "line-1", Channel = "bales", Ts = Points.Start.AddTicks(i), Raw = raw, Delta = 1, Epoch = 0, Width = 64 }, source);
        }

        var result = await (await h.Writer.EnqueueAsync(lines.ToLines(), "gw-01 seq 1-4")).WaitAsync(s_settle);

        var dead = Assert.Single(result.DeadLettered);
        Assert.Equal(2, dead.Index);
        Assert.Equal(4, result.Count);
        Assert.Equal([1L, 2, 4], (await influx.QueryRowsAsync(db, "SELECT seq FROM counter WHERE channel = 'bales' ORDER BY time")).Select(r => r[1].GetInt64()));
        var letter = Assert.Single(h.Sink.Letters);
        Assert.Equal("gw-01 seq 1-4", letter.Origin);
        Assert.Contains("seq=3i", letter.Line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escaping_survives_a_round_trip_through_influxd()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("e");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);
        const string Measurement = "we ig,ht=1";
        const string TagKey = "ta g,=k";
        const string TagValue = "v a,l=ue \\x 毛重";
        const string FieldKey = "fi eld,=k";
        const string Text = "say \"hi\", C:\\dir\\ = 100% \\";
        var ts = Points.Start.AddTicks(1234567);
        var point = new InfluxPoint
        {
            Measurement = Measurement,
            Tags = new Dictionary<string, string> { [TagKey] = TagValue },
            Fields = new Dictionary<string, InfluxFieldValue>
            {
                [FieldKey] = InfluxFieldValue.String(Text),
                ["f"] = InfluxFieldValue.Float(0.1),
                ["big"] = InfluxFieldValue.Float(1e20),
                ["tiny"] = InfluxFieldValue.Float(-1.5e-7),
                ["i"] = InfluxFieldValue.Integer(long.MinValue),
            },
            Timestamp = ts,
        };

        var result = await (await h.Writer.EnqueueAsync(point)).WaitAsync(s_settle);

        Assert.True(result.AllWritten);
        var rows = await influx.QueryRowsAsync(db, $"SELECT \"{FieldKey}\", \"{TagKey}\", f, big, tiny, i FROM \"{Measurement}\"");
        var row = Assert.Single(rows);
        Assert.Equal(Ns(ts), row[0].GetInt64());
        Assert.Equal(Text, row[1].GetString());
        Assert.Equal(TagValue, row[2].GetString());
        Assert.Equal(0.1, row[3].GetDouble());
        Assert.Equal(1e20, row[4].GetDouble());
        Assert.Equal(-1.5e-7, row[5].GetDouble());
        Assert.Equal(long.MinValue, row[6].GetInt64());
    }

    [Fact]
    public async Task Replayed_points_overwrite_the_same_series_and_time_instead_of_adding_points()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("r");
        var points = Points.Weights(200);

        // First delivery, then a replay through a new writer with other batch boundaries (as after a hub restart).
        await using (var first = await WriterHarness.StartAsync(influx.BaseUri, db, o => o.BatchSize = 64))
        {
            Assert.True((await (await first.Writer.EnqueueAsync(points)).WaitAsync(s_settle)).AllWritten);
        }

        await using var replay = await WriterHarness.StartAsync(influx.BaseUri, db, o => o.BatchSize = 7);
        Assert.True((await (await replay.Writer.EnqueueAsync(points[50..])).WaitAsync(s_settle)).AllWritten);
        Assert.True((await (await replay.Writer.EnqueueAsync(points)).WaitAsync(s_settle)).AllWritten);

        Assert.Equal(200, await CountAsync(influx, db, "SELECT COUNT(seq) FROM weight"));
        Assert.Equal(200, await CountAsync(influx, db, "SELECT COUNT(kg) FROM weight"));
        using var series = await influx.ExecuteAsync("SHOW SERIES FROM weight", db);
        Assert.Single(series.RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("values").EnumerateArray());
    }

    [Fact]
    public async Task Field_type_conflict_dead_letters_only_the_conflicting_points_and_sends_the_rest_again()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("c");

        // The field exists as float in the shard the points fall in, so influxd stores the rest and says "partial write".
        await influx.WriteAsync(db, $"weight,device=scale-1 kg=1 {Ns(Points.Start)}");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);
        var points = WithStringKg(Points.Weights(6), 1, 4);

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        Assert.Equal([1, 4], result.DeadLettered.Select(d => d.Index));
        Assert.All(h.Sink.Letters, l =>
        {
            Assert.Equal(400, l.StatusCode);
            Assert.Contains("field type conflict", l.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(points.Where((_, i) => i is 1 or 4).Select(LineProtocol.Format), h.Sink.Letters.Select(l => l.Line));

        // influxd stored the other four already; they go once more (overwriting), with no bisecting.
        Assert.Equal(2, h.Counter.Count);
        Assert.Equal(5, await CountAsync(influx, db, "SELECT COUNT(kg) FROM weight"));
    }

    [Fact]
    public async Task Conflicts_in_two_shards_of_one_request_are_both_dead_lettered_though_influxd_reports_one()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("s");

        // Two shard groups (7 days each by default), each knowing kg as float and state as string.
        var later = Points.Start.AddDays(28);
        await influx.WriteAsync(db, $"weight,device=scale-1 kg=1,state=\"ok\" {Ns(Points.Start)}\nweight,device=scale-1 kg=1,state=\"ok\" {Ns(later)}");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);
        var points = WithStringKg(Points.Weights(8), 1);
        for (var i = 4; i < 8; i++)
        {
            points[i] = points[i] with { Timestamp = later.AddTicks(i) };
        }

        // A conflict on another field in the later shard: influxd answers with one shard's error and dropped=1, and
        // that error pins exactly one line, so its count looks complete while the other shard dropped a line too.
        points[6] = points[6] with { Fields = new Dictionary<string, InfluxFieldValue>(points[6].Fields) { ["state"] = InfluxFieldValue.Integer(3) } };

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        // Which shard's error influxd reports first is a race; either way both lines end up set aside.
        Assert.Equal([1, 6], result.DeadLettered.Select(d => d.Index).Order());
        Assert.Equal(2, h.Sink.Letters.Count);
        Assert.Equal(6, await CountAsync(influx, db, "SELECT COUNT(seq) FROM weight"));
        Assert.Equal(3, h.Counter.Count);
    }

    [Fact]
    public async Task Field_type_conflict_inside_one_batch_is_bisected_to_the_conflicting_points()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("c");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);

        // A new shard: influxd answers a bare "field type conflict" and stores nothing, naming no line.
        var points = WithStringKg(Points.Weights(8), 3, 6);

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        Assert.Equal([3, 6], result.DeadLettered.Select(d => d.Index));
        Assert.Equal(6, await CountAsync(influx, db, "SELECT COUNT(kg) FROM weight"));
        Assert.Equal(8, await CountAsync(influx, db, "SELECT COUNT(seq) FROM weight") + 2);
        Assert.InRange(h.Counter.Count, 2, 1 + (2 * 3));
    }

    [Fact]
    public async Task Missing_database_holds_the_data_with_an_alarm_until_it_is_created()
    {
        var influx = await SharedInflux.GetAsync();
        var db = TestDirectories.UniqueToken("m");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);

        var completion = await h.Writer.EnqueueAsync(Points.Weights(3));
        var deadline = DateTime.UtcNow + s_settle;
        while (h.Writer.Status.State != InfluxWriterState.Held && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(InfluxAlarm.DestinationMissing, h.Writer.Status.Alarm);
        Assert.Equal(404, h.Writer.Status.LastStatusCode);
        Assert.Contains("database not found", h.Writer.Status.LastError, StringComparison.Ordinal);
        Assert.False(completion.IsCompleted);

        await influx.ExecuteAsync($"CREATE DATABASE \"{db}\"");
        var result = await completion.WaitAsync(s_settle);

        Assert.True(result.AllWritten);
        Assert.Equal(InfluxWriterState.Healthy, h.Writer.Status.State);
        Assert.Equal(3, await CountAsync(influx, db, "SELECT COUNT(seq) FROM weight"));
        Assert.Empty(h.Sink.Letters);
    }

    [Fact]
    public async Task Groups_settle_in_admission_order_and_every_point_is_stored_once()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("g");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db, o =>
        {
            o.BatchSize = 500;
            o.QueueCapacityLines = 2000;
        });
        var completions = new List<Task<InfluxWriteResult>>();
        var earlierSettledFirst = new List<Task<bool>>();
        for (var g = 0; g < 40; g++)
        {
            var completion = await h.Writer.EnqueueAsync(Points.Weights(100, firstSeq: 1 + (g * 100L)));
            var earlier = completions.ToArray();
            earlierSettledFirst.Add(completion.ContinueWith(_ => earlier.All(e => e.IsCompleted), TaskScheduler.Default));
            completions.Add(completion);
        }

        await Task.WhenAll(completions).WaitAsync(s_settle);

        Assert.All(completions, c => Assert.True(c.Result.AllWritten));
        Assert.All(await Task.WhenAll(earlierSettledFirst), Assert.True);
        Assert.Equal(4000, await CountAsync(influx, db, "SELECT COUNT(seq) FROM weight"));
        Assert.Equal(4000, h.Writer.GetMetrics().LinesWritten);
        Assert.Equal(0, h.Writer.GetMetrics().QueuedLines);
    }

    [Fact]
    public async Task Flush_sends_without_waiting_for_the_batch_interval()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("f");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db, o => o.BatchInterval = TimeSpan.FromMinutes(1));
        var completion = await h.Writer.EnqueueAsync(Points.Weights(3));

        await h.Writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(completion.IsCompletedSuccessfully);
        Assert.Equal(3, await CountAsync(influx, db, "SELECT COUNT(seq) FROM weight"));
        Assert.Equal(InfluxWriterState.Healthy, h.Writer.Status.State);
    }
}
