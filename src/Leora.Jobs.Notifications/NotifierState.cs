namespace Leora.Jobs.Notifications;

/// <summary>The notifier's state, one JSON document in the alert-state table (migration 8).</summary>
internal sealed class NotifierState
{
    /// <summary>The failure feed's cursor: failures finished after (<see cref="CursorAt"/>, <see cref="CursorId"/>) are new. Null before the first evaluation.</summary>
    public DateTimeOffset? CursorAt { get; set; }

    public long CursorId { get; set; }

    /// <summary>When a batch call (<c>POST /api/jobs/process</c>, the CLI's <c>process</c>) last evaluated: a sign of life for the NoWorker rule.</summary>
    public DateTimeOffset? LastBatchAt { get; set; }

    /// <summary>When the notifier last evaluated.</summary>
    public DateTimeOffset? EvaluatedAt { get; set; }

    /// <summary>Each rule's state, by rule name.</summary>
    public Dictionary<string, RuleState> Rules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per source (<c>failed</c> or <c>rule:NAME</c>) and channel, separated by '|': what was last sent and what waits.</summary>
    public Dictionary<string, OutboxState> Outboxes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>An alert rule's state.</summary>
internal sealed class RuleState
{
    public bool Firing { get; set; }

    /// <summary>Since when it is in its state.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>What the last evaluation saw, in words.</summary>
    public string? Detail { get; set; }
}

/// <summary>One source's messages to one channel: storm control's memory.</summary>
internal sealed class OutboxState
{
    public DateTimeOffset? LastSentAt { get; set; }

    /// <summary>For a rule: <c>alert</c> or <c>resolved</c>, the state the channel was last told.</summary>
    public string? LastSentState { get; set; }

    /// <summary>For failures: the first failure waiting (sent alone when it is the only one).</summary>
    public NotifiedJob? First { get; set; }

    /// <summary>For failures: every waiting failure, grouped by type and error.</summary>
    public List<DigestGroup> Digest { get; set; } = [];

    public long Waiting { get; set; }
}

/// <summary>Failures of one type and error waiting in a digest.</summary>
internal sealed class DigestGroup
{
    public required string Type { get; set; }

    public required string Error { get; set; }

    public long Count { get; set; }

    public List<long> Examples { get; set; } = [];
}
