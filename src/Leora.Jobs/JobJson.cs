using System.Text.Json;

namespace Leora.Jobs;

/// <summary>The JSON settings of stored payloads and results: camelCase, strict binding.</summary>
public static class JobJson
{
    /// <summary>
    /// camelCase on write; on read, case-insensitive names, required constructor parameters and nullable
    /// annotations respected, unknown members rejected, so a payload that does not bind fails at enqueue.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
