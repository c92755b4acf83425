using System.Diagnostics;
using System.Diagnostics.Metrics;
using Edge.Hub.Influx;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Influx;

/// <summary>
/// Answers a real influxd cannot be made to give on demand (413, 429 with Retry-After, 503, 401, a stalled server),
/// from an in-process fake on a real loopback socket. Everything else is tested against the real influxd.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public class InfluxWriterFaultTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Too_large_batch_is_halved_until_accepted_and_a_single_oversized_line_is_dead_lettered()
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(w => w.Lines.Count > 3 || w.Lines.Any(l => l.Contains("huge", StringComparison.Ordinal))
            ? new FakeAnswer(413, "Request Entity Too Large")
            : FakeAnswer.NoContent);
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");
        var points = Points.Weights(11);
        points[5] = Points.Weight(6, device: "huge");

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        var dead = Assert.Single(result.DeadLettered);
        Assert.Equal(5, dead.Index);
        Assert.Contains("413", dead.Reason, StringComparison.Ordinal);
        var expected = points.Where((_, i) => i != 5).Select(LineProtocol.Format).Order(StringComparer.Ordinal);
        Assert.Equal(expected, fake.Stored.Order(StringComparer.Ordinal));
        var letter = Assert.Single(h.Sink.Letters);
        Assert.Equal(413, letter.StatusCode);
        Assert.Equal(LineProtocol.Format(points[5]), letter.Line);
        Assert.True(h.Writer.GetMetrics().Splits >= 3);
    }

    [Fact]
    public async Task Bad_request_naming_one_line_dead_letters_that_line_and_sends_the_rest_again()
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(w =>
        {
            var bad = w.Lines.FirstOrDefault(l => l.Contains("device=bad", StringComparison.Ordinal));
            return bad is null
                ? FakeAnswer.NoContent
                : new FakeAnswer(400, $"partial write: unable to parse '{bad}': invalid field format dropped=0", Stored: [.. w.Lines.Where(l => l != bad)]);
        });
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");
        var points = Points.Weights(6);
        points[2] = Points.Weight(3, device: "bad");

        var result = await (await h.Writer.EnqueueAsync(points, origin: "gw-1 seq 1-6")).WaitAsync(s_settle);

        Assert.Equal(2, Assert.Single(result.DeadLettered).Index);
        Assert.Equal(5, result.Written);

        // "partial write" is no proof the others were stored: they go again, once, without the named line.
        var others = points.Where((_, i) => i != 2).Select(LineProtocol.Format).ToList();
        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal(others, fake.Requests[1].Lines);
        Assert.Equal(others.Order(StringComparer.Ordinal), fake.Stored.Distinct().Order(StringComparer.Ordinal));
        var letter = Assert.Single(h.Sink.Letters);
        Assert.Equal(LineProtocol.Format(points[2]), letter.Line);
        Assert.Equal(400, letter.StatusCode);
        Assert.Contains("invalid field format", letter.Reason, StringComparison.Ordinal);
        Assert.Equal("gw-1 seq 1-6", letter.Origin);
    }

    [Fact]
    public async Task Partial_write_whose_count_covers_only_one_shard_loses_none_of_the_lines_it_does_not_name()
    {
        // influxd 1.x writes each shard of a request on its own and answers with the first shard's error alone. Here
        // the first shard stored all but its conflicting line (dropped=1), while the second shard's write failed
        // (its cache was full, say) and stored nothing: the answer does not mention that line at all.
        var secondShard = Points.Start.AddDays(14);
        await using var fake = await FakeInflux.StartAsync();
        var points = Points.Weights(6);
        points[1] = points[1] with { Fields = new Dictionary<string, InfluxFieldValue>(points[1].Fields) { ["kg"] = InfluxFieldValue.String("heavy") } };
        points[4] = points[4] with { Timestamp = secondShard };
        var conflicting = LineProtocol.Format(points[1]);
        var inSecondShard = LineProtocol.Format(points[4]);
        fake.Respond(w => w.Lines.Contains(conflicting)
            ? new FakeAnswer(
                400,
                "partial write: field type conflict: input field \"kg\" on measurement \"weight\" is type string, already exists as type float dropped=1",
                Stored: [.. w.Lines.Where(l => l != conflicting && l != inSecondShard)])
            : FakeAnswer.NoContent);
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        Assert.Equal(1, Assert.Single(result.DeadLettered).Index);
        Assert.Equal(conflicting, Assert.Single(h.Sink.Letters).Line);
        Assert.Contains(inSecondShard, fake.Stored);
        Assert.Equal(
            points.Where((_, i) => i != 1).Select(LineProtocol.Format).Order(StringComparer.Ordinal),
            fake.Stored.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Bad_request_naming_no_line_is_bisected_down_to_the_offending_line()
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(w => w.Lines.Any(l => l.Contains("device=old", StringComparison.Ordinal))
            ? new FakeAnswer(400, "partial write: points beyond retention policy dropped=1", Stored: [.. w.Lines.Where(l => !l.Contains("device=old", StringComparison.Ordinal))])
            : FakeAnswer.NoContent);
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");
        var points = Points.Weights(16);
        points[11] = Points.Weight(12, device: "old");

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        Assert.Equal(11, Assert.Single(result.DeadLettered).Index);
        Assert.Contains("beyond retention policy", Assert.Single(h.Sink.Letters).Reason, StringComparison.Ordinal);
        Assert.Equal(
            points.Where((_, i) => i != 11).Select(LineProtocol.Format).Order(StringComparer.Ordinal),
            fake.Stored.Distinct().Order(StringComparer.Ordinal));

        // Bisecting 16 lines: at most two requests per level of halving, plus the first.
        Assert.InRange(fake.Requests.Count, 2, 1 + (2 * 4));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Refused_credentials_hold_the_data_raise_the_alarm_and_deliver_once_fixed(int status)
    {
        var right = "Basic " + Convert.ToBase64String("hub:right"u8.ToArray());
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(w => w.Authorization == right ? FakeAnswer.NoContent : new FakeAnswer(status, "authorization failed"));
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db", o =>
        {
            o.Username = "hub";
            o.Password = "wrong";
        });
        var events = new List<InfluxWriterStatus>();
        h.Writer.StatusChanged += (_, s) =>
        {
            lock (events)
            {
                events.Add(s);
            }
        };
        using var listener = AlarmListener(h.Writer.Meter, out var readAlarm);

        var completion = await h.Writer.EnqueueAsync(Points.Weights(3));
        await fake.WaitForRequestsAsync(1, s_settle);
        var heldAt = fake.Now;
        await Task.Delay(1500);

        Assert.False(completion.IsCompleted);
        Assert.Equal(InfluxWriterState.Held, h.Writer.Status.State);
        Assert.Equal(InfluxAlarm.AuthenticationFailed, h.Writer.Status.Alarm);
        Assert.Equal(status, h.Writer.Status.LastStatusCode);
        Assert.Equal((int)InfluxAlarm.AuthenticationFailed, readAlarm());
        Assert.Equal(3, h.Writer.GetMetrics().QueuedLines);
        Assert.Empty(h.Sink.Letters);

        // Held retries come every HeldRetryInterval (300 ms), not in a loop.
        var during = fake.Requests.Count(r => r.At >= heldAt);
        Assert.InRange(during, 2, 7);

        h.Writer.SetCredentials("hub", "right");
        var result = await completion.WaitAsync(s_settle);

        Assert.True(result.AllWritten);
        Assert.Equal(3, fake.Stored.Count);
        Assert.Equal(InfluxWriterState.Healthy, h.Writer.Status.State);
        Assert.Equal(0, readAlarm());
        lock (events)
        {
            Assert.Equal([InfluxWriterState.Held, InfluxWriterState.Healthy], events.Select(e => e.State));
            Assert.Equal(InfluxAlarm.AuthenticationFailed, events[0].Alarm);
        }
    }

    [Fact]
    public async Task Unauthorized_hold_also_ends_when_influx_starts_accepting_the_same_credentials()
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(_ => new FakeAnswer(401, "authorization failed"));
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db", o =>
        {
            o.Username = "hub";
            o.Password = "secret";
        });

        var completion = await h.Writer.EnqueueAsync(Points.Weights(2));
        await fake.WaitForRequestsAsync(2, s_settle);
        Assert.Equal(InfluxAlarm.AuthenticationFailed, h.Writer.Status.Alarm);

        fake.Respond(_ => FakeAnswer.NoContent);

        Assert.True((await completion.WaitAsync(s_settle)).AllWritten);
        Assert.Equal(InfluxAlarm.None, h.Writer.Status.Alarm);
        Assert.StartsWith("Basic ", fake.Requests[0].Authorization, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seconds")]
    [InlineData("date")]
    public async Task Too_many_requests_waits_as_long_as_retry_after_says(string form)
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(w => w.Number == 1
            ? new FakeAnswer(429, "too many requests", form == "seconds" ? "2" : DateTimeOffset.UtcNow.AddSeconds(3).ToString("r"))
            : FakeAnswer.NoContent);
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");

        var result = await (await h.Writer.EnqueueAsync(Points.Weights(2))).WaitAsync(s_settle);

        Assert.True(result.AllWritten);
        var requests = fake.Requests;
        Assert.Equal(2, requests.Count);
        var gap = requests[1].At - requests[0].At;

        // The writer's own first backoff would be 0.1–0.2 s; an HTTP date has whole seconds, so 3 s ahead is ≥ 2 s.
        Assert.InRange(gap, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Service_unavailable_backs_off_with_jitter_and_never_busy_loops()
    {
        var window = TimeSpan.FromSeconds(6);
        await using var fake = await FakeInflux.StartAsync();
        TimeSpan? first = null;
        fake.Respond(w =>
        {
            first ??= w.At;
            return w.At - first < window ? new FakeAnswer(503, "service unavailable") : FakeAnswer.NoContent;
        });
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db", o =>
        {
            o.InitialRetryDelay = TimeSpan.FromMilliseconds(200);
            o.MaxRetryDelay = TimeSpan.FromSeconds(1);
        });
        var states = new List<InfluxWriterState>();
        h.Writer.StatusChanged += (_, s) =>
        {
            lock (states)
            {
                states.Add(s.State);
            }
        };

        var result = await (await h.Writer.EnqueueAsync(Points.Weights(4))).WaitAsync(s_settle);

        Assert.True(result.AllWritten);
        var failed = fake.Requests.Where(r => r.At - first < window).ToList();
        Assert.InRange(failed.Count, 4, h.Writer.Schedule.MaxRequestsWithin(window));
        var gaps = failed.Zip(failed.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.All(gaps, g => Assert.True(g >= TimeSpan.FromMilliseconds(90), $"gap {g} is a busy loop"));

        // Once at the 1 s ceiling the waits are jittered between 0.5 and 1 s, not all equal.
        var capped = gaps.Skip(3).Select(g => Math.Round(g.TotalMilliseconds / 20)).Distinct().Count();
        Assert.True(capped >= 2, "the capped waits are all the same: no jitter");
        Assert.Equal(failed.Count, h.Writer.GetMetrics().Retries);
        lock (states)
        {
            Assert.Equal([InfluxWriterState.Retrying, InfluxWriterState.Healthy], states);
        }
    }

    [Fact]
    public async Task Full_queue_makes_enqueue_wait_and_try_enqueue_report_full()
    {
        await using var fake = await FakeInflux.StartAsync();
        var gate = new TaskCompletionSource<FakeAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.RespondAsync(_ => gate.Task);
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db", o =>
        {
            o.BatchSize = 5;
            o.QueueCapacityLines = 10;
        });

        var held = await h.Writer.EnqueueAsync(Points.Weights(10));
        await fake.WaitForRequestsAsync(1, s_settle);

        Assert.False(h.Writer.TryEnqueue(Points.Weights(1, firstSeq: 11), null, out var none));
        Assert.Null(none);
        using var cancel = new CancellationTokenSource();
        var cancelled = h.Writer.EnqueueAsync(Points.Weights(1, firstSeq: 12), cancellationToken: cancel.Token).AsTask();
        var waiting = h.Writer.EnqueueAsync(Points.Weights(2, firstSeq: 13)).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(10, h.Writer.GetMetrics().QueuedLines);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(waiting.IsCompleted);

        gate.SetResult(FakeAnswer.NoContent);
        var admitted = await waiting.WaitAsync(s_settle);
        Assert.True((await held.WaitAsync(s_settle)).AllWritten);
        Assert.True((await admitted.WaitAsync(s_settle)).AllWritten);
        Assert.Equal(12, fake.Stored.Count);
        Assert.DoesNotContain(fake.Stored, l => l.Contains("seq=12i", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_closes_at_batch_size_at_once_and_otherwise_after_the_interval()
    {
        await using var fake = await FakeInflux.StartAsync();
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db", o =>
        {
            o.BatchSize = 5;
            o.BatchInterval = TimeSpan.FromSeconds(3);
        });

        var enqueuedAt = fake.Now;
        var tasks = new List<Task<InfluxWriteResult>>();
        foreach (var p in Points.Weights(12))
        {
            tasks.Add(await h.Writer.EnqueueAsync(p));
        }

        await Task.WhenAll(tasks).WaitAsync(s_settle);

        var requests = fake.Requests;
        Assert.Equal([5, 5, 2], requests.Select(r => r.Lines.Count));
        Assert.True(requests[1].At - enqueuedAt < TimeSpan.FromSeconds(1.5), "full batches must not wait for the interval");
        Assert.True(requests[2].At - enqueuedAt >= TimeSpan.FromSeconds(2.9), "a partial batch waits for the interval");
        Assert.All(tasks, t => Assert.True(t.Result.AllWritten));
    }

    [Fact]
    public async Task Requests_are_gzip_compressed_to_the_configured_database_at_nanosecond_precision()
    {
        await using var fake = await FakeInflux.StartAsync();
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "plant db", o => o.RetentionPolicy = "rp1");

        await (await h.Writer.EnqueueAsync(Points.Weights(3))).WaitAsync(s_settle);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.Equal("?db=plant%20db&rp=rp1&precision=ns", request.Query);
        Assert.Equal(Points.Weights(3).Select(LineProtocol.Format), request.Lines);
        Assert.Null(request.Authorization);
    }

    [Fact]
    public async Task Unwritable_point_is_dead_lettered_without_being_sent_and_the_group_still_settles()
    {
        await using var fake = await FakeInflux.StartAsync();
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");
        var points = Points.Weights(3);
        points[1] = points[1] with { Fields = new Dictionary<string, InfluxFieldValue> { ["kg"] = InfluxFieldValue.Float(double.NaN) } };

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(s_settle);

        Assert.Equal(1, Assert.Single(result.DeadLettered).Index);
        Assert.Equal(2, fake.Stored.Count);
        var letter = Assert.Single(h.Sink.Letters);
        Assert.Null(letter.StatusCode);
        Assert.Contains("NaN", letter.Reason, StringComparison.Ordinal);
        Assert.Contains("kg=NaN", letter.Line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failing_dead_letter_sink_keeps_the_group_unsettled_until_it_stores_the_letter()
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(w => new FakeAnswer(400, $"unable to parse '{w.Lines[0]}': invalid number"));
        var sink = new FlakySink(failures: 2);
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db", sink: sink);

        var result = await (await h.Writer.EnqueueAsync(Points.Weight(1))).WaitAsync(s_settle);

        Assert.Equal(0, Assert.Single(result.DeadLettered).Index);
        Assert.Equal(3, sink.Calls);
        Assert.Single(sink.Stored);
    }

    [Fact]
    public async Task Stopping_before_influx_answers_cancels_the_group_so_nobody_acknowledges_it()
    {
        await using var fake = await FakeInflux.StartAsync();
        fake.Respond(_ => new FakeAnswer(503, "down"));
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");
        var completion = await h.Writer.EnqueueAsync(Points.Weights(2));
        await fake.WaitForRequestsAsync(1, s_settle);

        using var drain = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await h.Writer.StopAsync(drain.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completion);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await h.Writer.EnqueueAsync(Points.Weight(9)));
        Assert.Equal(0, h.Writer.GetMetrics().QueuedLines);
    }

    [Fact]
    public async Task Instruments_are_published_on_the_edge_hub_influx_meter()
    {
        await using var fake = await FakeInflux.StartAsync();
        await using var h = await WriterHarness.StartAsync(fake.BaseUri, "db");
        var names = new HashSet<string>();
        long linesWritten = 0;
        var durations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == h.Writer.Meter)
            {
                lock (names)
                {
                    names.Add(instrument.Name);
                }

                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "edge.hub.influx.lines.written")
            {
                Interlocked.Add(ref linesWritten, value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "edge.hub.influx.write.duration")
            {
                Interlocked.Increment(ref durations);
            }
        });
        listener.Start();

        await (await h.Writer.EnqueueAsync(Points.Weights(3))).WaitAsync(s_settle);

        Assert.Equal(InfluxWriterMetrics.MeterName, h.Writer.Meter.Name);
        Assert.Superset(
            new HashSet<string>
            {
                "edge.hub.influx.write.duration", "edge.hub.influx.requests", "edge.hub.influx.retries", "edge.hub.influx.batches",
                "edge.hub.influx.lines.written", "edge.hub.influx.dead_letters", "edge.hub.influx.queue.lines",
                "edge.hub.influx.queue.bytes", "edge.hub.influx.alarm", "edge.hub.influx.write.duration.p99",
            },
            names);
        Assert.Equal(3, Interlocked.Read(ref linesWritten));
        Assert.Equal(1, durations);
        var m = h.Writer.GetMetrics();
        Assert.Equal(1, m.Batches);
        Assert.Equal(1, m.LatencyCount);
        Assert.True(m.LatencyP99Seconds > 0 && m.LatencySumSeconds > 0);
    }

    private static MeterListener AlarmListener(Meter meter, out Func<int> read)
    {
        var value = -1;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "edge.hub.influx.alarm")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, v, _, _) => Volatile.Write(ref value, v));
        listener.Start();
        read = () =>
        {
            listener.RecordObservableInstruments();
            return Volatile.Read(ref value);
        };
        return listener;
    }

    private sealed class FlakySink(int failures) : IDeadLetterSink
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public List<DeadLetter> Stored { get; } = [];

        public ValueTask AddAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) <= failures)
            {
                throw new IOException("state store unavailable");
            }

            Stored.AddRange(letters);
            return ValueTask.CompletedTask;
        }
    }
}
