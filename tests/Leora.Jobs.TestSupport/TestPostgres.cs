using Npgsql;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// The throwaway PostgreSQL server that <c>./build.sh test</c> starts, named by the LEORA_TEST_PG connection string.
/// Without it, PostgreSQL tests fail with a message saying how to get one: they are never skipped, in CI or out.
/// </summary>
public static class TestPostgres
{
    public const string EnvironmentVariable = "LEORA_TEST_PG";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs ? cs : null;

    /// <summary>The connection string; throws, failing the test, when none is set.</summary>
    public static string Require() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"PostgreSQL tests need {EnvironmentVariable} (run ./build.sh test, which starts a throwaway server).");

    /// <summary>A fresh schema name for one test class; dropped by <see cref="DropSchemaAsync"/>.</summary>
    public static string NewSchemaName(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    public static async Task DropSchemaAsync(string schema)
    {
        if (ConnectionString is { } cs) await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", cs);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on a connection of its own: on the test server, or through <paramref name="connectionString"/>
    /// (a pooler, another database) when given. For set-up a test does outside the store: a database of its own, a grant.
    /// Waits up to three minutes, not Npgsql's 30 s: a CREATE or DROP DATABASE writes or removes a whole database's files,
    /// and on a loaded machine one CREATE DATABASE took over 30 s (a CI run beside stress-ng).
    /// </summary>
    public static async Task ExecuteAsync(string sql, string? connectionString = null)
    {
        await using var connection = new NpgsqlConnection(connectionString ?? Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 180 };
        await command.ExecuteNonQueryAsync();
    }
}
