using System.Globalization;
using System.Text;

namespace Edge.Outbox.Internal;

/// <summary>
/// The side file <c>outbox.db.seq</c>: one line, the highest seq the outbox may have handed out. The writer raises it
/// a block ahead BEFORE committing any seq above it, so even if the database is lost the next one starts above every
/// seq the hub may have seen. Written atomically: temp file, fsync, rename, fsync of the directory.
/// </summary>
internal sealed class SequenceReservationFile
{
    private const string Header = "edge-outbox-seq v1 ";

    internal SequenceReservationFile(string path)
    {
        Path = path;
        Directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
    }

    internal string Path { get; }

    private string Directory { get; }

    /// <summary>Reads the reservation; null when the file is absent, with <paramref name="unreadable"/> set when it is garbage.</summary>
    internal long? TryRead(out string? unreadable)
    {
        unreadable = null;
        string text;
        try
        {
            text = File.ReadAllText(Path, Encoding.ASCII);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        // The line repeats the number so that a torn or hand-edited file is recognised rather than trusted.
        var parts = text.Trim().Split(' ');
        if (text.StartsWith(Header, StringComparison.Ordinal) && parts.Length == 4
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var check)
            && check == value)
        {
            return value;
        }

        unreadable = text.Length > 80 ? text[..80] : text;
        return null;
    }

    internal void Write(long reservedThrough)
    {
        var temp = Path + ".tmp";
        var line = string.Create(CultureInfo.InvariantCulture, $"{Header}{reservedThrough} {reservedThrough}\n");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write(Encoding.ASCII.GetBytes(line));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path, overwrite: true);
        LibcProxy.FsyncDirectory(Directory);
    }
}
