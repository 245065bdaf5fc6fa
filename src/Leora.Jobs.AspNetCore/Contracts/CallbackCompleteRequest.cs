using System.Text.Json;

namespace Leora.Jobs.AspNetCore;

/// <summary>The body of <c>POST /api/jobs/{id}/attempts/{attempt}/complete</c>: a deferred attempt's result.</summary>
/// <param name="Result">The job's result, any JSON; absent or null: none.</param>
internal sealed record CallbackCompleteRequest(JsonElement? Result = null);
