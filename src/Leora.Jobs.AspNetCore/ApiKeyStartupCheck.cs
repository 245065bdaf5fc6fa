using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore;

/// <summary>Says at start-up how many API keys are accepted, or how to set one when there is none.</summary>
internal sealed class ApiKeyStartupCheck(ApiKeyRing keys, ILogger<ApiKeyStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.Count == 0) Log.NoApiKey(logger);
        else Log.ApiKeys(logger, keys.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
