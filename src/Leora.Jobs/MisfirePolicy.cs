namespace Leora.Jobs;

/// <summary>What a schedule does with the ticks it missed while nothing evaluated it (every node down, no batch call).</summary>
public enum MisfirePolicy
{
    /// <summary>Enqueue the latest missed tick once and drop the older ones (the default; stored as <c>latest</c>).</summary>
    RunLatest,
    /// <summary>Enqueue every missed tick, the most recent <see cref="JobSchedule.MisfireLimit"/> at most (stored as <c>all</c>).</summary>
    RunAll,
    /// <summary>
    /// Enqueue nothing for missed ticks: when more than one tick is due at once, all of them are dropped and the schedule
    /// waits for its next tick (stored as <c>skip</c>). A single due tick is not a misfire and runs.
    /// </summary>
    Skip,
}
