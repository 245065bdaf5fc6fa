using System.Data;
using System.Data.Common;
using System.Globalization;
using Leora.Jobs.Storage;

namespace Leora.Crm.Storage;

/// <summary>
/// The per-database seam of the CRM: connections (from the jobs store, so that a CRM row and its job commit in
/// one transaction), the SQL text, time mapping and migrations. One subclass per database.
/// </summary>
internal abstract class CrmDatabase
{
    /// <summary>"sqlite" or "postgresql".</summary>
    public abstract string Provider { get; }

    /// <summary>The statements, written per database under the same names.</summary>
    public abstract CrmSql Sql { get; }

    /// <summary>Opens a connection to the jobs database.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction (on SQLite, BEGIN IMMEDIATE so two writers never deadlock on a lock upgrade).</summary>
    public abstract Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The parameter value that stores <paramref name="time"/>.</summary>
    public abstract object Time(DateTimeOffset time);

    /// <summary>
    /// The parameter value of a list of texts, one parameter for a whole batch: a <c>text[]</c> on PostgreSQL
    /// (<c>= ANY(@p)</c>), a JSON array on SQLite (<c>IN (SELECT value FROM json_each(@p))</c>).
    /// </summary>
    public abstract object TextList(IReadOnlyCollection<string> values);

    /// <summary>Reads a time column.</summary>
    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>Statements that run before the numbered migrations, in the migration transaction.</summary>
    protected abstract string MigrationPrologue { get; }

    /// <summary>The resource folder of this database's migrations.</summary>
    protected abstract string MigrationFolder { get; }

    public DateTimeOffset? ReadTimeOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

    /// <summary>Applies the CRM migrations not applied yet, in one transaction, recorded in <c>crm_migrations</c>.</summary>
    public async Task MigrateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var tx = await BeginAsync(connection, cancellationToken);
        await CrmCommand.ExecAsync(connection, tx, MigrationPrologue, cancellationToken);
        await CrmCommand.ExecAsync(connection, tx, Sql.MigrationsTable, cancellationToken);
        var applied = Convert.ToInt32(await CrmCommand.ScalarAsync(connection, tx, Sql.MigrationVersion, cancellationToken), CultureInfo.InvariantCulture);
        foreach (var (version, sql) in LoadMigrations().Where(m => m.Version > applied))
        {
            await CrmCommand.ExecAsync(connection, tx, sql, cancellationToken);
            await using var record = CrmCommand.Create(connection, tx, Sql.MigrationRecord);
            record.Add("@version", version);
            record.Add("@now", Time(now));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    // The same numbered-resource loader as the job stores' (one implementation), over this assembly's folder.
    private IReadOnlyList<(int Version, string Sql)> LoadMigrations() =>
        EmbeddedMigrations.Load(typeof(CrmDatabase).Assembly, $"Leora.Crm.Migrations.{MigrationFolder}.");
}
