namespace Tempora.Persistence.Sqlite;

/// <summary>
/// Keeps a second Tempora process off a database file. SQLite itself would let two processes share the file, and two
/// servers would then both fire the same timers and each keep runs in memory that the other changes. The lock is an
/// exclusive OS lock (flock) on <c>FILE.lock</c> next to the database: the kernel releases it when the holder exits,
/// also on kill -9, so a crash never leaves a stale lock behind.
/// </summary>
internal sealed class SqliteFileLock : IDisposable
{
    private readonly FileStream _lockFile;

    private SqliteFileLock(FileStream lockFile) => _lockFile = lockFile;

    public static SqliteFileLock Acquire(string databaseFile)
    {
        var path = Path.GetFullPath(databaseFile) + ".lock";
        try
        {
            // .NET takes flock(LOCK_EX | LOCK_NB) for FileShare.None on Unix and a share-mode lock on Windows.
            return new SqliteFileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new DatabaseUnusableException(
                $"SQLite file {Path.GetFullPath(databaseFile)} is in use by another Tempora process (it holds {path}); " +
                "stop that process, or give this one another database file.", e);
        }
    }

    public void Dispose() => _lockFile.Dispose();
}
