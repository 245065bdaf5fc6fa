using System.CommandLine;
using Leora.Crm;

namespace Leora.Jobs.Server;

// migrate: create or upgrade the tables.
internal static partial class Cli
{
    private static Command MigrateCommand()
    {
        var json = JsonOption();
        var command = NewCommand("migrate", "Create or upgrade the database's tables (the service also does this at start).");
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
            using (host)
            {
                // Resolved first, so that a bad connection string fails with a clear message (and for the SQLite file's path).
                var store = JobsServices.ResolveStore(host.Services);
                var version = await host.Services.GetRequiredService<IJobStoreMigrator>().MigrateAsync(ct);
                // The CRM's tables live in the same database and are migrated with it (as every command does at start).
                await host.Services.GetRequiredService<ICrmMigrator>().MigrateAsync(ct);
                if (parse.GetValue(json)) WriteJson(new { provider = version.Provider, schemaVersion = version.Applied, latestVersion = version.Latest });
                else Console.Out.WriteLine($"The {settings.DescribeDatabase(JobsServices.SqlitePath(store))} is at schema version {version.Applied} (latest {version.Latest}).");
                return version.IsCurrent ? ExitCodes.Ok : ExitCodes.Failure;
            }
        });
        return command;
    }
}
