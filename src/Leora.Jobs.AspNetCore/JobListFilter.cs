namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The named lists of the dashboard and of bulk actions, as filters of a <see cref="JobQuery"/>: the five statuses, and the
/// views that split them (issue 19): pending is due now, scheduled waits for a first run, retrying waits for a next attempt,
/// dead has used every attempt.
/// </summary>
internal static class JobListFilter
{
    public const string Names = "all, pending, scheduled, retrying, processing, completed, failed, dead or cancelled";

    /// <summary>The query for list <paramref name="name"/> ("" is all), or false for a name that is not one.</summary>
    public static bool TryApply(string? name, JobQuery query, out JobQuery filtered)
    {
        filtered = query;
        switch (name)
        {
            case null or "" or "all": return true;
            case "pending": filtered = query with { Status = JobStatus.Pending, Scheduled = false }; return true;
            case "scheduled": filtered = query with { Status = JobStatus.Pending, Scheduled = true, Attempted = false }; return true;
            case "retrying" or "retries": filtered = query with { Status = JobStatus.Pending, Scheduled = true, Attempted = true }; return true;
            case "dead": filtered = query with { Status = JobStatus.Failed, Exhausted = true }; return true;
            default:
                if (!JobNames.TryParseStatus(name, out var status)) return false;
                filtered = query with { Status = status };
                return true;
        }
    }
}
