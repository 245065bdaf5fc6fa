using System.Text.Json;
using System.Text.Json.Serialization;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The JSON settings the API reads request bodies with: those of stored payloads (<see cref="JobJson.Options"/>: camelCase,
/// strict binding, unknown fields refused) with strict numbers, so <c>"priority": "5"</c> is refused as the API's document
/// says rather than read as 5.
/// </summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JobJson.Options) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
