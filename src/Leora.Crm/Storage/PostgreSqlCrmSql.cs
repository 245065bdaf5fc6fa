namespace Leora.Crm.Storage;

/// <summary>The CRM statements that PostgreSQL spells its own way; every table is qualified with the jobs schema.</summary>
internal sealed class PostgreSqlCrmSql(string schema) : CrmSql($"\"{schema}\".")
{
    public override string MigrationsTable => $"""
        CREATE TABLE IF NOT EXISTS {P}crm_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)
        """;

    // SUM over bigint is numeric on PostgreSQL: cast back so that both databases read the same types.
    public override string ActivityByDay => $"""
        WITH d AS (
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 1 AS imports, inserted, updated, rejected,
                0 AS scans, 0 AS ok, 0 AS bad
            FROM {P}crm_imports
            UNION ALL
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 0, 0, 0, 0, 1,
                CASE WHEN status = 'completed' THEN 1 ELSE 0 END, CASE WHEN status = 'failed' THEN 1 ELSE 0 END
            FROM {P}crm_image_scans)
        SELECT day, SUM(imports)::bigint, SUM(inserted)::bigint, SUM(updated)::bigint, SUM(rejected)::bigint,
            SUM(scans)::bigint, SUM(ok)::bigint, SUM(bad)::bigint
        FROM d GROUP BY day ORDER BY day
        """;

    // One text[] parameter for the whole batch; the unique index on email serves = ANY.
    public override string CustomerExistingEmails => $"SELECT email FROM {P}crm_customers WHERE email = ANY(@emails)";

    public override string CustomersByEmails => $"SELECT {CustomerColumns} FROM {P}crm_customers WHERE email = ANY(@emails)";

    // ORDER BY keeps the file's order, so that a customer recorded twice keeps its first row.
    public override string ImportCustomerInsertMany => $"""
        INSERT INTO {P}crm_import_customers (import_id, customer_id, row_number, change)
        SELECT @importId, c.id, (e.value ->> 1)::bigint, e.value ->> 2
        FROM jsonb_array_elements(@rows::jsonb) WITH ORDINALITY AS e (value, n) JOIN {P}crm_customers c ON c.email = e.value ->> 0
        ORDER BY e.n
        ON CONFLICT (import_id, customer_id) DO NOTHING
        """;

    // One statement for a whole batch: a text[] (bigint[] for the fields given) per column, unnested in order, so the
    // server parses and plans once per batch instead of once per row.
    public override string CustomerUpsertMany => $"""
        INSERT INTO {P}crm_customers (email, {FieldColumns}, manual_fields, created_at, updated_at)
        SELECT u.*, @now, @now
        FROM unnest(@email::text[], {string.Join(", ", Model.Customer.Fields.Select(f => $"@{f.Json}::text[]"))}, @manualFields::bigint[])
            AS u(email, {FieldColumns}, manual_fields)
        {CustomerOnConflict}
        """;

    public override string RejectionInsertMany => $"""
        INSERT INTO {P}crm_import_rejections (import_id, row_number, reason, raw)
        SELECT @importId, (e ->> 0)::bigint, e ->> 1, e ->> 2 FROM jsonb_array_elements(@rows::jsonb) AS e
        ON CONFLICT (import_id, row_number) DO NOTHING
        """;

    public override string Contains(string column, string parameter) => $"{column} ILIKE {parameter} ESCAPE '\\'";
}
