namespace Leora.Jobs.Webhooks;

/// <summary>The result stored with a completed <c>webhook</c> job.</summary>
/// <param name="StatusCode">The final response's status code (after redirects).</param>
/// <param name="DurationMs">How long the request took, redirects included, in milliseconds.</param>
public sealed record WebhookResult(int StatusCode, double DurationMs);
