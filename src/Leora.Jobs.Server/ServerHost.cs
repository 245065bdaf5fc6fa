using Leora.Jobs.PostgreSql;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Leora.Jobs.Server;

/// <summary>Builds the hosts of the executable: the web service (serve), the worker-only host (work) and the plain one the other verbs use.</summary>
internal static class ServerHost
{
    /// <summary>The web service: API, health, OpenAPI document and API page, and the worker unless Jobs:Worker:Enabled is false.</summary>
    public static (WebApplication App, ServerSettings Settings) BuildWebApp(string[] configArgs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = configArgs,
            // appsettings.json sits next to the executable, so the service behaves the same from any folder;
            // relative paths (the SQLite file under ./data/) stay relative to the current folder.
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureLogging(builder.Logging, LogLevel.Information, builder.Configuration);

        var settings = ServerSettings.Read(builder.Configuration);
        UseUrls(builder, settings);
        JobsServices.Add(builder.Services, settings, worker: settings.WorkerEnabled, builder.Configuration);
        HttpJobTypeConfiguration.AddListeningAddressFallback(builder.Services);
        ServerTelemetry.Add(builder.Services, builder.Configuration, settings, web: true);
        AllowShutdownGrace(builder.Services);
        if (settings.OpenApiEnabled)
            builder.Services.AddOpenApi(o =>
            {
                o.AddDocumentTransformer((document, _, _) =>
                {
                    document.Info.Title = "Leora Jobs API";
                    document.Info.Description = "A durable, database-backed job queue. Send an API key as x-api-key: <key> or Authorization: Bearer <key>.";
                    return Task.CompletedTask;
                });
                o.AddDocumentTransformer<ApiKeySecurityTransformer>();
                o.AddOperationTransformer<ApiKeySecurityTransformer>();
            });
        if (settings.OpenApiEnabled) builder.Services.AddSingleton<OpenApi.OpenApiDocumentEndpoint>();
        // A query value that does not bind (maxJobs=abc) becomes a 400 problem that names the parameter, not an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = c =>
        {
            if (c.Exception is BadHttpRequestException bad)
            {
                c.ProblemDetails.Status = bad.StatusCode;
                c.ProblemDetails.Title = "Bad request";
                c.ProblemDetails.Detail = Leora.Jobs.AspNetCore.ApiErrorText.Describe(bad.Message);
                Leora.Jobs.AspNetCore.Log.BadRequest(c.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger("Leora.Jobs.AspNetCore.BadRequest"), c.HttpContext.Request.Path, bad.StatusCode, bad.Message);
            }
        });
        Program.AddModules(builder);

        var app = builder.Build();
        settings = Validate(app.Services, settings);
        ServerTelemetry.StartProviders(app.Services);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // The caller's mistake, not the service's: logged once above at Debug, not as an unhandled error with its stack.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        ServerTelemetry.MapMetrics(app, settings);
        if (settings.OpenApiEnabled) app.Use(ApiPageSecurityHeaders.InvokeAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        if (settings.OpenApiEnabled)
        {
            // The exact document (OpenApi/OpenApiContract.cs), in place of MapOpenApi()'s generated one.
            OpenApi.OpenApiDocumentEndpoint.Map(app);
            // Scalar serves its script from the assembly (no CDN); default fonts would come from a CDN, so they are off.
            // A fresh nonce per request lets its one inline script run under ApiPageSecurityHeaders' policy.
            app.MapScalarApiReference(o => o.WithTitle("Leora Jobs API").DisableDefaultFonts().WithNonce());
            app.MapGet("/", () => TypedResults.Redirect("/scalar/v1")).ExcludeFromDescription();
        }
        Program.MapModules(app);
        return (app, settings);
    }

