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
}
