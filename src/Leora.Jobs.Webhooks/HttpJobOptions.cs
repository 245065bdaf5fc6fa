namespace Leora.Jobs.Webhooks;

/// <summary>Settings shared by every HTTP job type of a host (docs/http-job-types.md).</summary>
public sealed class HttpJobOptions
{
    /// <summary>
    /// The URL at which the jobs API is mounted, as the endpoints reach it (for example <c>https://jobs.example.com/api/jobs</c>):
    /// each attempt's callback URL is this followed by <c>/{id}/attempts/{attempt}</c>. Defaults to null: the host's own
    /// (the leora-jobs service: <c>Jobs:PublicBaseUrl</c> followed by <c>/api/jobs</c>, or its first listening address).
    /// </summary>
    public Uri? CallbackBaseUrl { get; set; }
}