    /// <summary>A host without HTTP: the worker (work) or nothing running at all (the one-shot verbs).</summary>
    public static (IHost Host, ServerSettings Settings) BuildHost(string[] configArgs, bool worker, LogLevel level)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = configArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureLogging(builder.Logging, level, builder.Configuration);
        var settings = ServerSettings.Read(builder.Configuration);
        JobsServices.Add(builder.Services, settings, worker, builder.Configuration);
        ServerTelemetry.Add(builder.Services, builder.Configuration, settings, web: false);
        AllowShutdownGrace(builder.Services);
        var host = builder.Build();
        settings = Validate(host.Services, settings);
        ServerTelemetry.StartProviders(host.Services);
        return (host, settings);
    }

    /// <summary>
    /// Checks every option now, as starting the host would: the one-shot commands never start theirs, and a bad value
    /// must stop them too (exit code 5). Then completes the settings with what the banner shows.
    /// </summary>
    private static ServerSettings Validate(IServiceProvider services, ServerSettings settings)
    {
        services.GetService<IStartupValidator>()?.Validate();
        var schema = (JobsServices.ResolveStore(services) as PostgreSqlJobStore)?.Schema;
        return settings with
        {
            WorkerConcurrency = services.GetRequiredService<IOptions<JobWorkerOptions>>().Value.Concurrency,
            PostgreSqlSchema = schema == new PostgreSqlJobStoreOptions().Schema ? null : schema,
        };
    }

    /// <summary>
    /// Opens the store and applies migrations (unless Jobs:MigrateOnStart, bound onto <see cref="JobsOptions"/>, is
    /// false), with clear errors. <paramref name="settings"/> is the commands' handle on the service; the store reads none of it.
    /// </summary>
    public static async Task<IJobStore> OpenStoreAsync(IServiceProvider services, ServerSettings settings, bool forceMigrate, CancellationToken ct)
    {
        var store = JobsServices.ResolveStore(services);
        if (services.GetRequiredService<IOptions<JobsOptions>>().Value.MigrateOnStart || forceMigrate)
        {
            await store.MigrateAsync(ct);
            // The CRM's tables live in the same database and are migrated with it.
            await services.GetRequiredService<Leora.Crm.ICrmMigrator>().MigrateAsync(ct);
            // The one-shot verbs start no host: the configured schedules are brought up to date here (process enqueues them).
            await services.GetRequiredService<JobSchedules>().UpsertDeclaredAsync(ct);
            // And the configured limits written (a deployment triggered only by `process` enforces them too).
            foreach (var limits in services.GetServices<IHostedService>().OfType<Leora.Jobs.Maintenance.LimitDeclarations>())
                await limits.StartAsync(ct);
        }
        return store;
    }

    /// <summary>
    /// Opens the store for a command that must find the database as it is (status, list, stats, cancel, retry, delete,
    /// cleanup): it creates and migrates nothing, so a mistyped path or the wrong database is an error that says so
    /// (exit code 5), not an empty queue, and an application's own database gains no table.
    /// </summary>
    public static async Task<IJobStore> RequireMigratedStoreAsync(IServiceProvider services, ServerSettings settings, CancellationToken ct)
    {
        var store = JobsServices.ResolveStore(services);
        var path = JobsServices.SqlitePath(store);
        var database = settings.DescribeDatabase(path);
        if (path is not null && !File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path);
            throw new ServerConfigurationException(
                $"the {database} does not exist{(folder is { Length: > 0 } && !Directory.Exists(folder) ? ", nor does its folder" : "")}. " +
                "Check the connection string (-c, ConnectionStrings:Jobs); 'leora-jobs migrate' creates a new database. Nothing was created.");
        }
        var (applied, latest) = await store.MigrationVersionAsync(ct);
        if (applied == 0)
            throw new ServerConfigurationException(
                $"the {database} is not migrated: it has no Leora Jobs tables. Check the connection string, or run 'leora-jobs migrate' first. Nothing was created.");
        if (applied < latest)
            throw new ServerConfigurationException(
                $"the {database} is at schema version {applied}, behind this leora-jobs (version {latest}): run 'leora-jobs migrate' first.");
        return store;
    }

    /// <summary>How much longer than <see cref="JobWorkerOptions.ShutdownGrace"/> a stop may take: to hand back what is still running and answer a batch's caller.</summary>
    internal static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Lets a stop (SIGTERM, Ctrl+C) last the shutdown grace plus <see cref="ShutdownMargin"/>: running jobs (the worker's
    /// and a batch's) get the grace to finish, then those still running are handed back, and a batch answers its caller.
    /// With the host's own 30 s default, a grace of 30 s would leave no time for either: the connection was reset.
    /// </summary>
    private static void AllowShutdownGrace(IServiceCollection services) =>
        services.AddOptions<HostOptions>().Configure<IOptions<JobWorkerOptions>>((host, worker) =>
        {
            var needed = worker.Value.ShutdownGrace + ShutdownMargin;
            if (host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
        });

    /// <summary>
    /// The service's addresses: those configured (urls, ASPNETCORE_URLS, --urls) or the default, plus the metrics' own
    /// address when Jobs:Metrics:Url names one. Kestrel:Endpoints and ASPNETCORE_HTTP_PORTS replace urls, so with them
    /// the metrics address must be declared there, as one more endpoint.
    /// </summary>
    private static void UseUrls(WebApplicationBuilder builder, ServerSettings settings)
    {
        var config = builder.Configuration;
        var metricsUrl = settings.Metrics.Enabled ? settings.Metrics.Url : null;
        if (!HasUrls(config))
        {
            builder.WebHost.UseUrls(metricsUrl is null ? ServerSettings.DefaultUrl : $"{ServerSettings.DefaultUrl};{metricsUrl}");
            return;
        }
        if (metricsUrl is null) return;
        if (config["urls"] is not { Length: > 0 } urls)
            throw new ServerConfigurationException(
                $"Jobs:Metrics:Url adds {metricsUrl} to the addresses of urls (--urls, ASPNETCORE_URLS), but the service's addresses come from " +
                "Kestrel:Endpoints or ASPNETCORE_HTTP_PORTS: write them as urls, or leave Jobs:Metrics:Url unset and scrape /metrics with an API key.");
        builder.WebHost.UseUrls($"{urls};{metricsUrl}");
    }

    private static bool HasUrls(IConfiguration config) =>
        !string.IsNullOrEmpty(config["urls"]) || !string.IsNullOrEmpty(config["http_ports"]) || !string.IsNullOrEmpty(config["https_ports"])
        || config.GetSection("Kestrel:Endpoints").GetChildren().Any();

    private static void ConfigureLogging(ILoggingBuilder logging, LogLevel level, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Logs go to standard error, so tables and --json on standard output stay clean for scripts.
        switch (configuration["Logging:Console:FormatterName"]?.Trim().ToLowerInvariant())
        {
            case null or "" or "simple":
                logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
                break;
            case "json":
                // One JSON object per line for log shippers (docs/monitoring.md): UTC time, level, category, event id,
                // message, its named values (State) and, inside a request, its trace and span ids (Scopes).
                logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                    o.IncludeScopes = true;
                    o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
                });
                break;
            case "systemd":
                logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
                break;
            case var other:
                throw new ServerConfigurationException($"Logging:Console:FormatterName '{other}' is not simple, json or systemd.");
        }
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
