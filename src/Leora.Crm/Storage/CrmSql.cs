namespace Leora.Crm.Storage;

/// <summary>
/// The CRM's SQL, one property per statement, the same names for every database. Statements whose text is the
/// same on SQLite and PostgreSQL (both have RETURNING and ON CONFLICT) are written once here over the table
/// prefix (none on SQLite, the jobs schema on PostgreSQL); those that differ are abstract and written side by side
/// in <see cref="SqliteCrmSql"/> and <see cref="PostgreSqlCrmSql"/>.
/// </summary>
internal abstract class CrmSql
{
    protected CrmSql(string prefix) => P = prefix;

    /// <summary>The table prefix: "" or a quoted schema and a dot.</summary>
    protected string P { get; }

    public string CustomersTable => $"{P}crm_customers";

    // ---- migrations
    public abstract string MigrationsTable { get; }
    public string MigrationVersion => $"SELECT COALESCE(MAX(version), 0) FROM {P}crm_migrations";
    public string MigrationRecord => $"INSERT INTO {P}crm_migrations (version, applied_at) VALUES (@version, @now)";

    // ---- files
    public string FileInsert => $"""
        INSERT INTO {P}crm_files (name, content_type, size_bytes, content, path, created_at)
        VALUES (@name, @contentType, @size, @content, @path, @now) RETURNING id
        """;
    public string FileGet => $"SELECT id, name, content_type, size_bytes, path FROM {P}crm_files WHERE id = @id";
    public string FileContent => $"SELECT id, content FROM {P}crm_files WHERE id = @id";

    // ---- image scans
    public string ScanInsert => $"""
        INSERT INTO {P}crm_image_scans (scan_type, status, image_file_id, image_url, media_type, created_at)
        VALUES (@scanType, 'processing', @fileId, @imageUrl, @mediaType, @now) RETURNING id
        """;
    /// <summary>Records the image a URL scan fetched (its file and sniffed media type), so a retry does not fetch it again.</summary>
    public string ScanSetImage => $"UPDATE {P}crm_image_scans SET image_file_id = @fileId, media_type = @mediaType WHERE id = @id";
    public string ScanSetJob => $"UPDATE {P}crm_image_scans SET job_id = @jobId WHERE id = @id";
    public const string ScanColumns =
        "id, scan_type, status, image_file_id, image_url, media_type, job_id, data, error, customer_id, created_at, completed_at";
    public string ScanGet => $"SELECT {ScanColumns} FROM {P}crm_image_scans WHERE id = @id";
    /// <summary>Newest first, from before the cursor (an id) when given: the WHERE part is added by the store.</summary>
    public string ScanList => $"SELECT {ScanColumns} FROM {P}crm_image_scans";
    public string ScanComplete => $"""
        UPDATE {P}crm_image_scans SET status = 'completed', data = @data, customer_id = @customerId, error = NULL, completed_at = @now
        WHERE id = @id
        """;
    public string ScanFail => $"UPDATE {P}crm_image_scans SET status = 'failed', error = @error, completed_at = @now WHERE id = @id";

    // ---- customers
    public const string CustomerColumns =
        "id, email, name, phone, company, title, website, industry, company_size, description, address, city, region, country, status, source, manual_fields, enriched_at, created_at, updated_at, postal_code, edited_fields";
    public string CustomerGet => $"SELECT {CustomerColumns} FROM {P}crm_customers WHERE id = @id";
    public string CustomerGetByEmail => $"SELECT {CustomerColumns} FROM {P}crm_customers WHERE email = @email";
    /// <summary>The customers, the WHERE part (search and cursor) added by the store; ordered by id.</summary>
    public string CustomerList => $"SELECT {CustomerColumns} FROM {P}crm_customers";
    /// <summary>Which of the e-mails in @emails (a list, see <see cref="CrmDatabase.TextList"/>) exist: one statement per batch.</summary>
    public abstract string CustomerExistingEmails { get; }
    /// <summary>The customers whose e-mail is in @emails (a list, see <see cref="CrmDatabase.TextList"/>): one statement per batch.</summary>
    public abstract string CustomersByEmails { get; }

