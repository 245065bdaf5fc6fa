namespace Leora.Jobs.AspNetCore;

/// <summary>The answer of <c>POST /api/jobs/actions</c>: how many jobs the action changed, and why each of the others was not.</summary>
/// <param name="Action">The action: retry, cancel, delete or runNow.</param>
/// <param name="Selected">How many jobs the action was tried on.</param>
/// <param name="Changed">How many it changed.</param>
/// <param name="Unchanged">Each job it did not change, with the reason.</param>
/// <param name="More">With a filter: more jobs matched than the limit; send the request again for the next ones.</param>
public sealed record BulkResponse(string Action, int Selected, int Changed, IReadOnlyList<BulkUnchanged> Unchanged, bool More);

/// <summary>A job a bulk action did not change.</summary>
/// <param name="Id">The job.</param>
/// <param name="Reason">Why, for people: "not found", "running", "already finished", "not failed or cancelled (pending)", …</param>
public sealed record BulkUnchanged(long Id, string Reason);
