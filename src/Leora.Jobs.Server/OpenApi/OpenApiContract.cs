using System.Globalization;
using System.Text.Json.Nodes;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server.OpenApi;

/// <summary>
/// Makes the generated OpenAPI document exact (issue 15): what ASP.NET Core generates from the endpoints' metadata and
/// typed results is close, but loose where a generated client must be strict. Applied once to the document as JSON, in
/// this order: strict numbers (the API reads JSON numbers strictly, <see cref="ApiJson"/>: no <c>integer | string</c>);
/// any-JSON values (<c>payload</c>, <c>result</c>) as the empty schema, so a null <c>result</c> validates; one problem
/// details schema with the extensions the service sends (<c>traceId</c>, <c>errors</c>, <c>knownTypes</c>, <c>checks</c>)
/// for every 4xx and 5xx; the database's 503 and the full disk's 507 where any request may meet them; every field of a
/// response required (the service sends each one, null or not); enums for the names the API sends and takes; the enqueue
/// bodies as a <c>oneOf</c> of one branch per job type, discriminated by <c>type</c>, each with its payload schema
/// (<see cref="JobPayloadSchemas"/>); and the CRM's bodies the metadata cannot describe (multipart uploads, files).
/// </summary>
internal static class OpenApiContract
{
    private const string Schemas = "#/components/schemas/";
    private const string Problem = "ProblemDetails";

