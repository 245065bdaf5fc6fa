using System.Text.Json;
using System.Text.Json.Nodes;
using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Leora.Jobs.Server.OpenApi;

/// <summary>
/// Serves <c>/openapi/v1.json</c>: the document ASP.NET Core generates, made exact by <see cref="OpenApiContract"/>. It is
/// the same on every host and port (no server address in it), so it can be compared with the committed
/// <c>docs/openapi/v1.json</c> byte for byte; it is built once, on the first request, as the endpoints and job types do
/// not change while the service runs.
/// </summary>
internal sealed class OpenApiDocumentEndpoint(IServiceProvider services, JobPayloadSchemas payloads)
{
    public const string DocumentName = "v1";
    public const string Path = "/openapi/v1.json";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _json;

    /// <summary>Maps the document's route, itself outside the document.</summary>
    public static void Map(WebApplication app) =>
        app.MapGet(Path, async (OpenApiDocumentEndpoint endpoint, CancellationToken cancellationToken) =>
            TypedResults.Text(await endpoint.JsonAsync(cancellationToken), "application/json; charset=utf-8")).ExcludeFromDescription();

    /// <summary>The exact document, indented, ending with a newline (as the committed file is).</summary>
    public async Task<string> JsonAsync(CancellationToken cancellationToken)
    {
        if (_json is { } done) return done;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_json is { } built) return built;
            var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
            var generated = await provider.GetOpenApiDocumentAsync(cancellationToken);
            var text = await generated.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);
            var document = OpenApiContract.Apply((JsonObject)JsonNode.Parse(text)!, payloads.All);
            _json = document.ToJsonString(Indented) + "\n";
            return _json;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // The document is read by people too: é and – as they are, not \u escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
