namespace Leora.Jobs;

/// <summary>Jobs that completed, and that failed for good, in one bucket (a minute or an hour) of a history, starting at <paramref name="At"/>.</summary>
public sealed record JobHistoryPoint(DateTimeOffset At, long Completed, long Failed);
