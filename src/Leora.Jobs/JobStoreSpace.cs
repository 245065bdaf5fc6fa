using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// Whether the jobs database has room left, for readiness checks. A store that sees its disk (SQLite: the volume that
/// holds the file) counts as full below <see cref="FullBelowBytes"/> free; one that cannot (PostgreSQL) is never reported
/// full here, and shows a full disk only as a failed write (<see cref="JobStoreFullException"/>).
/// </summary>
internal sealed class JobStoreSpace(InstrumentedJobStore store)
{
    /// <summary>
    /// 1 MiB: less than one full-size enqueue (a 256 KiB body, written to the WAL and then to the database file) needs
    /// with room to spare, so a write may fail at any moment below it.
    /// </summary>
    public const long FullBelowBytes = 1 << 20;

    /// <summary>True when the store sees its disk and less than <see cref="FullBelowBytes"/> is free.</summary>
    public async Task<bool> IsFullAsync(CancellationToken cancellationToken) =>
        await store.StorageAvailableBytesAsync(cancellationToken) is < FullBelowBytes;
}
