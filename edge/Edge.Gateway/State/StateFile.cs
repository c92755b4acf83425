using System.Text;

namespace Edge.Gateway.State;

/// <summary>
/// A small append-only record file that survives a power cut: each record is one line, appended and fsynced before
/// <see cref="Append(string)"/> returns. Appending to a file that already exists needs no directory fsync, which .NET
/// cannot do without native calls; a torn last line (power cut mid-write) is ignored when the file is read.
/// </summary>
/// <remarks>
/// <para>At open the live records are rewritten to a fresh file and renamed over the old one (compaction). If that
/// rename is lost in a power cut, the old file, which holds the same information and more, is read next time. If the
/// fresh file cannot be written (a full disk), the old one is kept as it is and appended to: a gateway must start on a
/// full disk too.</para>
/// <para>An append that throws (disk full, I/O error) may have written part of its bytes, or all of them without
/// reaching the disk. The stream is dropped, and the next append opens the file again, cuts it back to the end of the
/// last append that succeeded and writes from there: a fragment left by the failure can never run into the next
/// record and be read as a different one.</para>
/// </remarks>
internal sealed class StateFile : IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly Func<string, FileStream> _openForAppend;
    private FileStream? _stream;

    // The end of the last append that was fsynced: everything before it is whole records.
    private long _length;
    private bool _disposed;

    private StateFile(string path, Func<string, FileStream> openForAppend)
    {
        _path = path;
        _openForAppend = openForAppend;
    }

    /// <summary>Reads every complete record, lets <paramref name="compact"/> choose the live ones, and opens for appending.</summary>
    /// <param name="path">The file.</param>
    /// <param name="compact">Chooses the records to keep from the ones read.</param>
    /// <param name="openForAppend">
    /// Opens the file for the appends (writable, seekable); tests point it at a device that fails as a full disk does.
    /// </param>
    public static StateFile Open(string path, Func<IReadOnlyList<string>, IEnumerable<string>> compact, Func<string, FileStream>? openForAppend = null)
    {
        var records = Read(path, out var wholeLength);
        var live = compact(records).ToList();
        var tmp = path + ".tmp";
        long length;
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var bytes = Encoding.UTF8.GetBytes(string.Concat(live.Select(r => r + "\n")));
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
                length = bytes.Length;
            }

            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Compaction only saves space: on a full disk it must not keep the gateway from starting. The file stays
            // as it is (the records read above come from it), appended to after its last whole record.
            TryDelete(tmp);
            length = wholeLength;
        }

        var file = new StateFile(path, openForAppend ?? OpenForAppend) { _length = length };
        try
        {
            file._stream = file.OpenAtEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Opened again by the first append, which reports the error to its caller.
        }

        return file;
    }

    /// <summary>Appends one record (no newlines in it) and makes it durable.</summary>
    /// <exception cref="IOException">Nothing is known to be durable; the next append starts where the last good one ended.</exception>
    public void Append(string record) => Append([record]);

    /// <summary>Appends records (no newlines in them) with one write and one fsync.</summary>
    /// <exception cref="IOException">None of them is known to be durable; the next append starts where the last good one ended.</exception>
    public void Append(IReadOnlyCollection<string> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(string.Concat(records.Select(r => r + "\n")));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                _stream ??= OpenAtEnd();
                _stream.Write(bytes);
                _stream.Flush(flushToDisk: true);
                _length += bytes.Length;
            }
            catch
            {
                // After a failed write or fsync the stream's position and the file's tail are unknown, and a page the
                // kernel failed to write back may since have been marked clean: start again from the last good end.
                _stream?.Dispose();
                _stream = null;
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }
    }

    private static FileStream OpenForAppend(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);

    private FileStream OpenAtEnd()
    {
        var stream = _openForAppend(_path);
        try
        {
            if (stream.Length > _length)
            {
                // What a failed append left behind.
                stream.SetLength(_length);
            }

            stream.Seek(_length, SeekOrigin.Begin);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Overwritten by the next compaction.
        }
    }

    /// <param name="path">The file.</param>
    /// <param name="wholeLength">Bytes up to the end of the last whole record.</param>
    private static List<string> Read(string path, out long wholeLength)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            wholeLength = 0;
            return [];
        }

        wholeLength = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');

        // The last element is empty after a complete final record; anything else there is a torn write.
        return [.. lines.Take(lines.Length - 1).Where(l => l.Length > 0)];
    }
}
