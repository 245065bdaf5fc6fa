namespace Leora.Jobs.TestSupport;

/// <summary>
/// The two PgBouncers that <c>./build.sh test</c> starts in front of the test server: one in transaction pooling
/// (LEORA_TEST_PGBOUNCER_TX), one in session pooling (LEORA_TEST_PGBOUNCER_SESSION). Without them the pooler tests fail
/// with a message saying how to get them, as the PostgreSQL tests do.
/// </summary>
public static class TestPgBouncer
{
    public const string Transaction = "pgbouncer-transaction";
    public const string Session = "pgbouncer-session";

    /// <summary>
    /// The connection string through the pooler of <paramref name="mode"/>, with the settings docs/operations.md documents
    /// for it: behind a transaction pooler of this PgBouncer (1.18, no max_prepared_statements) no prepared statements.
    /// </summary>
    public static string Require(string mode)
    {
        var variable = mode switch
        {
            Transaction => "LEORA_TEST_PGBOUNCER_TX",
            Session => "LEORA_TEST_PGBOUNCER_SESSION",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Expected a PgBouncer mode."),
        };
        var cs = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : throw new InvalidOperationException(
            $"The pooler tests need {variable} (run ./build.sh test, or ./build.sh pg-start, which start PgBouncer in front of the test server).");
        return mode == Transaction ? cs + ";Max Auto Prepare=0" : cs;
    }

    /// <summary>The raw connection string of the pooler of <paramref name="mode"/>, without the documented settings.</summary>
    public static string Raw(string mode) => Require(mode).Replace(";Max Auto Prepare=0", "", StringComparison.Ordinal);
}
