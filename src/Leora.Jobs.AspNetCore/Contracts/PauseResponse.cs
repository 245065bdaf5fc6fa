namespace Leora.Jobs.AspNetCore;

/// <summary>
/// A paused queue or job type (<c>GET /api/jobs/pauses</c>, the pause endpoints, <c>paused</c> in stats): no worker and no
/// batch call claims its pending jobs until it is resumed.
/// </summary>
/// <param name="Scope"><c>queue</c> or <c>type</c>.</param>
/// <param name="Name">The queue's or the type's name.</param>
/// <param name="PausedAt">When it was first paused (the database's time).</param>
public sealed record PauseResponse(string Scope, string Name, DateTimeOffset PausedAt)
{
    /// <summary>Maps the core pause.</summary>
    public static PauseResponse From(JobPause pause)
    {
        ArgumentNullException.ThrowIfNull(pause);
        return new PauseResponse(JobNames.PauseScope(pause.Scope), pause.Name, pause.PausedAt);
    }
}

/// <summary>Every pause, queues first, then types (<c>GET /api/jobs/pauses</c>).</summary>
public sealed record PauseListResponse(IReadOnlyList<PauseResponse> Pauses);
