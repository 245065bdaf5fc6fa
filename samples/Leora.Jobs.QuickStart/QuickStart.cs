using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Leora.Jobs.QuickStart;

public static class QuickStart
{
    /// <summary>Builds a host with Leora Jobs on SQLite, enqueues a job and waits until the built-in worker has run it.</summary>
    public static async Task<JobInfo> RunAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        // 3. Register Leora Jobs, the store, the job type and (optionally) the long-running worker.
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IOutbox, MemoryOutbox>();
        builder.Services.AddLeoraJobs()
            .UseSqlite($"Data Source={databasePath}")
            .AddJob<SendWelcomeEmailArgs, SendWelcomeEmailHandler>(o =>
            {
                o.MaxAttempts = 5;
                o.Timeout = TimeSpan.FromSeconds(30);
            })
            .AddWorker(o => o.Concurrency = 4);

        using var host = builder.Build();
        await host.StartAsync(cancellationToken); // applies migrations, starts the worker

        // 4. Enqueue. The call returns as soon as the job is committed.
        var jobs = host.Services.GetRequiredService<IJobClient>();
        var enqueued = await jobs.EnqueueAsync(
            new SendWelcomeEmailArgs("ana@example.com", "Ana"),
            new EnqueueOptions { IdempotencyKey = "welcome:ana@example.com" },
            cancellationToken);

        // 5. Poll its status (a client would call GET /api/jobs/{id}).
        JobInfo job;
        while ((job = (await jobs.GetAsync(enqueued.Id, cancellationToken))!).Status is JobStatus.Pending or JobStatus.Processing)
            await Task.Delay(50, cancellationToken);

        await host.StopAsync(cancellationToken);
        return job;
    }
}
