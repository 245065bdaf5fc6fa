namespace Leora.Jobs.Server;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the reporting flow, so a progress bar draws each report in order
/// (<see cref="Progress{T}"/> would post to the thread pool and draw out of order).
/// </summary>
internal sealed class SyncProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
