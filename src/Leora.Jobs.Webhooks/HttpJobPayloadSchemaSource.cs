using System.Text.Json.Nodes;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// Publishes an HTTP job type's configured payload schema (<see cref="HttpJobTypeOptions.PayloadSchema"/>) as that type's
/// payload schema: in <c>GET /api/jobs/types</c> and as its branch of the OpenAPI document's enqueue body, so a client
/// generated from the served document types the payload the endpoint expects. A type without a schema is left to the
/// default (any JSON object). One source per HTTP job type.
/// </summary>
internal sealed class HttpJobPayloadSchemaSource(HttpJobType type) : IJobPayloadSchemaSource
{
    public JsonObject? PayloadSchema(string kind) =>
        string.Equals(kind, type.Kind, StringComparison.Ordinal) ? type.Schema?.Document : null;
}
