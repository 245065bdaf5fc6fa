using System.Text.Json;
using System.Text.Json.Serialization;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// The payload of the built-in <c>webhook</c> job type: one HTTP request. The URL must be absolute http or https;
/// its host is checked against the SSRF guard when the job runs (see <see cref="WebhookOptions.AllowedHosts"/>).
/// </summary>
/// <param name="Url">The absolute http(s) URL to call.</param>
/// <param name="Method">The HTTP method. Defaults to <c>POST</c>.</param>
/// <param name="Headers">
/// Request headers (a <c>Content-Type</c> here sets the body's type). Names are RFC 9110 tokens; values hold visible ASCII,
/// spaces and tabs only (no CR, LF or other control characters). <c>Host</c> may not be set.
/// </param>
/// <param name="Body">
/// The body: a JSON string is sent as text (<c>text/plain</c> unless <c>Content-Type</c> says otherwise), any other
/// JSON value is sent as JSON (<c>application/json</c>). Defaults to none.
/// </param>
/// <param name="TimeoutSeconds">The whole request's time limit, redirects included, 1–300. Defaults to 30.</param>
public sealed record WebhookArgs(
    [property: JsonConverter(typeof(WebhookUrlConverter))] Uri Url,
    [property: JsonConverter(typeof(WebhookMethodConverter))] string? Method = null,
    [property: JsonConverter(typeof(WebhookHeadersConverter))] IReadOnlyDictionary<string, string>? Headers = null,
    JsonElement? Body = null,
    [property: JsonConverter(typeof(WebhookTimeoutConverter))] int? TimeoutSeconds = null) : IJobArgs
{
    /// <summary>The job type's stable name.</summary>
    public static string Kind => "webhook";
}
