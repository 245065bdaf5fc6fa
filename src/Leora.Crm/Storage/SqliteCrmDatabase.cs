using System.Data.Common;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Crm.Storage;

/// <summary>The CRM on the jobs' SQLite database.</summary>
internal sealed class SqliteCrmDatabase(IJobStore store) : CrmDatabase
{
    private static readonly CrmSql Statements = new SqliteCrmSql();

    public override string Provider => "sqlite";
    public override CrmSql Sql => Statements;
    protected override string MigrationPrologue => "";
    protected override string MigrationFolder => "Sqlite";

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await store.OpenConnectionAsync(cancellationToken);

    public override Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // deferred: false is BEGIN IMMEDIATE: the write lock is taken up front, so two writers never deadlock upgrading.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override object Time(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public override object TextList(IReadOnlyCollection<string> values) => System.Text.Json.JsonSerializer.Serialize(values);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
