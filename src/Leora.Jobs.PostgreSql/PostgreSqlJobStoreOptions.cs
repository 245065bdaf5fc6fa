namespace Leora.Jobs.PostgreSql;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed class PostgreSqlJobStoreOptions
{
    /// <summary>The Npgsql connection string. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema that holds Leora's tables (created by the migrations). Lower-case letters, digits and <c>_</c>. Defaults to <c>leora</c>.</summary>
    public string Schema { get; set; } = "leora";

    /// <summary>
    /// Whether a process with a worker LISTENs for new jobs, so that idle workers start them at once instead of at their
    /// next poll. Defaults to true. Set false behind a transaction-mode pooler (PgBouncer), where LISTEN does not work:
    /// workers then find jobs by polling alone.
    /// </summary>
    public bool Listen { get; set; } = true;

    /// <summary>
    /// The connection string of the one connection that LISTENs, when it must differ from <see cref="ConnectionString"/>:
    /// a direct connection to the same database (or one through a session-mode pooler) while every other statement goes
    /// through a transaction-mode pooler, which cannot deliver notifications. Defaults to null: the store's own
    /// connection string. Whichever it is, the listener checks at each (re)connect that its own probe notification
    /// arrives, and falls back to polling with a warning when it does not.
    /// </summary>
    public string? ListenConnectionString { get; set; }

    /// <summary>
    /// How long the listener waits for its probe notification after LISTEN before it decides that notifications cannot
    /// reach it (a transaction-mode pooler in between) and leaves new jobs to polling. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan ListenProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the store's statements take the current time from the container's <see cref="TimeProvider"/> instead of
    /// PostgreSQL's <c>now()</c>. Defaults to false: leases, due times and heartbeats are compared on the database's
    /// clock, so nodes whose clocks drift still agree, whatever <see cref="TimeProvider"/> a node has (a wrapper of the
    /// system clock included). Set true only for a test that drives time with a fake clock (for example
    /// <c>FakeTimeProvider</c>); every node of the database must then share that clock. Not read from configuration.
    /// </summary>
    public bool UseTimeProviderClock { get; set; }
}
