using System.Reflection;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Testing;

/// <summary>
/// The store a test attempt talks to. A handler's context only ever calls <see cref="IJobStore.JobProgressAsync"/>;
/// this records those calls. It is a <see cref="DispatchProxy"/> rather than a class implementing the interface, so
/// that a new method on the store seam does not break this package: any other call fails loudly.
/// </summary>
internal class RecordingProgressStore : DispatchProxy
{
    private readonly List<JobProgressReport> _reports = [];

    public IReadOnlyList<JobProgressReport> Reports
    {
        get { lock (_reports) return [.. _reports]; }
    }

    public static RecordingProgressStore Create() => (RecordingProgressStore)(object)Create<IJobStore, RecordingProgressStore>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name == nameof(IJobStore.JobProgressAsync) && args?[0] is JobProgressParams p)
        {
            lock (_reports) _reports.Add(new JobProgressReport(p.Percent, p.Message));
            return Task.FromResult(true);
        }
        throw new NotSupportedException($"A job handler's test context does not support IJobStore.{targetMethod?.Name}.");
    }
}
