using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The code of docs/dashboard.md, compiled here and run by <see cref="DocsExampleTests"/>.</summary>
internal static class DocsExample
{
    // docs/dashboard.md: "Mount it"
    public static WebApplication Build(string[] args, string sqlite)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddLeoraJobs()
            .UseSqlite(sqlite)
            .AddJob<EchoArgs, EchoHandler>();
        builder.Services.AddLeoraJobsDashboard(o =>
        {
            o.Title = "Leora CRM jobs";
            o.ReadOnlyKeys.Add("support-team-key");        // or Jobs:Dashboard:ReadOnlyKeys in configuration
        });

        var app = builder.Build();
        app.MapLeoraJobsDashboard("/jobs");                   // the page is at /jobs/
        return app;
    }

    // docs/dashboard.md: "Use the host's sign-in instead of API keys"
    public static void UseHostSignIn(IServiceCollection services) =>
        services.AddLeoraJobsDashboard(o =>
        {
            o.AuthorizationPolicy = "jobs-viewer";           // who may look
            o.ActionPolicy = "jobs-operator";                // who may also act (optional)
        });
}