    /// <summary>A case-insensitive "contains" test of <paramref name="column"/> against a LIKE pattern parameter (escaped with '\').</summary>
    public abstract string Contains(string column, string parameter);
    /// <summary>
    /// Inserts or updates by e-mail. A value given wins over the stored one, an empty one keeps it, and a field a person
    /// edited through the API (a bit of <c>edited_fields</c>, see <see cref="Model.CustomerField"/>) keeps its value; the
    /// fields given are added to <c>manual_fields</c> (entered by a person, never overwritten by enrichment).
    /// </summary>
    public string CustomerUpsert => $"""
        INSERT INTO {P}crm_customers (email, {FieldColumns}, manual_fields, created_at, updated_at)
        VALUES (@email, {string.Join(", ", Model.Customer.Fields.Select(f => "@" + f.Json))}, @manualFields, @now, @now)
        {CustomerOnConflict}
        RETURNING id
        """;

    /// <summary>
    /// The same upsert for many customers in one statement, or null where one prepared statement per row is as cheap
    /// (SQLite, in-process). The rows come as one array per column; their e-mails must be distinct (one statement
    /// cannot update a row twice: the store merges repeats first).
    /// </summary>
    public virtual string? CustomerUpsertMany => null;

    /// <summary>The customer columns in <see cref="Model.Customer.Fields"/> order.</summary>
    protected static string FieldColumns { get; } = string.Join(", ", Model.Customer.Fields.Select(f => f.Column));

    /// <summary>
    /// The conflict clause of both upserts: a value given wins over the stored one, an empty one keeps it, an edited
    /// field (its bit in <c>edited_fields</c>) keeps its value; <c>manual_fields</c> gains the fields given.
    /// </summary>
    protected string CustomerOnConflict => $"""
        ON CONFLICT (email) DO UPDATE SET
            {string.Join(",\n    ", Model.Customer.Fields.Select(f =>
                $"{f.Column} = CASE WHEN crm_customers.edited_fields & {(long)f.Field} = 0 THEN COALESCE(excluded.{f.Column}, crm_customers.{f.Column}) ELSE crm_customers.{f.Column} END"))},
            manual_fields = crm_customers.manual_fields | excluded.manual_fields,
            updated_at = excluded.updated_at
        """;
    public string CustomerCount => $"SELECT COUNT(*) FROM {P}crm_customers";
    public string CustomersExport => $"SELECT {CustomerColumns} FROM {P}crm_customers ORDER BY id";
    public string CustomerSegments => $"""
        SELECT COALESCE(region, ''), COALESCE(status, ''), COALESCE(source, ''), COUNT(*)
        FROM {P}crm_customers GROUP BY COALESCE(region, ''), COALESCE(status, ''), COALESCE(source, '')
        ORDER BY 1, 2, 3
        """;

    /// <summary>Imports and scans per UTC day: day, imports, inserted, updated, rejected, scans, completed, failed.</summary>
    public abstract string ActivityByDay { get; }

    // ---- reports
    public string ReportInsert => $"""
        INSERT INTO {P}crm_reports (report_type, format, status, created_at) VALUES (@reportType, @format, 'pending', @now) RETURNING id
        """;
    public string ReportSetJob => $"UPDATE {P}crm_reports SET job_id = @jobId WHERE id = @id";
    /// <summary>Creates the report of an import (type <c>import</c>), generated by the import batch's on-complete callback.</summary>
    public string ReportInsertForImport => $"""
        INSERT INTO {P}crm_reports (report_type, format, status, import_id, created_at)
        VALUES (@reportType, @format, 'pending', @importId, @now) RETURNING id
        """;
    public const string ReportColumns = "id, report_type, format, status, job_id, file_id, row_count, error, created_at, completed_at, total_rows, import_id";
    public string ReportGet => $"SELECT {ReportColumns} FROM {P}crm_reports WHERE id = @id";
    public string ReportList => $"SELECT {ReportColumns} FROM {P}crm_reports";
    public string ReportStart => $"UPDATE {P}crm_reports SET status = 'running', error = NULL WHERE id = @id";
    public string ReportComplete => $"""
        UPDATE {P}crm_reports SET status = 'completed', file_id = @fileId, row_count = @rowCount, total_rows = @totalRows, completed_at = @now
        WHERE id = @id
        """;
    public string ReportFail => $"UPDATE {P}crm_reports SET status = 'failed', error = @error, completed_at = @now WHERE id = @id";

