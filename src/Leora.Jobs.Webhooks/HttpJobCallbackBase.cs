namespace Leora.Jobs.Webhooks;

/// <summary>
/// Where the jobs API is mounted when <see cref="HttpJobOptions.CallbackBaseUrl"/> is not set: the host knows it only once it
/// listens (the leora-jobs service registers one that reads its first listening address).
/// </summary>
internal sealed class HttpJobCallbackBase(Func<Uri?> resolve)
{
    public Uri? Resolve() => resolve();
}
