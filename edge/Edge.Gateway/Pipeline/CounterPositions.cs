using System.Collections.Concurrent;
using System.Globalization;
using Edge.Contracts;
using Edge.Gateway.State;
using Edge.Outbox;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Pipeline;

/// <summary>The last stored reading of one counter: its raw value, epoch and seq.</summary>
internal sealed record CounterPosition(ulong Raw, long Epoch, long Seq);

/// <summary>
/// Where each counter (PLC counter channel, pulse counter) stood in the last reading the outbox committed, so a
/// restarted gateway resumes the delta arithmetic exactly where the hub's sum stands: no increment counted twice,
/// none lost while the gateway was down.
/// </summary>
/// <remarks>
/// <para>A record is appended (and fsynced) right after each counter reading commits. A crash between the commit and the
/// file write leaves the reading in the outbox, where <see cref="ReconcileAsync"/> finds it at the next start; and the
/// outbox cannot have deleted it yet, because acknowledgements first wait for open commit sections
/// (<see cref="EnterCommit"/>) and then go through <see cref="AcknowledgeableAsync"/>.</para>
/// <para>A write that fails (disk full, I/O error) does not undo the commit: the position in memory moves with the
/// reading all the same, so the next delta starts from it, and the caller is told the reading was stored (a caller
/// told otherwise would count the same pulses again). The positions not on disk are written with the next record or
/// the next acknowledgement. Until then an acknowledgement leaves in the outbox the newest reading of each such
/// counter, the one <see cref="ReconcileAsync"/> would need after a crash, and lets everything else go: a full disk
/// must not stop the outbox from trimming, since the pages a deletion frees are where new readings go.</para>
/// </remarks>
internal sealed class CounterPositions : IDisposable
{
    private readonly StateFile _file;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CounterPosition> _positions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _open = new();

    // Positions in memory that the file does not have yet.
    private readonly Dictionary<string, CounterPosition> _unsaved = new(StringComparer.Ordinal);
    private long _failedWrites;
    private long _behindSince;
    private long _nextSection;

