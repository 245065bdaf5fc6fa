using System.Text.RegularExpressions;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>docs/schedules.md's code is <see cref="ScheduleDocsExample"/>'s, and it declares what the page says.</summary>
public sealed partial class ScheduleDocsExampleTests
{
    [GeneratedRegex(@"^// docs/schedules\.md: (\w+)\n(.*?)^// end$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Region();

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Leora.Jobs.slnx not found");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    [Fact]
    public void The_page_quotes_the_example_exactly()
    {
        var root = Root();
        var source = Normalise(File.ReadAllText(Path.Combine(root, "tests", "Leora.Jobs.Tests", "ScheduleDocsExample.cs")));
        var page = Normalise(File.ReadAllText(Path.Combine(root, "docs", "schedules.md")));
        var regions = Region().Matches(source);
        Assert.Single(regions);
        Assert.Contains("```csharp\n" + regions[0].Value + "\n```", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_example_declares_its_schedules_at_start()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var jobs = ScheduleDocsExample.Configure(services);
        await using var database = TestDatabase.Create("sqlite");
        database.Use(jobs);
        await using var sp = services.BuildServiceProvider();
        await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
        await sp.GetRequiredService<JobSchedules>().UpsertDeclaredAsync(CancellationToken.None);
        var schedules = await sp.GetRequiredService<IJobSchedules>().ListAsync();
        Assert.Equal(["nightly-report", "weekly-enrichment"], schedules.Select(s => s.Schedule.Name));
        var nightly = schedules[0];
        Assert.Equal(OverlapPolicy.Skip, nightly.Schedule.Overlap);
        Assert.Equal("""{"reportType":"customers","format":"xlsx"}""", nightly.Schedule.Payload);
        Assert.All(nightly.NextRuns, r => Assert.Equal(2, r.Hour));
        Assert.Equal(MisfirePolicy.RunAll, schedules[1].Schedule.Misfire);
    }
}
