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

    /// <summary>Keyset paging, newest first: the rows of <paramref name="select"/> with an id below <paramref name="before"/> (when given).</summary>
    private async Task<IReadOnlyList<T>> ListNewestFirstAsync<T>(string select, long? before, int limit, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, select + (before is null ? "" : " WHERE id < @before") + " ORDER BY id DESC LIMIT @limit");
        if (before is not null) cmd.AddLong("@before", before);
        cmd.AddLong("@limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>(limit);
        while (await reader.ReadAsync(ct)) list.Add(read(reader));
        return list;
    }

    /// <summary>Records a row's job id inside the transaction that created both (scans, reports and imports alike).</summary>
    private static async Task SetJobAsync(DbConnection c, DbTransaction tx, string sql, long id, long jobId, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, sql);
        await cmd.AddLong("@id", id).AddLong("@jobId", jobId).ExecuteNonQueryAsync(ct);
    }

    // ---- scans
    /// <summary>Creates a scan of an uploaded file (<paramref name="fileId"/>, <paramref name="mediaType"/>) or of an image URL fetched later.</summary>
    public Task<long> ScanInsertAsync(DbConnection c, DbTransaction tx, string scanType, long? fileId, string? imageUrl, string? mediaType, CancellationToken ct) =>
        InsertAsync(c, tx, db.Sql.ScanInsert, cmd => cmd.Add("@scanType", scanType).AddLong("@fileId", fileId).Add("@imageUrl", imageUrl)
            .Add("@mediaType", mediaType).Add("@now", Now), ct);

    /// <summary>Records the fetched image of a URL scan.</summary>
    public async Task ScanSetImageAsync(DbConnection c, DbTransaction tx, long id, long fileId, string mediaType, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.ScanSetImage);
        await cmd.AddLong("@id", id).AddLong("@fileId", fileId).Add("@mediaType", mediaType).ExecuteNonQueryAsync(ct);
    }

    public Task ScanSetJobAsync(DbConnection c, DbTransaction tx, long id, long jobId, CancellationToken ct) =>
        SetJobAsync(c, tx, db.Sql.ScanSetJob, id, jobId, ct);

    public Task<ImageScan?> ScanGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.ScanGet, id, ReadScan, ct);

    /// <summary>A page of scans, newest first, older than <paramref name="before"/> when given.</summary>
    public Task<IReadOnlyList<ImageScan>> ScanListAsync(long? before, int limit, CancellationToken ct) => ListNewestFirstAsync(db.Sql.ScanList, before, limit, ReadScan, ct);

    private ImageScan ReadScan(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64OrNull(3), r.GetStringOrNull(4), r.GetStringOrNull(5), r.GetInt64OrNull(6),
        r.GetStringOrNull(7), r.GetStringOrNull(8), r.GetInt64OrNull(9), db.ReadTime(r, 10), db.ReadTimeOrNull(r, 11));

    public Task ScanCompleteAsync(long id, string data, long? customerId, CancellationToken ct) =>
        ExecAsync(db.Sql.ScanComplete, cmd => cmd.AddLong("@id", id).Add("@data", data).AddLong("@customerId", customerId).Add("@now", Now), ct);

    public Task ScanFailAsync(long id, string error, CancellationToken ct) =>
        ExecAsync(db.Sql.ScanFail, cmd => cmd.AddLong("@id", id).Add("@error", error).Add("@now", Now), ct);

    // ---- reports
    public Task<long> ReportInsertAsync(DbConnection c, DbTransaction tx, string reportType, string format, CancellationToken ct) =>
        InsertAsync(c, tx, db.Sql.ReportInsert, cmd => cmd.Add("@reportType", reportType).Add("@format", format).Add("@now", Now), ct);

    /// <summary>Creates the report of import <paramref name="importId"/> (type <c>import</c>).</summary>
    public Task<long> ReportInsertForImportAsync(DbConnection c, DbTransaction tx, long importId, string format, CancellationToken ct) =>
        InsertAsync(c, tx, db.Sql.ReportInsertForImport, cmd => cmd.Add("@reportType", Reports.ReportTypes.Import).Add("@format", format)
            .AddLong("@importId", importId).Add("@now", Now), ct);

    public Task ReportSetJobAsync(DbConnection c, DbTransaction tx, long id, long jobId, CancellationToken ct) =>
        SetJobAsync(c, tx, db.Sql.ReportSetJob, id, jobId, ct);

    public Task<Report?> ReportGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.ReportGet, id, ReadReport, ct);

    /// <summary>A page of reports, newest first, older than <paramref name="before"/> when given.</summary>
    public Task<IReadOnlyList<Report>> ReportListAsync(long? before, int limit, CancellationToken ct) => ListNewestFirstAsync(db.Sql.ReportList, before, limit, ReadReport, ct);

    private Report ReadReport(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64OrNull(4), r.GetInt64OrNull(5), r.GetInt64OrNull(6),
        r.GetStringOrNull(7), db.ReadTime(r, 8), db.ReadTimeOrNull(r, 9), r.GetInt64OrNull(10), r.GetInt64OrNull(11));

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

    /// <summary>Records an import's job, the batch it leads and the report its batch's callback generates, in the transaction that created them.</summary>
    public async Task ImportSetWorkflowAsync(DbConnection c, DbTransaction tx, long id, long jobId, long batchId, long reportId, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.ImportSetWorkflow);
        await cmd.AddLong("@id", id).AddLong("@jobId", jobId).AddLong("@batchId", batchId).AddLong("@reportId", reportId).ExecuteNonQueryAsync(ct);
    }

    public Task<Import?> ImportGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.ImportGet, id, ReadImport, ct);

    /// <summary>A page of imports, newest first, older than <paramref name="before"/> when given.</summary>
    public Task<IReadOnlyList<Import>> ImportListAsync(long? before, int limit, CancellationToken ct) => ListNewestFirstAsync(db.Sql.ImportList, before, limit, ReadImport, ct);

    private Import ReadImport(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64OrNull(5), r.GetInt64(6), r.GetInt64(7),
        r.GetInt64(8), r.GetInt64(9), r.GetStringOrNull(10), r.GetStringOrNull(11), r.GetStringOrNull(12), db.ReadTime(r, 13),
        db.ReadTimeOrNull(r, 14), r.GetInt64OrNull(15), r.GetInt64OrNull(16));

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

    /// <summary>Inserts a batch's rejected rows in one statement (none: nothing is sent).</summary>
    public async Task RejectionInsertManyAsync(DbConnection c, DbTransaction tx, long importId, IReadOnlyList<(long Row, string Reason, string[] Fields)> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        using var buffer = new MemoryStream();
        await using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (row, reason, fields) in rows)
            {
                json.WriteStartArray();
                json.WriteNumberValue(row);
                json.WriteStringValue(reason);
                json.WriteStringValue(System.Text.Json.JsonSerializer.Serialize(fields));
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.RejectionInsertMany);
        cmd.AddLong("@importId", importId).Add("@rows", System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records, in a chunk's transaction, the customers it created or changed (by e-mail; none: nothing is sent).</summary>
    public async Task ImportCustomerInsertManyAsync(DbConnection c, DbTransaction tx, long importId, IReadOnlyList<(string Email, long Row, string Change)> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var json = System.Text.Json.JsonSerializer.Serialize(rows.Select(r => new object[] { r.Email, r.Row, r.Change }));
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.ImportCustomerInsertMany);
        await cmd.AddLong("@importId", importId).Add("@rows", json).ExecuteNonQueryAsync(ct);
    }

    /// <summary>Streams the customers an import created or changed, in row order.</summary>
    public async IAsyncEnumerable<ImportCustomer> ImportCustomerListAsync(long importId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, db.Sql.ImportCustomerList);
        cmd.AddLong("@importId", importId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return new ImportCustomer(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetStringOrNull(4));
    }

    /// <summary>How many fields each enrichment job changed on the customers of an import, by job id.</summary>
    public async Task<Dictionary<long, long>> ImportEnrichedFieldsAsync(long importId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, db.Sql.ImportEnrichedFields);
        cmd.AddLong("@importId", importId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var counts = new Dictionary<long, long>();
        while (await reader.ReadAsync(ct)) counts[reader.GetInt64(0)] = reader.GetInt64(1);
        return counts;
    }

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
