using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

/// <summary>
/// Tells a full disk from other SQLite failures. SQLite reports a write that found no space (ENOSPC) as SQLITE_FULL (13),
/// but a few write paths report it as an I/O error instead (growing the file with fallocate in a checkpoint, growing the
/// WAL index, a sync or truncate): those count as a full disk when the volume holding the database has almost no space
/// left (<see cref="JobStoreSpace.FullBelowBytes"/>, the readiness check's bound), since SQLite does not pass on the
/// system's error number.
/// </summary>
internal static class SqliteDiskFull
{
    private const int SqliteFull = 13;
    private const int SqliteIoErr = 10;
    private const int IoErrWrite = SqliteIoErr | (3 << 8);
    private const int IoErrFsync = SqliteIoErr | (4 << 8);
    private const int IoErrDirFsync = SqliteIoErr | (5 << 8);
    private const int IoErrTruncate = SqliteIoErr | (6 << 8);
    private const int IoErrShmSize = SqliteIoErr | (19 << 8);

    /// <summary>Whether <paramref name="error"/> means the disk is full; <paramref name="freeBytes"/> reads the volume's free space (null: unknown).</summary>
    public static bool Is(SqliteException error, Func<long?> freeBytes)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.SqliteErrorCode == SqliteFull) return true;
        return error.SqliteErrorCode == SqliteIoErr
            && error.SqliteExtendedErrorCode is IoErrWrite or IoErrFsync or IoErrDirFsync or IoErrTruncate or IoErrShmSize
            && freeBytes() is < JobStoreSpace.FullBelowBytes;
    }

    /// <summary>The free bytes (for an unprivileged writer) on the volume holding <paramref name="path"/>, or null when it cannot be read.</summary>
    public static long? FreeBytes(string? path)
    {
        if (path is null) return null;
        try
        {
            var folder = Path.GetDirectoryName(path);
            return string.IsNullOrEmpty(folder) ? null : new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
