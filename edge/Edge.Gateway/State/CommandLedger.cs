using System.Globalization;

namespace Edge.Gateway.State;

/// <summary>
/// Command ids already taken for execution, kept on disk until their command expires, so a command redelivered
/// after a reconnect or a restart runs at most once. An id is recorded BEFORE the output is switched: a crash in
/// between loses that one command (at most once), never repeats it.
/// </summary>
internal sealed class CommandLedger : IDisposable
{
    private readonly StateFile _file;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _ids = new(StringComparer.Ordinal);

    public CommandLedger(string stateDirectory, TimeProvider time)
    {
        _time = time;
        var now = time.GetUtcNow();
        _file = StateFile.Open(Path.Combine(stateDirectory, "commands"), records =>
        {
            foreach (var r in records)
            {
                // "expiresAtUnixMs id": the id is last because it is the only part that could hold odd characters.
                var space = r.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && long.TryParse(r.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                {
                    var expires = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                    if (expires > now)
                    {
                        _ids[r[(space + 1)..]] = expires;
                    }
                }
            }

            return _ids.Select(kv => Record(kv.Key, kv.Value));
        });
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>Records the id durably; false when it was recorded before (a duplicate).</summary>
    public bool TryClaim(string commandId, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var expired in _ids.Where(kv => kv.Value <= now).Select(kv => kv.Key).ToList())
            {
                _ids.Remove(expired);
            }

            if (!_ids.TryAdd(commandId, expiresAt))
            {
                return false;
            }

            _file.Append(Record(commandId, expiresAt));
            return true;
        }
    }

    public void Dispose() => _file.Dispose();

    private static string Record(string id, DateTimeOffset expiresAt) =>
        expiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + " " + id;
}
