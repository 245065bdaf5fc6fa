namespace Leora.Jobs.PostgreSql;

// Paused queues and types (issue 12), named as in SqliteSql.Pauses.cs. The claim reads the table itself (JobClaimPausedFilter).
internal static partial class PostgreSqlSql
{
    // Pausing again keeps the first pause's time (and writes the row anyway: a pause is an operator's act, not a hot path).
    public const string PauseInsert = """
        INSERT INTO {s}.pauses AS p (scope, name, paused_at) VALUES (@scope, @name, coalesce(@now, now()))
        ON CONFLICT (scope, name) DO UPDATE SET paused_at = p.paused_at
        RETURNING paused_at
        """;

    public const string PauseDelete = "DELETE FROM {s}.pauses WHERE scope = @scope AND name = @name";

    public const string PauseList = "SELECT scope, name, paused_at FROM {s}.pauses ORDER BY scope, name COLLATE \"C\"";
}
