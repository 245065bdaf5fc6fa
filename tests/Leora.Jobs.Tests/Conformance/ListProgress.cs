namespace Leora.Jobs.Tests;

/// <summary>Collects a batch's progress reports in order (the batch reports from one thread at a time).</summary>
internal sealed class ListProgress(List<JobRunReport> reports) : IProgress<JobRunReport>
{
    public void Report(JobRunReport value) => reports.Add(value);
}
