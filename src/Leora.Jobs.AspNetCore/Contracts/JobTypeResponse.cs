using System.Text.Json.Nodes;

namespace Leora.Jobs.AspNetCore;

/// <summary>A registered job type and the JSON Schema its payload must match (<c>GET /api/jobs/types</c>).</summary>
/// <param name="Type">The type's stable name, as <c>type</c> of an enqueue.</param>
/// <param name="PayloadSchema">The JSON Schema (draft 2020-12) of the payload an enqueue of this type takes.</param>
internal sealed record JobTypeResponse(string Type, JsonObject PayloadSchema);

/// <summary>Every registered job type, sorted by name (<c>GET /api/jobs/types</c>).</summary>
internal sealed record JobTypeListResponse(IReadOnlyList<JobTypeResponse> Types);
