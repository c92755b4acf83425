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

        LibcProxy.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        return target;
    }

    /// <summary>
    /// Finishes a move that a crash cut short after the -wal (or -shm) went and before the database did: the database
    /// follows its WAL. Left apart, the database would open without the transactions its WAL still held, and salvage
    /// would later read the WAL without its database; both halves of those items would be lost.
    /// </summary>
    /// <returns>The name the database was moved to, or null when no move was cut short.</returns>
    internal static string? CompleteInterruptedMove(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        var prefix = Path.GetFileName(databasePath) + ".corrupt-";
        foreach (var orphan in Directory.EnumerateFiles(directory, prefix + "*").Order(StringComparer.Ordinal))
        {
            if (!orphan.EndsWith("-wal", StringComparison.Ordinal) && !orphan.EndsWith("-shm", StringComparison.Ordinal))
            {
                continue;
            }

            var target = orphan[..^4];
            if (File.Exists(target))
            {
                continue;
            }

            // The order of MoveAside: -wal, -shm, then the database. Whatever of the rest is still here moves now.
            foreach (var suffix in (string[])["-wal", "-shm", string.Empty])
            {
                if (File.Exists(databasePath + suffix) && !File.Exists(target + suffix))
                {
                    File.Move(databasePath + suffix, target + suffix);
                }
            }

            LibcProxy.FsyncDirectory(directory);
            return target;
        }

        return null;
    }
}
