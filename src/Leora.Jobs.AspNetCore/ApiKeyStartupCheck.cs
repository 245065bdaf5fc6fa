using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>Says at start-up how many API keys are accepted, or how to set one when there is none.</summary>
internal sealed class ApiKeyStartupCheck(ApiKeyRing ring, IOptions<LeoraJobsApiOptions> api, ILogger<ApiKeyStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var count = ring.ApiKeys(api.Value).FullCount;
        if (count == 0) Log.NoApiKey(logger);
        else Log.ApiKeys(logger, count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
