using System.Text;

namespace Edge.Gateway.State;

/// <summary>
/// A small append-only record file that survives a power cut: each record is one line, appended and fsynced before
/// <see cref="Append"/> returns. Appending to a file that already exists needs no directory fsync, which .NET cannot
/// do without native calls; a torn last line (power cut mid-write) is ignored when the file is read.
/// </summary>
/// <remarks>
/// At open the live records are rewritten to a fresh file and renamed over the old one (compaction). If that rename
/// is lost in a power cut, the old file, which holds the same information and more, is read next time.
/// </remarks>
internal sealed class StateFile : IDisposable
{
    private readonly Lock _lock = new();
    private FileStream? _stream;

    private StateFile()
    {
    }

    /// <summary>Reads every complete record, lets <paramref name="compact"/> choose the live ones, and opens for appending.</summary>
    public static StateFile Open(string path, Func<IReadOnlyList<string>, IEnumerable<string>> compact)
    {
        var records = Read(path);
        var live = compact(records).ToList();
        var tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = Encoding.UTF8.GetBytes(string.Concat(live.Select(r => r + "\n")));
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        var file = new StateFile();
        file._stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return file;
    }

    /// <summary>Appends one record (no newlines in it) and makes it durable.</summary>
    public void Append(string record)
    {
        var bytes = Encoding.UTF8.GetBytes(record + "\n");
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stream is null, this);
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    private static List<string> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        var lines = text.Split('\n');

        // The last element is empty after a complete final record; anything else there is a torn write.
        return [.. lines.Take(lines.Length - 1).Where(l => l.Length > 0)];
    }
}