    public static JsonObject Apply(JsonObject document, IReadOnlyList<JobPayloadSchema> payloads)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(payloads);
        var components = (JsonObject)document["components"]!;
        var schemas = (JsonObject)components["schemas"]!;
        Describe(document);
        Walk(document, StrictNumbers);
        Walk(document, AnyJson);
        schemas.Remove("JsonElement");
        ProblemDetails(document, schemas);
        RequireResponseFields(document, schemas);
        Enums(document, schemas);
        Crm(document);
        EnqueueUnion(schemas, payloads);
        return document;
    }

    /// <summary>What the document says of itself: its license, its tags, and a server relative to where it is served (not the host that answered).</summary>
    private static void Describe(JsonObject document)
    {
        var info = (JsonObject)document["info"]!;
        info["license"] = new JsonObject { ["name"] = "MIT", ["identifier"] = "MIT" };
        document["servers"] = new JsonArray(new JsonObject { ["url"] = "/", ["description"] = "The service that serves this document" });
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Jobs"] = "Enqueue, read, list, cancel, retry and delete jobs; run batches from a cron; schedules, pauses, statistics.",
            ["Health"] = "Liveness and readiness probes; they need no API key.",
            ["Leora CRM"] = "Leora CRM's endpoints: scans, reports, imports and customers, each started as a job.",
        };
        if (document["tags"] is JsonArray tags)
            foreach (var tag in tags.OfType<JsonObject>())
                if (tag["name"]?.GetValue<string>() is { } name && descriptions.TryGetValue(name, out var text)) tag["description"] = text;
    }

    /// <summary>Calls <paramref name="visit"/> on every object of the tree, parents before children.</summary>
    private static void Walk(JsonNode? node, Action<JsonObject> visit)
    {
        switch (node)
        {
            case JsonObject o:
                visit(o);
                foreach (var child in o.Select(p => p.Value).ToArray()) Walk(child, visit);
                break;
            case JsonArray a:
                foreach (var child in a.ToArray()) Walk(child, visit);
                break;
        }
    }

    /// <summary><c>"type": ["integer", "string"]</c> with a digits pattern becomes <c>"integer"</c>: a quoted number is refused.</summary>
    private static void StrictNumbers(JsonObject schema)
    {
        if (schema["type"] is not JsonArray types) return;
        var names = types.Select(t => t!.GetValue<string>()).ToList();
        if (!names.Contains("string") || !(names.Contains("integer") || names.Contains("number"))) return;
        names.Remove("string");
        schema.Remove("pattern");
        schema["type"] = names.Count == 1 ? JsonValue.Create(names[0]) : new JsonArray([.. names.Select(n => (JsonNode)JsonValue.Create(n)!)]);
    }

    /// <summary>
    /// A <see cref="System.Text.Json.JsonElement"/> (any JSON value, null too) is the empty schema. ASP.NET Core writes a
    /// nullable one as <c>oneOf</c> null and <c>{}</c>, which a null matches twice and so fails.
    /// </summary>
    private static void AnyJson(JsonObject schema)
    {
        if (schema["$ref"]?.GetValue<string>() == Schemas + "JsonElement") schema.Remove("$ref");
        if (schema["oneOf"] is JsonArray { Count: 2 } one && one.Any(IsNullType) && one.Any(s => s is JsonObject o && o["$ref"]?.GetValue<string>() == Schemas + "JsonElement"))
            schema.Remove("oneOf");
    }

    private static bool IsNullType(JsonNode? node) => node is JsonObject o && o["type"] is JsonValue v && v.GetValue<string>() == "null";

    private static readonly Dictionary<string, string> ProblemDescriptions = new(StringComparer.Ordinal)
    {
        ["400"] = "Invalid request: a field, query value or body the API cannot take. `errors` names each field at fault (`jobs[3].payload.url`); an unknown job type lists `knownTypes`.",
        ["401"] = "No API key, or not a valid one.",
        ["404"] = "Not found.",
        ["409"] = "Conflict with the current state (see `detail`).",
        ["413"] = "The body is larger than the configured limit.",
        ["415"] = "The body is not of a media type this endpoint takes.",
        ["503"] = "Unavailable for a moment (the database restarting, failing over or busy; or a feature not configured): retry after `Retry-After`.",
        ["507"] = "The jobs database's disk is full: nothing of this request was stored.",
    };

    /// <summary>One problem details schema for every error answer, with the members the service adds.</summary>
    private static void ProblemDetails(JsonObject document, JsonObject schemas)
    {
        schemas.Remove("HttpValidationProblemDetails");
        schemas[Problem] = JsonNode.Parse("""
            {
              "type": "object",
              "description": "An error, as RFC 9457 problem details (application/problem+json).",
              "required": ["title", "status", "traceId"],
              "properties": {
                "type": { "type": "string", "description": "A URI naming the kind of error." },
                "title": { "type": "string", "description": "A short summary of the kind of error." },
                "status": { "type": "integer", "format": "int32", "description": "The HTTP status code." },
                "detail": { "type": "string", "description": "What went wrong and what to do, in the API's words." },
                "instance": { "type": "string" },
                "traceId": { "type": "string", "description": "The request's W3C trace id, as in the service's logs." },
                "errors": {
                  "type": "object",
                  "description": "Invalid requests: the messages for each field at fault, by its path (`maxJobs`, `payload.url`, `jobs[3].priority`).",
                  "additionalProperties": { "type": "array", "items": { "type": "string" } }
                },
                "knownTypes": { "type": "array", "items": { "type": "string" }, "description": "An unknown job type: the types this service knows." },
                "checks": {
                  "type": "object",
                  "description": "Readiness: each check and its state (database: ok, unreachable, not-migrated or disk-full; worker: ok or unavailable).",
                  "additionalProperties": { "type": "string" }
                }
              }
            }
            """);
        foreach (var (_, operation, method) in Operations(document))
        {
            var responses = (JsonObject)operation["responses"]!;
            var secured = operation["security"] is JsonArray { Count: > 0 };
            if (secured)
            {
                responses.TryAdd("503", new JsonObject());
                if (method is not "get") responses.TryAdd("507", new JsonObject());
            }
            else
            {
                // Anonymous (health): said explicitly, so that a reader knows it is meant.
                operation["security"] = new JsonArray();
            }
            foreach (var (code, response) in responses.ToArray())
            {
                if (int.Parse(code, CultureInfo.InvariantCulture) < 400) continue;
                responses[code] = new JsonObject
                {
                    ["description"] = ProblemDescriptions.GetValueOrDefault(code, "An error."),
                    ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = Ref(Problem) } },
                };
                if (code == "503")
                    ((JsonObject)responses[code]!)["headers"] = JsonNode.Parse("""{ "Retry-After": { "description": "Seconds to wait before retrying.", "schema": { "type": "integer" } } }""");
            }
            SortResponses(responses);
        }
    }

    /// <summary>Status codes in numeric order, as a reader looks for them.</summary>
    private static void SortResponses(JsonObject responses)
    {
        var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, r.Value)).ToArray();
        responses.Clear();
        foreach (var (code, response) in ordered) responses[code] = response;
    }

    /// <summary>
    /// Every field of a schema that only responses use is required: the service writes each one, null or not, so a
    /// generated client need not test for its absence. Request bodies keep their own optional fields.
    /// </summary>
    private static void RequireResponseFields(JsonObject document, JsonObject schemas)
    {
        var inRequests = Reachable(document, schemas, (path, op) => op["requestBody"]);
        var inResponses = Reachable(document, schemas, (path, op) => op["responses"]);
        foreach (var name in inResponses.Except(inRequests).Where(n => n != Problem))
        {
            if (schemas[name] is not JsonObject { } schema || schema["properties"] is not JsonObject properties) continue;
            schema["required"] = new JsonArray([.. properties.Select(p => (JsonNode)JsonValue.Create(p.Key)!)]);
        }
    }

    /// <summary>The component schemas reachable from the part of each operation <paramref name="part"/> picks.</summary>
    private static HashSet<string> Reachable(JsonObject document, JsonObject schemas, Func<string, JsonObject, JsonNode?> part)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<JsonNode>();
        foreach (var (path, operation, _) in Operations(document))
            if (part(path, operation) is { } node) pending.Push(node);
        while (pending.Count > 0)
        {
            Walk(pending.Pop(), o =>
            {
                if (o["$ref"]?.GetValue<string>() is { } r && r.StartsWith(Schemas, StringComparison.Ordinal)
                    && found.Add(r[Schemas.Length..]) && schemas[r[Schemas.Length..]] is { } target)
                    pending.Push(target);
            });
        }
        return found;
    }

    private static readonly string[] Statuses = ["pending", "processing", "completed", "failed", "cancelled"];
    private static readonly string[] Actions = ["retry", "cancel", "delete", "runNow"];

    // The names the API sends and takes, by schema and field (the tables of JobNames, JobBulk, JobSchedules and the CRM).
    private static readonly (string Schema, string Field, string[] Values)[] FieldEnums =
    [
        ("JobResponse", "status", Statuses),
        ("BatchJobLine", "outcome", ["completed", "retried", "failed", "cancelled", "released", "lease_lost"]),
        ("BulkRequest", "action", Actions),
        ("BulkResponse", "action", Actions),
        ("BulkRequest", "status", ["all", "pending", "scheduled", "retrying", "processing", "completed", "failed", "dead", "cancelled"]),
        ("ScheduleRequest", "misfire", ["latest", "all", "skip"]),
        ("ScheduleResponse", "misfire", ["latest", "all", "skip"]),
        ("ScheduleRequest", "overlap", ["allow", "skip"]),
        ("ScheduleResponse", "overlap", ["allow", "skip"]),
        ("PauseResponse", "scope", ["queue", "type"]),
        ("LimitResponse", "scope", ["type", "queue"]),
        ("HealthResponse", "status", ["ok", "ready"]),
        ("JobHistoryResponse", "range", ["hour", "day", "week"]),
        ("ScanFromUrlRequest", "scanType", ["business_card", "liquor_license"]),
        ("ScanView", "scanType", ["business_card", "liquor_license"]),
        ("ScanView", "jobStatus", Statuses),
        ("ReportView", "jobStatus", Statuses),
        ("ImportView", "jobStatus", Statuses),
        ("ReportRequest", "type", ["customers", "customer_segments", "activity"]),
        ("ReportRequest", "format", ["csv", "xlsx", "pdf"]),
        ("ReportView", "format", ["csv", "xlsx", "pdf"]),
        ("ReportStatusView", "format", ["csv", "xlsx", "pdf"]),
    ];

    private static readonly (string OperationId, string Parameter, string[] Values)[] ParameterEnums =
    [
        ("ListJobs", "status", Statuses),
        ("GetJobHistory", "range", ["hour", "day", "week"]),
    ];

    private static void Enums(JsonObject document, JsonObject schemas)
    {
        foreach (var (schemaName, field, values) in FieldEnums)
            if (schemas[schemaName]?["properties"]?[field] is JsonObject property) SetEnum(property, values);
        foreach (var (_, operation, _) in Operations(document))
        {
            var id = operation["operationId"]?.GetValue<string>();
            if (operation["parameters"] is not JsonArray parameters) continue;
            foreach (var parameter in parameters.OfType<JsonObject>())
                foreach (var (op, name, values) in ParameterEnums)
                    if (op == id && parameter["name"]?.GetValue<string>() == name && parameter["schema"] is JsonObject schema) SetEnum(schema, values);
        }
    }

    private static void SetEnum(JsonObject schema, string[] values)
    {
        var nullable = schema["type"] is JsonArray types && types.Any(t => t!.GetValue<string>() == "null");
        var list = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v)!)]);
        if (nullable) list.Add(null);
        schema["enum"] = list;
    }

    /// <summary>The CRM's multipart uploads and file downloads, which endpoint metadata describes only by media type.</summary>
    private static void Crm(JsonObject document)
    {
        foreach (var (_, operation, _) in Operations(document))
        {
            switch (operation["operationId"]?.GetValue<string>())
            {
                case "CreateScan":
                    operation["requestBody"] = JsonNode.Parse("""
                        {
                          "required": true,
                          "content": {
                            "application/json": { "schema": { "$ref": "#/components/schemas/ScanFromUrlRequest" } },
                            "multipart/form-data": {
                              "schema": {
                                "type": "object",
                                "required": ["scanType"],
                                "properties": {
                                  "scanType": { "type": "string", "enum": ["business_card", "liquor_license"] },
                                  "image": { "type": "string", "format": "binary", "description": "The image (JPEG, PNG, GIF or WebP); or send imageUrl instead." },
                                  "imageUrl": { "type": "string", "format": "uri", "description": "An http or https URL of the image, fetched when the job runs." }
                                }
                              }
                            }
                          }
                        }
                        """);
                    break;
                case "CreateImport":
                    operation["requestBody"] = JsonNode.Parse("""
                        {
                          "required": true,
                          "content": {
                            "multipart/form-data": {
                              "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": { "file": { "type": "string", "format": "binary", "description": "A CSV or XLSX file of customers." } }
                              }
                            }
                          }
                        }
                        """);
                    break;
            }
            // A file's content (a report, rejected rows): bytes of the media types it may have.
            string[]? files = operation["operationId"]?.GetValue<string>() switch
            {
                "DownloadReport" => ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf"],
                "DownloadRejectedRows" => ["text/csv"],
                _ => null,
            };
            if (files is not null && operation["responses"] is JsonObject responses)
            {
                var content = new JsonObject();
                foreach (var mediaType in files) content[mediaType] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } };
                responses["200"] = new JsonObject { ["description"] = "The file.", ["content"] = content };
                SortResponses(responses);
            }
        }
    }

    /// <summary>
    /// The enqueue body (single, and each job of a bulk) as one branch per job type: <c>type</c> fixed to the type's name and
    /// <c>payload</c> its schema, with the options every job takes; the branches discriminated by <c>type</c>.
    /// </summary>
    private static void EnqueueUnion(JsonObject schemas, IReadOnlyList<JobPayloadSchema> payloads)
    {
        if (schemas["EnqueueRequest"] is not JsonObject request || request["properties"] is not JsonObject options) return;
        if (payloads.Count == 0) return;
        var union = new JsonArray();
        var mapping = new JsonObject();
        foreach (var (type, schema) in payloads)
        {
            var pascal = Pascal(type);
            var payloadName = pascal + "Payload";
            var branchName = "Enqueue" + pascal + "Job";
            schemas[payloadName] = Rebase((JsonObject)schema.DeepClone(), Schemas + payloadName);
            var properties = new JsonObject
            {
                ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(type), ["description"] = "The job type." },
                ["payload"] = Ref(payloadName),
            };
            foreach (var (name, option) in options)
                if (name is not ("type" or "payload")) properties[name] = option!.DeepClone();
            schemas[branchName] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = $"A `{type}` job to enqueue.",
                ["required"] = new JsonArray("type", "payload"),
                ["properties"] = properties,
                ["additionalProperties"] = false,
            };
            union.Add(Ref(branchName));
            mapping[type] = Schemas + branchName;
        }
        schemas["EnqueueRequest"] = new JsonObject
        {
            ["description"] = "A job to enqueue: its type, its payload (as that type's schema says) and options. Unknown fields are refused.",
            ["oneOf"] = union,
            ["discriminator"] = new JsonObject { ["propertyName"] = "type", ["mapping"] = mapping },
        };
    }

    /// <summary>A schema exported on its own refers to itself as <c>#</c>; inside the document it is at <paramref name="at"/>.</summary>
    private static JsonObject Rebase(JsonObject schema, string at)
    {
        Walk(schema, o =>
        {
            if (o["$ref"]?.GetValue<string>() is { } r && r.StartsWith('#') && !r.StartsWith("#/components/", StringComparison.Ordinal))
                o["$ref"] = at + r[1..];
        });
        return schema;
    }

    /// <summary><c>image_extraction</c> → <c>ImageExtraction</c>, <c>leora.notification</c> → <c>LeoraNotification</c>.</summary>
    internal static string Pascal(string type) =>
        string.Concat(type.Split(['_', '.', '-', ':'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static JsonObject Ref(string name) => new() { ["$ref"] = Schemas + name };

    private static IEnumerable<(string Path, JsonObject Operation, string Method)> Operations(JsonObject document)
    {
        if (document["paths"] is not JsonObject paths) yield break;
        foreach (var (path, item) in paths)
            if (item is JsonObject methods)
                foreach (var (method, operation) in methods)
                    if (operation is JsonObject o && method is "get" or "put" or "post" or "delete" or "patch" or "head" or "options")
                        yield return (path, o, method);
    }
}
