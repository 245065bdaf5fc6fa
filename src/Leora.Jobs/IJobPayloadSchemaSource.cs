using System.Text.Json.Nodes;

namespace Leora.Jobs;

/// <summary>
/// Where a job type's payload schema comes from when its C# arguments record does not tell (a type declared in
/// configuration, whose payload is any JSON object unless the configuration gives a schema). Register one with
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IJobPayloadSchemaSource, …&gt;())</c>; the HTTP API's
/// <c>JobPayloadSchemas</c> asks every source first, in registration order, and exports the schema of the arguments
/// record only for a type that none of them describes. The schemas are published in <c>GET /api/jobs/types</c> and in the
/// OpenAPI document's enqueue bodies (a <c>oneOf</c> by <c>type</c>).
/// </summary>
internal interface IJobPayloadSchemaSource
{
    /// <summary>The JSON Schema (draft 2020-12, as OpenAPI 3.1 takes it) of <paramref name="type"/>'s payload, or null when this source does not describe that type.</summary>
    JsonObject? PayloadSchema(string type);
}
