using System.Data.Common;
using System.Globalization;
using Leora.Jobs.AspNetCore;
using Microsoft.Extensions.Configuration;

namespace Leora.Jobs.Server;

/// <summary>
/// The service's settings, read once from configuration (appsettings.json, environment, command line) and checked,
/// so a bad provider, connection string or duration stops start-up with a message naming the setting.
/// Every key is listed in docs/configuration.md.
/// </summary>
internal sealed record ServerSettings
{
    public const string DefaultSqlite = "Data Source=data/jobs.db";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public required string Provider { get; init; }
    public required string ConnectionString { get; init; }
    public string? PostgreSqlSchema { get; init; }
    public string? SqliteSynchronous { get; init; }
    public string? SqliteWorkerSynchronous { get; init; }
    public bool WorkerEnabled { get; init; } = true;
    public int WorkerConcurrency { get; init; } = 4;
    public TimeSpan? WorkerPollInterval { get; init; }
    public TimeSpan? WorkerShutdownGrace { get; init; }
    public TimeSpan? WorkerFetchCooldown { get; init; }
    public TimeSpan? WorkerNodeHeartbeatInterval { get; init; }
    public TimeSpan? WorkerLeaderLease { get; init; }
    public bool? PostgreSqlListen { get; init; }
    public IReadOnlyDictionary<string, int> WorkerQueues { get; init; } = new Dictionary<string, int>();
    public TimeSpan? Lease { get; init; }
    public TimeSpan? HeartbeatInterval { get; init; }
    public int? DefaultMaxAttempts { get; init; }
    public string? DefaultQueue { get; init; }
    public int? BatchConcurrency { get; init; }
    public string? WorkerName { get; init; }
    public bool MigrateOnStart { get; init; } = true;
    /// <summary>Finished jobs older than this are deleted by the service (hourly). Null: kept forever.</summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(30);
    public IReadOnlyList<string> WebhookAllowedHosts { get; init; } = [];
    public int? WebhookMaxRedirects { get; init; }
    public TimeSpan? WebhookDefaultTimeout { get; init; }
    public bool OpenApiEnabled { get; init; } = true;

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

        var retention = config["Jobs:Retention"] is { Length: > 0 } r
            ? (r.Trim().ToLowerInvariant() is "off" or "none" or "forever" ? (TimeSpan?)null : Duration(r, "Jobs:Retention"))
            : TimeSpan.FromDays(30);

        return new ServerSettings
        {
            Provider = provider,
            ConnectionString = connectionString,
            PostgreSqlSchema = config["Jobs:PostgreSql:Schema"] is { Length: > 0 } schema ? schema : null,
            SqliteSynchronous = config["Jobs:Sqlite:Synchronous"] is { Length: > 0 } sync ? sync : null,
            SqliteWorkerSynchronous = config["Jobs:Sqlite:WorkerSynchronous"] is { Length: > 0 } wsync ? wsync : null,
            WorkerEnabled = Bool(config, "Jobs:Worker:Enabled") ?? true,
            WorkerConcurrency = Int(config, "Jobs:Worker:Concurrency", 1, 1000) ?? 4,
            WorkerPollInterval = OptionalDuration(config, "Jobs:Worker:PollInterval"),
            WorkerShutdownGrace = OptionalDuration(config, "Jobs:Worker:ShutdownGrace"),
            WorkerFetchCooldown = OptionalDuration(config, "Jobs:Worker:FetchCooldown"),
            WorkerNodeHeartbeatInterval = OptionalDuration(config, "Jobs:Worker:NodeHeartbeatInterval"),
            WorkerLeaderLease = OptionalDuration(config, "Jobs:Worker:LeaderLease"),
            PostgreSqlListen = Bool(config, "Jobs:PostgreSql:Listen"),
            WorkerQueues = config.GetSection("Jobs:Worker:Queues").GetChildren()
                .ToDictionary(c => c.Key, c => Int(config, c.Path, 1, 1000) ?? 1, StringComparer.Ordinal),
            Lease = OptionalDuration(config, "Jobs:Lease"),
            HeartbeatInterval = OptionalDuration(config, "Jobs:HeartbeatInterval"),
            DefaultMaxAttempts = Int(config, "Jobs:DefaultMaxAttempts", 1, 1000),
            DefaultQueue = config["Jobs:DefaultQueue"] is { Length: > 0 } q ? q : null,
            BatchConcurrency = Int(config, "Jobs:BatchConcurrency", 1, 1000),
            WorkerName = config["Jobs:WorkerName"] is { Length: > 0 } w ? w : null,
            MigrateOnStart = Bool(config, "Jobs:MigrateOnStart") ?? true,
            Retention = retention,
            WebhookAllowedHosts = List(config, "Jobs:Webhook:AllowedHosts"),
            WebhookMaxRedirects = Int(config, "Jobs:Webhook:MaxRedirects", 0, 20),
            WebhookDefaultTimeout = OptionalDuration(config, "Jobs:Webhook:DefaultTimeout"),
            OpenApiEnabled = Bool(config, "Jobs:OpenApi:Enabled") ?? true,
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

    private static TimeSpan Duration(string text, string key)
    {
        try
        {
            return DurationText.Parse(text, key);
        }
        catch (FormatException ex)
        {
            throw new ServerConfigurationException(ex.Message, ex);
        }
    }

    private static TimeSpan? OptionalDuration(IConfiguration config, string key) =>
        config[key] is { Length: > 0 } text ? Duration(text, key) : null;

    private static bool? Bool(IConfiguration config, string key) =>
        config[key] is not { Length: > 0 } text ? null
        : bool.TryParse(text, out var b) ? b
        : throw new ServerConfigurationException($"{key} '{text}' is not true or false.");

    private static int? Int(IConfiguration config, string key, int min, int max)
    {
        if (config[key] is not { Length: > 0 } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new ServerConfigurationException($"{key} '{text}' must be a whole number from {min} to {max}.");
        return n;
    }

    private static string[] List(IConfiguration config, string key)
    {
        var section = config.GetSection(key);
        var items = new List<string>();
        if (section.Value is { Length: > 0 } joined) items.AddRange(joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        items.AddRange(section.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0));
        return [.. items];
    }
}
