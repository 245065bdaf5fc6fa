using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// An HTTP job type's payload JSON Schema, checked at enqueue (DESIGN.md invariant 10): a payload that does not match is
/// refused with one error per field at fault, named as the API names fields (<c>payload.customer.email</c>, <c>payload.items[0]</c>).
/// </summary>
internal sealed class HttpJobPayloadSchema
{
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private readonly JsonSchema _schema;

    private HttpJobPayloadSchema(JsonSchema schema, JsonObject document)
    {
        _schema = schema;
        Document = document;
    }

    /// <summary>
    /// The schema as configured, as a JSON object (<c>true</c> reads as <c>{}</c>, <c>false</c> as <c>{"not":{}}</c>): what
    /// <c>GET /api/jobs/types</c> and the OpenAPI document publish for the type (<see cref="HttpJobPayloadSchemaSource"/>).
    /// </summary>
    public JsonObject Document { get; }

    /// <summary>Reads a schema; throws <see cref="ArgumentException"/> (naming <paramref name="setting"/>) for one that is not a JSON Schema object.</summary>
    public static HttpJobPayloadSchema Parse(string text, string setting)
    {
        JsonValueKind kind;
        try
        {
            using var document = JsonDocument.Parse(text);
            kind = document.RootElement.ValueKind;
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{setting} is not valid JSON: {ex.Message}", ex);
        }
        if (kind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            throw new ArgumentException($"{setting} must be a JSON Schema object.");
        try
        {
            var document = kind switch
            {
                JsonValueKind.True => new JsonObject(),
                JsonValueKind.False => new JsonObject { ["not"] = new JsonObject() },
                _ => (JsonObject)JsonNode.Parse(text)!,
            };
            return new HttpJobPayloadSchema(JsonSchema.FromText(text), document);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException or KeyNotFoundException)
        {
            throw new ArgumentException($"{setting} is not a valid JSON Schema: {ex.Message}", ex);
        }
    }

    /// <summary>Throws <see cref="JobValidationException"/> with every error by field when <paramref name="payload"/> does not match.</summary>
    public void Check(JsonElement payload)
    {
        var results = _schema.Evaluate(payload, Evaluation);
        if (results.IsValid) return;
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var detail in (results.Details ?? []).Append(results))
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } messages) continue;
            var field = Field(detail.InstanceLocation.ToString());
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            foreach (var message in messages.Values)
                if (!list.Contains(message)) list.Add(message);
        }
        if (errors.Count == 0) errors["payload"] = ["The payload does not match the job type's schema."];
        var first = errors.First();
        throw new JobValidationException($"The payload does not match the job type's schema: {first.Key}: {first.Value[0]}", first.Key)
        {
            Errors = errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
        };
    }

    /// <summary>A JSON Pointer into the payload as the API names a field: <c>/items/0/sku</c> → <c>payload.items[0].sku</c>.</summary>
    internal static string Field(string pointer)
    {
        var field = new StringBuilder("payload");
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) field.Append(CultureInfo.InvariantCulture, $"[{index}]");
            else field.Append('.').Append(segment);
        }
        return field.ToString();
    }
}
