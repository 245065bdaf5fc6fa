using Leora.Jobs.Sqlite;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Tests;

/// <summary>
/// Which SQLite errors mean a full disk. SQLITE_FULL always does (DiskFullTests proves it end to end on a tmpfs); the
/// write-side I/O errors that ENOSPC also produces (a fallocate in a checkpoint, a WAL-index growth) only when the volume
/// has almost no space left, since SQLite does not pass on the errno.
/// </summary>
public sealed class SqliteDiskFullTests
{
    private static SqliteException Error(int code, int extended) => new($"SQLite Error {code}", code, extended);

    [Theory]
    [InlineData(10 | (3 << 8))]  // SQLITE_IOERR_WRITE
    [InlineData(10 | (4 << 8))]  // SQLITE_IOERR_FSYNC
    [InlineData(10 | (6 << 8))]  // SQLITE_IOERR_TRUNCATE
    [InlineData(10 | (19 << 8))] // SQLITE_IOERR_SHMSIZE
    public void A_write_side_io_error_is_a_full_disk_only_when_the_volume_has_almost_no_space(int extended)
    {
        Assert.True(SqliteDiskFull.Is(Error(10, extended), () => 4096));
        Assert.False(SqliteDiskFull.Is(Error(10, extended), () => 10L << 30));
        Assert.False(SqliteDiskFull.Is(Error(10, extended), () => null));
    }

    [Fact]
    public void Sqlite_full_is_a_full_disk_and_other_errors_are_not()
    {
        Assert.True(SqliteDiskFull.Is(Error(13, 13), () => 10L << 30));
        Assert.False(SqliteDiskFull.Is(Error(10, 10 | (1 << 8)), () => 0)); // SQLITE_IOERR_READ: not a write
        Assert.False(SqliteDiskFull.Is(Error(5, 5), () => 0));               // SQLITE_BUSY
        Assert.False(SqliteDiskFull.Is(Error(19, 2067), () => 0));           // a UNIQUE constraint
    }

    [Fact]
    public void The_free_space_of_the_volume_holding_a_file_is_read()
    {
        Assert.True(SqliteDiskFull.FreeBytes(Path.Combine(Path.GetTempPath(), "leora-free-space-probe.db")) > 0);
        Assert.Null(SqliteDiskFull.FreeBytes(null));
    }
}
