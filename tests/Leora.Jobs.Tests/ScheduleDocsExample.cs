using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>The job type of docs/schedules.md's example: the CRM's report, by type and format.</summary>
public sealed record NightlyReportArgs(string ReportType, string Format) : IJobArgs
{
    public static string Kind => "nightly_report";
}

public sealed class NightlyReportHandler : IJobHandler<NightlyReportArgs>
{
    public Task HandleAsync(JobContext<NightlyReportArgs> job, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>docs/schedules.md quotes the region below exactly (<see cref="ScheduleDocsExampleTests"/>), so the page's code compiles and runs.</summary>
public static class ScheduleDocsExample
{
    public static LeoraJobsBuilder Configure(IServiceCollection services) =>
// docs/schedules.md: code
services.AddLeoraJobs()
    .AddJob<NightlyReportArgs, NightlyReportHandler>()
    // Leora CRM's customer report, every night at 02:00 Berlin time.
    .AddSchedule("nightly-report", "0 2 * * *", new NightlyReportArgs("customers", "xlsx"), "Europe/Berlin",
        s => s with { Overlap = OverlapPolicy.Skip })
    // The weekly enrichment refresh: every missed Monday is caught up, up to four of them.
    .AddSchedule(new JobSchedule
    {
        Name = "weekly-enrichment",
        Cron = "0 6 * * 1",
        TimeZone = "Europe/Berlin",
        Type = NightlyReportArgs.Kind,
        Payload = """{"reportType":"activity","format":"pdf"}""",
        Misfire = MisfirePolicy.RunAll,
        MisfireLimit = 4,
    });
// end
}
