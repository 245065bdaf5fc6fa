using System.Data.Common;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

/// <summary>
/// What only the service decides, read once from configuration (appsettings.json, environment, command line) and
/// checked: which store (<c>Jobs:Provider</c>, <c>ConnectionStrings:Jobs</c>), which parts run (<c>Jobs:Worker:Enabled</c>,
/// <c>Jobs:OpenApi:Enabled</c>) and how long finished jobs are kept (<c>Jobs:Retention</c>). Every other setting is bound
/// straight onto its options class by <see cref="JobsServices"/> and validated at start. Every key is listed in docs/configuration.md.
/// </summary>
internal sealed record ServerSettings
{
    public const string DefaultSqlite = "Data Source=data/jobs.db";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public required string Provider { get; init; }
    public required string ConnectionString { get; init; }
    /// <summary>Whether <c>serve</c> runs the built-in worker (<c>work</c> always does).</summary>
    public bool WorkerEnabled { get; init; } = true;
    /// <summary>Finished jobs older than this are deleted by the service (hourly). Null: kept forever.</summary>
    public TimeSpan? Retention { get; init; } = RetentionSetting.Default;
    public bool OpenApiEnabled { get; init; } = true;
    /// <summary>Prometheus metrics (<c>Jobs:Metrics</c>): off unless configured.</summary>
    public MetricsSettings Metrics { get; init; } = new();

    /// <summary>The worker's concurrency, for the start-up banner; known once the host is built (<see cref="ServerHost"/>).</summary>
    public int WorkerConcurrency { get; init; } = new JobWorkerOptions().Concurrency;
    /// <summary>The PostgreSQL schema when it is not the default, for <see cref="DescribeDatabase"/>; known once the host is built.</summary>
    public string? PostgreSqlSchema { get; init; }

    public static ServerSettings Read(IConfiguration config)
    {
        var provider = (config["Jobs:Provider"] ?? "sqlite").Trim().ToLowerInvariant() switch
        {
            "sqlite" or "" => "sqlite",
            "postgresql" or "postgres" or "npgsql" => "postgresql",
            var other => throw new ServerConfigurationException(
                $"Jobs:Provider '{other}' is not supported. Use 'sqlite' (the default) or 'postgresql'."),
        };
        var connectionString = config.GetConnectionString("Jobs");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = provider == "sqlite" ? DefaultSqlite
                : throw new ServerConfigurationException(
                    "Jobs:Provider is 'postgresql' but ConnectionStrings:Jobs is not set. Set it, for example: ConnectionStrings__Jobs='Host=localhost;Username=jobs;Password=…;Database=jobs'.");
        }
        CheckConnectionString(provider, connectionString);

        TimeSpan? retention;
        try
        {
            retention = RetentionSetting.Read(config);
        }
        catch (FormatException ex)
        {
            throw new ServerConfigurationException(ex.Message, ex);
        }

        return new ServerSettings
        {
            Provider = provider,
            ConnectionString = connectionString,
            WorkerEnabled = Bool(config, "Jobs:Worker:Enabled") ?? true,
            Retention = retention,
            OpenApiEnabled = Bool(config, "Jobs:OpenApi:Enabled") ?? true,
            Metrics = MetricsSettings.Read(config, key => Bool(config, key)),
        };
    }

    /// <summary>Where the jobs are, for people: the SQLite file's full path, or PostgreSQL's host, database and schema (never the password).</summary>
    public string DescribeDatabase(string? sqlitePath)
    {
        if (Provider == "sqlite") return $"SQLite database {sqlitePath ?? "(in memory)"}";
        var b = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        string Get(string key, string fallback) => b.TryGetValue(key, out var v) && v?.ToString() is { Length: > 0 } s ? s : fallback;
        var host = Get("Host", Get("Server", "localhost"));
        var port = Get("Port", "5432");
        var database = Get("Database", Get("Username", "postgres"));
        return $"PostgreSQL database {database} on {host}:{port}{(PostgreSqlSchema is null ? "" : $", schema {PostgreSqlSchema}")}";
    }

    private static void CheckConnectionString(string provider, string connectionString)
    {
        DbConnectionStringBuilder builder;
        try
        {
            builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException ex)
        {
            throw new ServerConfigurationException($"ConnectionStrings:Jobs is not a valid connection string: {ex.Message}", ex);
        }
        if (provider == "sqlite" && !builder.ContainsKey("Data Source") && !builder.ContainsKey("DataSource") && !builder.ContainsKey("Filename"))
            throw new ServerConfigurationException("ConnectionStrings:Jobs names no SQLite file: write for example 'Data Source=data/jobs.db'.");
        if (provider == "postgresql" && !builder.ContainsKey("Host") && !builder.ContainsKey("Server"))
            throw new ServerConfigurationException("ConnectionStrings:Jobs names no PostgreSQL host: write for example 'Host=localhost;Username=jobs;Password=…;Database=jobs'.");
    }

    private static bool? Bool(IConfiguration config, string key) =>
        config[key] is not { Length: > 0 } text ? null
        : bool.TryParse(text, out var b) ? b
        : throw new ServerConfigurationException($"{key} '{text}' is not true or false.");
}
