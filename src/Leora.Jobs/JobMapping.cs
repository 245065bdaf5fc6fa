using System.Text.Json;
using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>Maps stored rows to the public read model.</summary>
internal static class JobMapping
{
    /// <summary>The public view of a stored row.</summary>
    public static JobInfo ToInfo(JobRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new JobInfo
        {
            Id = row.Id,
            Type = row.Kind,
            Queue = row.Queue,
            Status = row.Status,
            Priority = row.Priority,
            Payload = Parse(row.Payload),
            Attempts = row.Attempts,
            MaxAttempts = row.MaxAttempts,
            IdempotencyKey = row.IdempotencyKey,
            Progress = row.Progress,
            ProgressMessage = row.ProgressMessage,
            Result = row.Result is null ? null : Parse(row.Result),
            Errors = JsonSerializer.Deserialize<List<JobAttemptError>>(row.Errors, JobJson.Options) ?? [],
            Worker = row.LockedBy,
            LockedUntil = row.Status == JobStatus.Processing ? row.LockedUntil : null,
            CancelRequested = row.CancelRequested,
            CreatedAt = row.CreatedAt,
            RunAt = row.RunAt,
            StartedAt = row.StartedAt,
            CompletedAt = row.CompletedAt,
            ConcurrencyKey = row.ConcurrencyKey,
        };
    }

    // One parse into a document the element owns: JsonDocument.Parse(…).RootElement.Clone() parsed into a pooled
    // document and then copied it, two allocations of the payload per job read (every reply, list row and dashboard row).
    private static JsonElement Parse(string json) => JsonElement.Parse(json);
}
