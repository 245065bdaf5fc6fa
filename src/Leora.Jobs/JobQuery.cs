namespace Leora.Jobs;

/// <summary>A filter and page of a job list. Paging is by keyset on id: pass the previous page's <see cref="JobPage.NextCursor"/>.</summary>
public sealed record JobQuery
{
    public JobStatus? Status { get; init; }
    /// <summary>Only jobs of this type.</summary>
    public string? Type { get; init; }
    public string? Queue { get; init; }
    /// <summary>Page size, 1–1000. Defaults to 50.</summary>
    public int Limit { get; init; } = 50;
    /// <summary>The cursor of the previous page, or null for the first.</summary>
    public string? Cursor { get; init; }
    /// <summary>Newest first unless set to false.</summary>
    public bool NewestFirst { get; init; } = true;
    /// <summary>With <see cref="JobStatus.Pending"/>: true lists only jobs scheduled for later, false only due ones.</summary>
    public bool? Scheduled { get; init; }
    /// <summary>Only the job with this idempotency key.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>
    /// True: only jobs that have started at least one attempt (with a pending, not yet due job: one waiting to retry);
    /// false: only jobs that never started (with such a job: one scheduled for later). Null: both.
    /// </summary>
    public bool? Attempted { get; init; }
    /// <summary>True: only jobs that have used every attempt (with <see cref="JobStatus.Failed"/>: the dead); false: only jobs with attempts left. Null: both.</summary>
    public bool? Exhausted { get; init; }
    /// <summary>
    /// Only jobs whose payload's JSON text contains this text (1–200 characters), ignoring case. A search: it reads at most
    /// the newest 100,000 jobs that pass the other filters, from the cursor on (docs/http-api.md).
    /// </summary>
    public string? PayloadContains { get; init; }
    /// <summary>Only jobs created at or after this time (a search, bounded as <see cref="PayloadContains"/> is).</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only jobs created before this time (a search).</summary>
    public DateTimeOffset? CreatedTo { get; init; }
    /// <summary>Only jobs that finished (completed, failed or cancelled) at or after this time (a search).</summary>
    public DateTimeOffset? FinishedFrom { get; init; }
    /// <summary>Only jobs that finished before this time (a search).</summary>
    public DateTimeOffset? FinishedTo { get; init; }
}

/// <summary>A page of jobs and the cursor of the next page (null on the last).</summary>
public sealed record JobPage(IReadOnlyList<JobInfo> Items, string? NextCursor);