    // ---- imports
    public string ImportInsert => $"""
        INSERT INTO {P}crm_imports (file_id, file_name, format, status, created_at) VALUES (@fileId, @fileName, @format, 'pending', @now) RETURNING id
        """;
    public string ImportSetJob => $"UPDATE {P}crm_imports SET job_id = @jobId WHERE id = @id";
    /// <summary>Records an import's job, the batch it is the first member of, and the report its batch's callback generates.</summary>
    public string ImportSetWorkflow => $"UPDATE {P}crm_imports SET job_id = @jobId, batch_id = @batchId, report_id = @reportId WHERE id = @id";
    public const string ImportColumns =
        "id, file_id, file_name, format, status, job_id, rows_done, inserted, updated, rejected, encoding, ignored_columns, error, created_at, completed_at, batch_id, report_id";
    public string ImportGet => $"SELECT {ImportColumns} FROM {P}crm_imports WHERE id = @id";
    public string ImportList => $"SELECT {ImportColumns} FROM {P}crm_imports";
    public string ImportStart => $"""
        UPDATE {P}crm_imports SET status = 'running', encoding = @encoding, ignored_columns = @ignoredColumns, error = NULL WHERE id = @id
        """;
    /// <summary>
    /// Moves the checkpoint from @expected to @rowsDone. Fenced on @expected: a worker whose lease was lost and whose
    /// import was resumed elsewhere changes nothing, and its batch rolls back.
    /// </summary>
    public string ImportCheckpoint => $"""
        UPDATE {P}crm_imports SET rows_done = @rowsDone, inserted = inserted + @inserted, updated = updated + @updated,
            rejected = rejected + @rejected
        WHERE id = @id AND rows_done = @expected
        """;
    public string ImportComplete => $"UPDATE {P}crm_imports SET status = 'completed', completed_at = @now WHERE id = @id";
    public string ImportFail => $"UPDATE {P}crm_imports SET status = 'failed', error = @error, completed_at = @now WHERE id = @id";
    /// <summary>
    /// Inserts a batch's rejected rows in one statement: @rows is a JSON array of <c>[row number, reason, raw fields]</c>
    /// (one parameter however many rows; PostgreSQL used to take one round trip per row).
    /// </summary>
    public abstract string RejectionInsertMany { get; }
    /// <summary>
    /// Records the customers a chunk created or changed, in the chunk's transaction: @rows is a JSON array of
    /// <c>[e-mail, row number, "created" | "changed"]</c>, joined to the customers by e-mail (one statement, no ids read back).
    /// A customer already recorded for the import keeps its first row.
    /// </summary>
    public abstract string ImportCustomerInsertMany { get; }
    /// <summary>The customers an import created or changed, in row order, with their e-mail and name.</summary>
    public string ImportCustomerList => $"""
        SELECT ic.customer_id, ic.row_number, ic.change, c.email, c.name
        FROM {P}crm_import_customers ic JOIN {P}crm_customers c ON c.id = ic.customer_id
        WHERE ic.import_id = @importId ORDER BY ic.row_number
        """;
    /// <summary>How many fields each enrichment job changed on the customers of an import: job id, count.</summary>
    public string ImportEnrichedFields => $"""
        SELECT e.job_id, COUNT(*) FROM {P}crm_enrichments e
        WHERE e.customer_id IN (SELECT customer_id FROM {P}crm_import_customers WHERE import_id = @importId) AND e.job_id IS NOT NULL
        GROUP BY e.job_id
        """;
    public string RejectionList => $"SELECT row_number, reason, raw FROM {P}crm_import_rejections WHERE import_id = @importId ORDER BY row_number";

    // ---- enrichment
    public string EnrichmentInsert => $"""
        INSERT INTO {P}crm_enrichments (customer_id, field, old_value, new_value, source, job_id, enriched_at)
        VALUES (@customerId, @field, @oldValue, @newValue, @source, @jobId, @now)
        """;
    public string EnrichmentList => $"""
        SELECT field, old_value, new_value, source, job_id, enriched_at FROM {P}crm_enrichments WHERE customer_id = @customerId ORDER BY id
        """;
}
