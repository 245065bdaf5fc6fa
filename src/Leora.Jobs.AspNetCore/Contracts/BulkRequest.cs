namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The body of <c>POST /api/jobs/actions</c>: one action on many jobs, chosen either by id (<see cref="Ids"/>, at most 1000)
/// or by a filter (<see cref="Status"/>, with <see cref="Type"/> and <see cref="Queue"/> optional), of which at most
/// <see cref="Limit"/> (1–1000, default 1000) jobs are acted on, oldest first.
/// </summary>
/// <param name="Action">retry, cancel, delete or runNow.</param>
/// <param name="Ids">The jobs, by id; or null to choose them by the filter.</param>
/// <param name="Status">With no ids: all, pending (due), scheduled (not due, never started), retrying (not due, waiting for its next attempt), processing, completed, failed, dead (failed with every attempt used) or cancelled.</param>
/// <param name="Type">With a filter: only jobs of this type.</param>
/// <param name="Queue">With a filter: only jobs of this queue.</param>
/// <param name="Limit">With a filter: at most this many jobs (1–1000, default 1000).</param>
public sealed record BulkRequest(string? Action = null, IReadOnlyList<long>? Ids = null, string? Status = null, string? Type = null, string? Queue = null,
    int? Limit = null);
