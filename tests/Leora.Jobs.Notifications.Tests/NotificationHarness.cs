using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// One queue with notifications over a fresh, migrated <see cref="TestDatabase"/>, with the <c>always_fails</c> and
/// <c>always_succeeds</c> test types.
/// The leader's monitor is not started: tests evaluate through batches (<see cref="IJobProcessor"/>, which evaluates after
/// each one, as <c>POST /api/jobs/process</c> does) or through the evaluator, and drive a fake clock where time matters.
/// </summary>
internal sealed class NotificationHarness : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private NotificationHarness(ServiceProvider services, FakeTimeProvider? time, TestDatabase database, LogSink logs)
    {
        Services = services;
        Time = time;
        _database = database;
        Logs = logs;
    }

    public ServiceProvider Services { get; }
    public FakeTimeProvider? Time { get; }
    public TestDatabase Database => _database;
    public LogSink Logs { get; }
    public IJobClient Client => Services.GetRequiredService<IJobClient>();
    public IJobProcessor Processor => Services.GetRequiredService<IJobProcessor>();
    public NotificationEvaluator Evaluator => Services.GetRequiredService<NotificationEvaluator>();

    /// <summary>
    /// One pass of the maintenance leader's monitor (not a batch: no sign of life for the NoWorker rule). This host runs no
    /// worker, so the pass also delivers the due notification jobs.
    /// </summary>
    public Task<int> EvaluateAsLeaderAsync() =>
        Services.GetServices<IHostedService>().OfType<NotificationMonitor>().Single().RunOnceAsync(CancellationToken.None);

    /// <summary>Whether rule <paramref name="name"/> fires, as the stored state says.</summary>
    public async Task<bool> FiringAsync(string name) =>
        (await Evaluator.ReadStateAsync(CancellationToken.None)).Rules.TryGetValue(name, out var rule) && rule.Firing;

    public static async Task<NotificationHarness> CreateAsync(string provider, Action<NotificationOptions> notifications, bool fakeTime = false)
    {
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        var services = new ServiceCollection();
        var logs = new LogSink();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        if (time is not null) services.AddSingleton<TimeProvider>(time);
        var builder = services.AddLeoraJobs(o => o.WorkerName = "notify-test")
            .AddJob<FailArgs, FailHandler>(o => o.MaxAttempts = 1)
            .AddJob<SucceedArgs, SucceedHandler>()
            .AddJob<FlakyArgs, FlakyHandler>(o => o.MaxAttempts = 2)
            .AddJob<RefusedArgs, RefusedHandler>(o => o.MaxAttempts = 5)
            .AddNotifications(notifications);
        var database = TestDatabase.Create(provider, "nt");
        database.Use(builder, timeProviderClock: time is not null);
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
        return new NotificationHarness(sp, time, database, logs);
    }

    /// <summary>Runs one batch of every due job (and the evaluation after it).</summary>
    public Task<BatchResult> ProcessAsync() => Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1000, Concurrency = 4 });

    /// <summary>The notification jobs, oldest first.</summary>
    public async Task<IReadOnlyList<JobInfo>> NotificationJobsAsync()
    {
        var jobs = new List<JobInfo>();
        string? cursor = null;
        do
        {
            var page = await Client.ListAsync(new JobQuery { Type = NotificationArgs.Kind, Limit = 1000, NewestFirst = false, Cursor = cursor });
            jobs.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return jobs;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>A job that fails for good at its first attempt with <see cref="Error"/> as the message.</summary>
internal sealed record FailArgs(string Error) : IJobArgs
{
    public static string Kind => "always_fails";
}

internal sealed class FailHandler : IJobHandler<FailArgs>
{
    public Task HandleAsync(JobContext<FailArgs> job, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(job.Args.Error);
}

/// <summary>A job that completes at once.</summary>
internal sealed record SucceedArgs : IJobArgs
{
    public static string Kind => "always_succeeds";
}

internal sealed class SucceedHandler : IJobHandler<SucceedArgs>
{
    public Task HandleAsync(JobContext<SucceedArgs> job, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A job that fails every attempt, with two attempts: its first failure is retried, its second is for good.</summary>
internal sealed record FlakyArgs(string Error) : IJobArgs
{
    public static string Kind => "fails_twice";
}

internal sealed class FlakyHandler : IJobHandler<FlakyArgs>
{
    public Task HandleAsync(JobContext<FlakyArgs> job, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(job.Args.Error);
}

/// <summary>A job with five attempts whose first attempt fails for good with a permanent error.</summary>
internal sealed record RefusedArgs(string Error) : IJobArgs
{
    public static string Kind => "permanently_refused";
}

internal sealed class RefusedHandler : IJobHandler<RefusedArgs>
{
    public Task HandleAsync(JobContext<RefusedArgs> job, CancellationToken cancellationToken) =>
        throw new PermanentJobException(job.Args.Error);
}
