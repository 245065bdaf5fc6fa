using System.CommandLine;
using Microsoft.Extensions.Logging;

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
                var store = await ServerHost.OpenStoreAsync(host.Services, settings, forceMigrate: true, ct);
                var (applied, latest) = await store.MigrationVersionAsync(ct);
                if (parse.GetValue(json)) WriteJson(new { provider = store.Provider, schemaVersion = applied, latestVersion = latest });
                else Console.Out.WriteLine($"The {settings.DescribeDatabase(JobsServices.SqlitePath(store))} is at schema version {applied} (latest {latest}).");
                return applied >= latest ? ExitCodes.Ok : ExitCodes.Failure;
            }
        });
        return command;
    }
}
