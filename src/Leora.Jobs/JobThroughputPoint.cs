namespace Leora.Jobs;

/// <summary>Completed and failed jobs in one minute of the recent past.</summary>
public sealed record JobThroughputPoint(DateTimeOffset Minute, long Completed, long Failed);
