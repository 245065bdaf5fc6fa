using System.Data.Common;
using Leora.Jobs.Storage;

namespace Leora.Crm.Storage;

/// <summary>The CRM on the jobs' PostgreSQL database, in the jobs schema.</summary>
internal sealed class PostgreSqlCrmDatabase(IJobStore store) : CrmDatabase
{
    private readonly string _schema = store.Schema
        ?? throw new InvalidOperationException($"The {store.Provider} jobs store names no schema.");
    private readonly CrmSql _sql = new PostgreSqlCrmSql(store.Schema!);

    public override string Provider => "postgresql";
    public override CrmSql Sql => _sql;
    protected override string MigrationFolder => "PostgreSql";

    // The schema name is validated by the jobs store (lower-case letters, digits, '_'), so it is safe in SQL text.
    // The advisory lock serialises nodes that start together; search_path puts the migration's unqualified tables in the schema.
    protected override string MigrationPrologue => $"""
        SELECT pg_advisory_xact_lock(hashtext('leora-crm-migrate:{_schema}'));
        CREATE SCHEMA IF NOT EXISTS "{_schema}";
        SET LOCAL search_path TO "{_schema}";
        """;

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await store.OpenConnectionAsync(cancellationToken);

    public override async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    public override object Time(DateTimeOffset time) => time.UtcDateTime;

    public override object TextList(IReadOnlyCollection<string> values) => values.ToArray();

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);
}
