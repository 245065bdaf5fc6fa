using System.Text.Json;

namespace Leora.Jobs;

/// <summary>
/// One job of a bulk enqueue by type name (<see cref="IJobClient.EnqueueManyAsync(IReadOnlyList{JobRequest}, CancellationToken)"/>):
/// each job has its own type, payload and options, its idempotency key included.
/// </summary>
/// <param name="Type">The job type's stable name, for example <c>webhook</c>.</param>
/// <param name="Payload">The job's arguments; must bind to the type's payload.</param>
/// <param name="Options">Priority, schedule, attempts, queue and keys; null takes the type's defaults.</param>
public sealed record JobRequest(string Type, JsonElement Payload, EnqueueOptions? Options = null);
