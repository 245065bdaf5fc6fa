namespace Leora.Crm.Storage;

/// <summary>The CRM statements that SQLite spells its own way.</summary>
internal sealed class SqliteCrmSql() : CrmSql("")
{
    public override string MigrationsTable => """
        CREATE TABLE IF NOT EXISTS crm_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)
        """;

    // Times are Unix milliseconds.
    public override string ActivityByDay => """
        WITH d AS (
            SELECT date(created_at / 1000, 'unixepoch') AS day, 1 AS imports, inserted, updated, rejected, 0 AS scans, 0 AS ok, 0 AS bad
            FROM crm_imports
            UNION ALL
            SELECT date(created_at / 1000, 'unixepoch'), 0, 0, 0, 0, 1,
                CASE WHEN status = 'completed' THEN 1 ELSE 0 END, CASE WHEN status = 'failed' THEN 1 ELSE 0 END
            FROM crm_image_scans)
        SELECT day, SUM(imports), SUM(inserted), SUM(updated), SUM(rejected), SUM(scans), SUM(ok), SUM(bad)
        FROM d GROUP BY day ORDER BY day
        """;

    // json_each turns the one parameter into rows; the unique index on email serves the IN.
    public override string CustomerExistingEmails => "SELECT email FROM crm_customers WHERE email IN (SELECT value FROM json_each(@emails))";

    public override string CustomersByEmails => $"SELECT {CustomerColumns} FROM crm_customers WHERE email IN (SELECT value FROM json_each(@emails))";

    // ORDER BY keeps the file's order, so that a customer recorded twice keeps its first row.
    public override string ImportCustomerInsertMany => """
        INSERT INTO crm_import_customers (import_id, customer_id, row_number, change)
        SELECT @importId, c.id, json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]')
        FROM json_each(@rows) r JOIN crm_customers c ON c.email = json_extract(r.value, '$[0]') WHERE true ORDER BY r.key
        ON CONFLICT (import_id, customer_id) DO NOTHING
        """;

    // "WHERE true" keeps SQLite's parser from reading ON CONFLICT as a join constraint of the SELECT.
    public override string RejectionInsertMany => """
        INSERT INTO crm_import_rejections (import_id, row_number, reason, raw)
        SELECT @importId, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(@rows) WHERE true
        ON CONFLICT (import_id, row_number) DO NOTHING
        """;

    // SQLite's LIKE ignores case for ASCII letters only.
    public override string Contains(string column, string parameter) => $"{column} LIKE {parameter} ESCAPE '\\'";
}
