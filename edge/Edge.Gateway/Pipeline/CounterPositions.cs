using System.Collections.Concurrent;
using System.Globalization;
using Edge.Contracts;
using Edge.Gateway.State;

namespace Edge.Gateway.Pipeline;

/// <summary>The last stored reading of one counter: its raw value, epoch and seq.</summary>
internal sealed record CounterPosition(ulong Raw, long Epoch, long Seq);

/// <summary>
/// Where each counter (PLC counter channel, pulse counter) stood in the last reading the outbox committed, so a
/// restarted gateway resumes the delta arithmetic exactly where the hub's sum stands: no increment counted twice,
/// none lost while the gateway was down.
/// </summary>
/// <remarks>
/// A record is appended (and fsynced) right after each counter reading commits. A crash between the commit and the file write
/// leaves the reading in the outbox, where <see cref="ReconcileAsync"/> finds it at the next start; and the outbox
/// cannot have deleted it yet, because acknowledgements wait for open commit sections (<see cref="EnterCommit"/>,
/// <see cref="WaitForOpenCommitsAsync"/>) before they are applied.
/// </remarks>
internal sealed class CounterPositions : IDisposable
{
    private readonly StateFile _file;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CounterPosition> _positions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _open = new();
    private long _nextSection;

    public CounterPositions(string stateDirectory)
    {
        _file = StateFile.Open(Path.Combine(stateDirectory, "counters"), records =>
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
        });
    }

    public static string Key(string device, string? channel) => channel is null ? device : device + "/" + channel;

    public CounterPosition? Get(string device, string? channel)
    {
        lock (_lock)
        {
            return _positions.TryGetValue(Key(device, channel), out var p) ? p : null;
        }
    }

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
            _file.Append(Format(key, position));
            _positions[key] = position;
        }
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

    private static string Format(string key, CounterPosition p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Seq} {p.Raw} {p.Epoch} {key}");

    /// <summary>Opens a section from "append the counter reading" to "its position is on disk".</summary>
    public CommitSection EnterCommit()
    {
        var id = Interlocked.Increment(ref _nextSection);
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open[id] = tcs;
        return new CommitSection(this, id);
    }

    /// <summary>Waits for the sections open now (not for ones opened later).</summary>
    public Task WaitForOpenCommitsAsync()
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

    /// <summary>One open commit section; dispose when the position is recorded (or the append failed).</summary>
    internal readonly struct CommitSection(CounterPositions owner, long id) : IDisposable
    {
        public void Dispose() => owner.Exit(id);
    }
}
