using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// A host of the library of its own (AddLeoraJobs in a plain app) reads the Jobs:* settings with AddConfiguration,
/// prunes after 30 days unless told otherwise, and sets per-queue concurrency as docs/configuration.md shows: the page
/// quotes <see cref="Configure"/>'s body, which these tests compile and run (issue 20, point 4).
/// </summary>
public sealed partial class LibraryConfigurationTests
{
    public sealed record RenderReportArgs(long ReportId) : IJobArgs
    {
        public static string Kind => "render_report";
    }

    public sealed class RenderReportHandler : IJobHandler<RenderReportArgs>
    {
        public Task HandleAsync(JobContext<RenderReportArgs> job, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static void Configure(WebApplicationBuilder builder)
    {
        // docs/configuration.md: library
        builder.Services.AddLeoraJobs()
            .UseSqlite(builder.Configuration.GetConnectionString("Jobs") ?? "Data Source=data/jobs.db")
            .AddJob<RenderReportArgs, RenderReportHandler>(o => o.Queue = "long")
            // Jobs:Lease, Jobs:Worker:*, Jobs:Retention (30 days unless set; "off" keeps finished jobs) …
            .AddConfiguration(builder.Configuration)
            // … then code, which has the last word: a producer per queue, each with its own concurrency.
            .AddWorker(o =>
            {
                o.Queues["default"] = 4;
                o.Queues["long"] = 1; // one long job at a time, however many are waiting
            });
        // end
    }

    private static WebApplication Build(TempSqlite db, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:Jobs", db.ConnectionString), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        Configure(builder);
        return builder.Build();
    }

    [Fact]
    public async Task Jobs_settings_are_read_retention_defaults_to_30_days_and_code_sets_per_queue_concurrency()
    {
        using var db = new TempSqlite();
        await using var app = Build(db, ("Jobs:Lease", "2m"), ("Jobs:DefaultMaxAttempts", "7"), ("Jobs:Worker:PollInterval", "3s"), ("Jobs:Worker:Queues:long", "5"));
        var jobs = app.Services.GetRequiredService<IOptions<JobsOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(2), jobs.Lease);
        Assert.Equal(7, jobs.DefaultMaxAttempts);
        var worker = app.Services.GetRequiredService<IOptions<JobWorkerOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(3), worker.PollInterval);
        Assert.Equal(new Dictionary<string, int> { ["default"] = 4, ["long"] = 1 }, worker.Queues);
        Assert.Equal(TimeSpan.FromDays(30), worker.Retention);
        Assert.Equal(TimeSpan.FromHours(1), worker.PruneInterval);

        // The worker runs the queue's job: per-queue concurrency works in a host of one's own.
        await app.StartAsync();
        try
        {
            var client = app.Services.GetRequiredService<IJobClient>();
            var job = await client.EnqueueAsync(new RenderReportArgs(1));
            Assert.Equal("long", (await client.GetAsync(job.Id))!.Queue);
            await Eventually.WaitAsync(async () => (await client.GetAsync(job.Id))!.Status == JobStatus.Completed, TimeSpan.FromSeconds(60), "the long queue's job");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Retention_off_keeps_finished_jobs_and_a_bad_value_names_the_setting()
    {
        using var db = new TempSqlite();
        await using (var app = Build(db, ("Jobs:Retention", "off")))
            Assert.Null(app.Services.GetRequiredService<IOptions<JobWorkerOptions>>().Value.Retention);
        var bad = Assert.Throws<OptionsValidationException>(() => Build(db, ("Jobs:Retention", "soon")));
        Assert.Contains("Jobs:Retention", bad.Message, StringComparison.Ordinal);
        await using var badLease = Build(db, ("Jobs:Lease", "forever"));
        var lease = Assert.Throws<OptionsValidationException>(() => badLease.Services.GetRequiredService<IOptions<JobsOptions>>().Value);
        Assert.Contains("Jobs:Lease", lease.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^ *// docs/configuration\.md: library\n(.*?)^ *// end$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Region();

    [Fact]
    public void Docs_configuration_md_quotes_the_example_verbatim()
    {
        var source = File.ReadAllText(Path.Combine(RepoRoot(), "tests", "Leora.Jobs.AspNetCore.Tests", "LibraryConfigurationTests.cs")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "configuration.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = Region().Match(source).Groups[1].Value.TrimEnd('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        var code = string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
        Assert.Contains(code, page, StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (with Leora.Jobs.slnx) was not found above the test's folder.");
    }
}
