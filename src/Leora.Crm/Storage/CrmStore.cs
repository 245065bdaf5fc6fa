using System.Data.Common;
using Leora.Crm.Model;

namespace Leora.Crm.Storage;

/// <summary>Reads and writes the CRM rows, one method per statement of <see cref="CrmSql"/>.</summary>
internal sealed partial class CrmStore(CrmDatabase db, TimeProvider time)
{
    public CrmDatabase Database => db;

    private object Now => db.Time(time.GetUtcNow());

    private async Task<int> ExecAsync(string sql, Action<DbCommand> bind, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, sql);
        bind(cmd);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> InsertAsync(DbConnection connection, DbTransaction tx, string sql, Action<DbCommand> bind, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(connection, tx, sql);
        bind(cmd);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<T?> GetAsync<T>(string sql, long id, Func<DbDataReader, T> read, CancellationToken ct) where T : class
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, sql);
        cmd.AddLong("@id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? read(reader) : null;
    }

    /// <summary>Records a row's job id inside the transaction that created both (scans, reports and imports alike).</summary>
    private static async Task SetJobAsync(DbConnection c, DbTransaction tx, string sql, long id, long jobId, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, sql);
        await cmd.AddLong("@id", id).AddLong("@jobId", jobId).ExecuteNonQueryAsync(ct);
    }

    // ---- scans
    public Task<long> ScanInsertAsync(DbConnection c, DbTransaction tx, string scanType, long fileId, string mediaType, CancellationToken ct) =>
        InsertAsync(c, tx, db.Sql.ScanInsert, cmd => cmd.Add("@scanType", scanType).AddLong("@fileId", fileId).Add("@mediaType", mediaType).Add("@now", Now), ct);

    public Task ScanSetJobAsync(DbConnection c, DbTransaction tx, long id, long jobId, CancellationToken ct) =>
        SetJobAsync(c, tx, db.Sql.ScanSetJob, id, jobId, ct);

    public Task<ImageScan?> ScanGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.ScanGet, id, r => new ImageScan(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64OrNull(5), r.GetStringOrNull(6),
        r.GetStringOrNull(7), r.GetInt64OrNull(8), db.ReadTime(r, 9), db.ReadTimeOrNull(r, 10)), ct);

    public Task ScanCompleteAsync(long id, string data, long? customerId, CancellationToken ct) =>
        ExecAsync(db.Sql.ScanComplete, cmd => cmd.AddLong("@id", id).Add("@data", data).AddLong("@customerId", customerId).Add("@now", Now), ct);

    public Task ScanFailAsync(long id, string error, CancellationToken ct) =>
        ExecAsync(db.Sql.ScanFail, cmd => cmd.AddLong("@id", id).Add("@error", error).Add("@now", Now), ct);

    // ---- reports
    public Task<long> ReportInsertAsync(DbConnection c, DbTransaction tx, string reportType, string format, CancellationToken ct) =>
        InsertAsync(c, tx, db.Sql.ReportInsert, cmd => cmd.Add("@reportType", reportType).Add("@format", format).Add("@now", Now), ct);

    public Task ReportSetJobAsync(DbConnection c, DbTransaction tx, long id, long jobId, CancellationToken ct) =>
        SetJobAsync(c, tx, db.Sql.ReportSetJob, id, jobId, ct);

    public Task<Report?> ReportGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.ReportGet, id, r => new Report(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64OrNull(4), r.GetInt64OrNull(5), r.GetInt64OrNull(6),
        r.GetStringOrNull(7), db.ReadTime(r, 8), db.ReadTimeOrNull(r, 9), r.GetInt64OrNull(10)), ct);

    public Task ReportStartAsync(long id, CancellationToken ct) => ExecAsync(db.Sql.ReportStart, cmd => cmd.AddLong("@id", id), ct);

    /// <summary>Marks a report completed: <paramref name="rowCount"/> rows in its file, of <paramref name="totalRows"/> it matched.</summary>
    public async Task ReportCompleteAsync(DbConnection c, DbTransaction tx, long id, long fileId, long rowCount, long totalRows, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.ReportComplete);
        await cmd.AddLong("@id", id).AddLong("@fileId", fileId).AddLong("@rowCount", rowCount).AddLong("@totalRows", totalRows).Add("@now", Now)
            .ExecuteNonQueryAsync(ct);
    }

    public Task ReportFailAsync(long id, string error, CancellationToken ct) =>
        ExecAsync(db.Sql.ReportFail, cmd => cmd.AddLong("@id", id).Add("@error", error).Add("@now", Now), ct);

    // ---- imports
    public Task<long> ImportInsertAsync(DbConnection c, DbTransaction tx, long fileId, string fileName, string format, CancellationToken ct) =>
        InsertAsync(c, tx, db.Sql.ImportInsert, cmd => cmd.AddLong("@fileId", fileId).Add("@fileName", fileName).Add("@format", format).Add("@now", Now), ct);

    public Task ImportSetJobAsync(DbConnection c, DbTransaction tx, long id, long jobId, CancellationToken ct) =>
        SetJobAsync(c, tx, db.Sql.ImportSetJob, id, jobId, ct);

    public Task<Import?> ImportGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.ImportGet, id, r => new Import(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64OrNull(5), r.GetInt64(6), r.GetInt64(7),
        r.GetInt64(8), r.GetInt64(9), r.GetStringOrNull(10), r.GetStringOrNull(11), r.GetStringOrNull(12), db.ReadTime(r, 13),
        db.ReadTimeOrNull(r, 14)), ct);

    public Task ImportStartAsync(long id, string encoding, string? ignoredColumns, CancellationToken ct) =>
        ExecAsync(db.Sql.ImportStart, cmd => cmd.AddLong("@id", id).Add("@encoding", encoding).Add("@ignoredColumns", ignoredColumns), ct);

    /// <summary>Moves the checkpoint inside the batch's transaction; false when another attempt moved it first (the batch must roll back).</summary>
    public async Task<bool> ImportCheckpointAsync(DbConnection c, DbTransaction tx, long id, long expected, long rowsDone, long inserted, long updated, long rejected, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.ImportCheckpoint);
        cmd.AddLong("@id", id).AddLong("@expected", expected).AddLong("@rowsDone", rowsDone).AddLong("@inserted", inserted)
            .AddLong("@updated", updated).AddLong("@rejected", rejected);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public Task ImportCompleteAsync(long id, CancellationToken ct) =>
        ExecAsync(db.Sql.ImportComplete, cmd => cmd.AddLong("@id", id).Add("@now", Now), ct);

    public Task ImportFailAsync(long id, string error, CancellationToken ct) =>
        ExecAsync(db.Sql.ImportFail, cmd => cmd.AddLong("@id", id).Add("@error", error).Add("@now", Now), ct);

    /// <summary>Streams the rejected rows of an import: row number, reason, raw fields.</summary>
    public async IAsyncEnumerable<(long Row, string Reason, string Raw)> RejectionListAsync(long importId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, db.Sql.RejectionList);
        cmd.AddLong("@importId", importId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
    }
}
