namespace Leora.Jobs.Sqlite;

// Paused queues and types (issue 12), named as in PostgreSqlSql.Pauses.cs. The claim reads the table itself (JobClaimPausedFilter).
internal static partial class SqliteSql
{
    // Pausing again keeps the first pause's time.
    public const string PauseInsert = """
        INSERT INTO leora_pauses AS p (scope, name, paused_at) VALUES (@scope, @name, @now)
        ON CONFLICT (scope, name) DO UPDATE SET paused_at = p.paused_at
        RETURNING paused_at
        """;

    public const string PauseDelete = "DELETE FROM leora_pauses WHERE scope = @scope AND name = @name";

    public const string PauseList = "SELECT scope, name, paused_at FROM leora_pauses ORDER BY scope, name";
}
