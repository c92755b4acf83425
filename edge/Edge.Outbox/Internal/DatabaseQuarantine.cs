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
}
