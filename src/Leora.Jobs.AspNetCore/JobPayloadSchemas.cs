using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The seam from a job type's name to its payload's JSON Schema: what <c>GET /api/jobs/types</c> publishes and what the
/// OpenAPI document's enqueue bodies are made of (one <c>oneOf</c> branch per type, discriminated by <c>type</c>). A type
/// described by an <see cref="IJobPayloadSchemaSource"/> (one declared in configuration) takes that source's schema; any
/// other registered type, the schema of its C# arguments record, exported with the API's own JSON settings
/// (<see cref="ApiJson"/>: camelCase, strict numbers, unknown fields refused, nullable annotations respected), so the
/// schema says what an enqueue accepts. Computed once: the registered types do not change while the service runs.
/// </summary>
internal sealed class JobPayloadSchemas
{
    private readonly Lazy<IReadOnlyList<JobPayloadSchema>> _all;

    public JobPayloadSchemas(JobTypeRegistry registry, IEnumerable<IJobPayloadSchemaSource> sources)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var list = sources.ToArray();
        _all = new(() => [.. registry.All.Select(d => new JobPayloadSchema(d.Kind, Describe(d, list)))]);
    }

    /// <summary>Every registered type with its payload schema, sorted by type.</summary>
    public IReadOnlyList<JobPayloadSchema> All => _all.Value;

    private static JsonObject Describe(JobTypeDescriptor descriptor, IJobPayloadSchemaSource[] sources)
    {
        foreach (var source in sources)
            if (source.PayloadSchema(descriptor.Kind) is { } declared) return (JsonObject)declared.DeepClone();
        return Export(descriptor.ArgsType);
    }

    /// <summary>The schema of <paramref name="argsType"/> as the API reads it; a type that binds any JSON gets the schema of any object.</summary>
    internal static JsonObject Export(Type argsType)
    {
        if (argsType == typeof(JsonElement) || argsType == typeof(JsonObject) || argsType == typeof(JsonNode))
            return new JsonObject { ["type"] = "object" };
        var node = JsonSchemaExporter.GetJsonSchemaAsNode(ApiJson.Options, argsType, new JsonSchemaExporterOptions
        {
            // A property typed object (not object?) in a record compiled without nullable annotations is still not null.
            TreatNullObliviousAsNonNullable = true,
        });
        if (node is not JsonObject schema) return new JsonObject { ["type"] = "object" };
        DescribeConverted(schema, ApiJson.Options.GetTypeInfo(argsType));
        return schema;
    }

    /// <summary>
    /// A property read by a converter of its own (the webhook's <c>url</c>, <c>method</c>, <c>timeoutSeconds</c>) exports as
    /// "anything"; its declared type tells what JSON it takes. A property of no simple type (a <see cref="JsonElement"/>
    /// body) stays "anything".
    /// </summary>
    private static void DescribeConverted(JsonObject schema, System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (schema["properties"] is not JsonObject properties) return;
        foreach (var property in info.Properties)
        {
            // The schema of "anything" is written as true, or as an object without a type (with its default).
            if (properties[property.Name] is JsonValue anything && anything.GetValueKind() == JsonValueKind.True)
                properties[property.Name] = new JsonObject();
            if (properties[property.Name] is not JsonObject described || described.ContainsKey("type") || described.ContainsKey("$ref")
                || described.ContainsKey("anyOf") || described.ContainsKey("oneOf") || described.ContainsKey("enum")) continue;
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            string? json = type == typeof(string) || type == typeof(Uri) ? "string"
                : type == typeof(int) || type == typeof(long) ? "integer"
                : type == typeof(double) ? "number"
                : type == typeof(bool) ? "boolean"
                : null;
            if (json is null) continue;
            var nullable = property.IsSetNullable || Nullable.GetUnderlyingType(property.PropertyType) is not null;
            described["type"] = nullable ? new JsonArray(json, "null") : json;
            if (type == typeof(Uri)) described["format"] = "uri";
        }
    }
}

/// <summary>A job type and its payload's JSON Schema.</summary>
internal sealed record JobPayloadSchema(string Type, JsonObject Schema);
