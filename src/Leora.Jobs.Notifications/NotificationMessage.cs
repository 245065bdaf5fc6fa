namespace Leora.Jobs.Notifications;

/// <summary>What a notification says, the same for every channel (each renders it in its own format).</summary>
internal sealed record NotificationMessage
{
    /// <summary><c>failed</c> (one job failed for good), <c>digest</c> (failures grouped), <c>alert</c>, <c>resolved</c> or <c>test</c>.</summary>
    public required string Event { get; init; }

    /// <summary>One line: the subject of an e-mail, the header of a Slack message.</summary>
    public required string Title { get; init; }

    /// <summary>A few lines of plain text.</summary>
    public required string Text { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The rule, for <c>alert</c> and <c>resolved</c>.</summary>
    public string? Rule { get; init; }

    /// <summary>The job, for <c>failed</c>.</summary>
    public NotifiedJob? Job { get; init; }

    /// <summary>Failures by type and error, for <c>digest</c>.</summary>
    public IReadOnlyList<FailureGroup>? Groups { get; init; }
}

/// <summary>A job that failed for good.</summary>
internal sealed record NotifiedJob(long Id, string Type, string Queue, int Attempts, string Error);

/// <summary>Failures of one type with one error message: how many, and up to three of their job ids.</summary>
internal sealed record FailureGroup(string Type, string Error, long Count, IReadOnlyList<long> ExampleJobIds);