    public CounterPositions(string stateDirectory, ILogger logger, TimeProvider time, Func<string, FileStream>? openForAppend = null)
    {
        _path = Path.Combine(stateDirectory, "counters");
        _logger = logger;
        _time = time;
        _file = StateFile.Open(
            _path,
            records =>
            {
                foreach (var r in records)
                {
                    // "seq raw epoch key"; the newest seq of a key wins.
                    var parts = r.Split(' ', 4);
                    if (parts.Length == 4
                        && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                        && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var raw)
                        && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                        && (!_positions.TryGetValue(parts[3], out var old) || old.Seq < seq))
                    {
                        _positions[parts[3]] = new CounterPosition(raw, epoch, seq);
                    }
                }

                return _positions.Select(kv => Format(kv.Key, kv.Value));
            },
            openForAppend);
    }

    /// <summary>Whether every position in memory is on disk.</summary>
    public bool OnDisk
    {
        get
        {
            lock (_lock)
            {
                return _unsaved.Count == 0;
            }
        }
    }

    public static string Key(string device, string? channel) => channel is null ? device : device + "/" + channel;

    public CounterPosition? Get(string device, string? channel)
    {
        lock (_lock)
        {
            return _positions.TryGetValue(Key(device, channel), out var p) ? p : null;
        }
    }

    /// <summary>
    /// Moves a counter to the reading the outbox just committed as <paramref name="seq"/> and writes it to the file.
    /// Never throws for the file: the reading is stored, and the position must follow it (see the remarks).
    /// </summary>
    public void Record(string device, string? channel, ulong raw, long epoch, long seq)
    {
        lock (_lock)
        {
            var key = Key(device, channel);
            if (_positions.TryGetValue(key, out var old) && old.Seq >= seq)
            {
                return;
            }

            var position = new CounterPosition(raw, epoch, seq);
            _positions[key] = position;
            _unsaved[key] = position;
            TrySaveLocked();
        }
    }

    /// <summary>
    /// What of a hub's acknowledgement the outbox may apply now. Waits for the commit sections open now, then tries to
    /// write the positions the file lacks; if it still lacks some, the newest reading of each of those counters is
    /// taken out of the acknowledgement (a later one, once the file has them, lets it go).
    /// </summary>
    public async Task<(long StoredThrough, IReadOnlyList<OutboxSeqRange>? Ranges)> AcknowledgeableAsync(long storedThrough, IReadOnlyList<OutboxSeqRange>? ranges, CancellationToken cancellationToken)
    {
        await WaitForOpenCommitsAsync().WaitAsync(cancellationToken);
        long[] held;
        lock (_lock)
        {
            if (_unsaved.Count == 0 || TrySaveLocked())
            {
                return (storedThrough, ranges);
            }

            held = [.. _unsaved.Values.Select(p => p.Seq)];
        }

        return Except(storedThrough, ranges, held);
    }

    /// <summary>An acknowledgement of <paramref name="storedThrough"/> and <paramref name="ranges"/> without the seqs <paramref name="held"/>.</summary>
    internal static (long StoredThrough, IReadOnlyList<OutboxSeqRange>? Ranges) Except(long storedThrough, IReadOnlyList<OutboxSeqRange>? ranges, IReadOnlyCollection<long> held)
    {
        var sorted = held.Order().ToArray();
        var lowest = sorted[0];
        var covered = new List<OutboxSeqRange>();
        if (lowest <= storedThrough)
        {
            covered.Add(new OutboxSeqRange(lowest, storedThrough));
        }

        covered.AddRange(ranges ?? []);
        var result = new List<OutboxSeqRange>();
        foreach (var range in covered)
        {
            var from = range.From;
            foreach (var seq in sorted)
            {
                if (seq < from || seq > range.To)
                {
                    continue;
                }

                if (seq > from)
                {
                    result.Add(new OutboxSeqRange(from, seq - 1));
                }

                from = seq + 1;
            }

            if (from <= range.To)
            {
                result.Add(new OutboxSeqRange(from, range.To));
            }
        }

        return (Math.Min(storedThrough, lowest - 1), result.Count == 0 && ranges is null ? null : result);
    }

    /// <summary>Brings positions up to date with counter readings committed after the file was last written.</summary>
    /// <returns>How many positions moved.</returns>
    public async Task<int> ReconcileAsync(Outbox.Outbox outbox, IReadOnlySet<string> devices, CancellationToken cancellationToken)
    {
        if (devices.Count == 0)
        {
            return 0;
        }

        var moved = 0;
        long after = 0;
        while (true)
        {
            var page = await outbox.ReadAsync(after, 2000, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                after = entry.Seq;
                if (entry.Kind != Payloads.ReadingKind || !devices.Contains(entry.DeviceId))
                {
                    continue;
                }

                if (Payloads.DeserializeReading(entry.Payload.Span) is CounterReading c)
                {
                    var before = Get(c.Device, c.Channel);
                    if (before is null || before.Seq < entry.Seq)
                    {
                        Record(c.Device, c.Channel, c.Raw, c.Epoch, entry.Seq);
                        moved++;
                    }
                }
            }
        }

        return moved;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Writes every position the file lacks; the caller holds <see cref="_lock"/>.</summary>
    /// <returns>Whether the file has them all now.</returns>
    private bool TrySaveLocked()
    {
        try
        {
            _file.Append(_unsaved.Select(kv => Format(kv.Key, kv.Value)).ToList());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (_failedWrites++ == 0)
            {
                _behindSince = _time.GetTimestamp();
                Log.CounterPositionsNotWritten(_logger, _path, _unsaved.Count, ex.Message);
            }
            else
            {
                Log.CounterPositionsStillNotWritten(_logger, _path, _unsaved.Count, _failedWrites, ex.Message);
            }

            return false;
        }

        if (_failedWrites > 0)
        {
            Log.CounterPositionsWrittenAgain(_logger, _path, _unsaved.Count, _failedWrites, (long)_time.GetElapsedTime(_behindSince).TotalSeconds);
            _failedWrites = 0;
        }

        _unsaved.Clear();
        return true;
    }

    private static string Format(string key, CounterPosition p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Seq} {p.Raw} {p.Epoch} {key}");

    /// <summary>Opens a section from "append the counter reading" to "its position is recorded".</summary>
    public CommitSection EnterCommit()
    {
        var id = Interlocked.Increment(ref _nextSection);
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open[id] = tcs;
        return new CommitSection(this, id);
    }

    /// <summary>Waits for the sections open now (not for ones opened later).</summary>
    private Task WaitForOpenCommitsAsync()
    {
        if (_open.IsEmpty)
        {
            return Task.CompletedTask;
        }

        return Task.WhenAll(_open.Values.Select(t => t.Task));
    }

    private void Exit(long id)
    {
        if (_open.TryRemove(id, out var tcs))
        {
            tcs.TrySetResult();
        }
    }

    /// <summary>One open commit section; dispose when the position is recorded (or the append was refused).</summary>
    internal readonly struct CommitSection(CounterPositions owner, long id) : IDisposable
    {
        public void Dispose() => owner.Exit(id);
    }
}
