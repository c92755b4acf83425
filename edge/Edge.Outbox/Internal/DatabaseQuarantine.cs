using System.Globalization;

namespace Edge.Outbox.Internal;

/// <summary>
/// Moves a corrupt database, with its -wal and -shm, to <c>outbox.db.corrupt-&lt;UTC time&gt;</c>: never deleted, so
/// the items still in it can be recovered by hand.
/// </summary>
internal static class DatabaseQuarantine
{
    internal static string MoveAside(string databasePath, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'.'fff'Z'", CultureInfo.InvariantCulture);
        var target = $"{databasePath}.corrupt-{stamp}";
        for (var n = 1; File.Exists(target) || File.Exists(target + "-wal"); n++)
        {
            target = string.Create(CultureInfo.InvariantCulture, $"{databasePath}.corrupt-{stamp}-{n}");
        }

        // The marker first, so that a move cut short is recognised as one (and only then finished, below).
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        using (var marker = new FileStream(MarkerPath(databasePath), FileMode.Create, FileAccess.Write, FileShare.None))
        {
            marker.Write(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(target)));
            marker.Flush(flushToDisk: true);
        }

        LibcProxy.FsyncDirectory(directory);

        // The WAL first: SQLite replays any -wal it finds beside a database, so an old WAL must never be left where
        // the fresh database is about to be created.
        foreach (var suffix in (string[])["-wal", "-shm", string.Empty])
        {
            var source = databasePath + suffix;
            if (File.Exists(source))
            {
                File.Move(source, target + suffix);
            }
        }

        LibcProxy.FsyncDirectory(directory);
        File.Delete(MarkerPath(databasePath));
        LibcProxy.FsyncDirectory(directory);
        return target;
    }

    /// <summary>
    /// Finishes a move that a crash cut short after the -wal (or -shm) went and before the database did: the database
    /// follows its WAL. Left apart, the database would open without the transactions its WAL still held, and salvage
    /// would later read the WAL without its database; both halves of those items would be lost. Only a move whose
    /// marker is still there is finished: a -wal lying beside the database without it (an operator deleted only the
    /// moved database, say) says nothing about the database here, which is left alone.
    /// </summary>
    /// <returns>The name the database was moved to, or null when no move was cut short.</returns>
    internal static string? CompleteInterruptedMove(string databasePath)
    {
        var markerPath = MarkerPath(databasePath);
        if (!File.Exists(markerPath))
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        var name = File.ReadAllText(markerPath).Trim();
        string? finished = null;

        // A marker cut short names nothing usable: the database was not moved, and its damage is found again.
        if (name.StartsWith(Path.GetFileName(databasePath) + ".corrupt-", StringComparison.Ordinal) && name.IndexOfAny(['/', '\\']) < 0)
        {
            var target = Path.Combine(directory, name);

            // The database moves last: if it is at the target, the move was complete and only the marker remained.
            if (!File.Exists(target) && File.Exists(databasePath))
            {
                foreach (var suffix in (string[])["-wal", "-shm", string.Empty])
                {
                    if (File.Exists(databasePath + suffix) && !File.Exists(target + suffix))
                    {
                        File.Move(databasePath + suffix, target + suffix);
                    }
                }

                finished = target;
            }
        }

        LibcProxy.FsyncDirectory(directory);
        File.Delete(markerPath);
        LibcProxy.FsyncDirectory(directory);
        return finished;
    }

    private static string MarkerPath(string databasePath) => databasePath + ".moving";
}
