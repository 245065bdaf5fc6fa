// CRM bulk-import and report benchmark: imports a generated CSV of N customers (default 100,000) through the real
// bulk_import handler on a fresh SQLite file (or PostgreSQL with --postgres "<connection string>"), then generates the
// customers report as CSV and XLSX, printing times and the process's peak working set.
//   dotnet run -c Release --project bench/Leora.Crm.Bench -- [--rows 100000] [--postgres "Host=…"]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Leora.Crm;
using Leora.Crm.Storage;
using Leora.Jobs;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

var rows = 100_000;
string? postgres = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--rows") rows = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--postgres") postgres = args[++i];
}

var dir = Path.Combine(Path.GetTempPath(), "leora-crm-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dir);
var services = new ServiceCollection();
services.AddLogging();
var jobs = services.AddLeoraJobs(o => o.Lease = TimeSpan.FromMinutes(10));
var schema = "crm_bench_" + Guid.NewGuid().ToString("N")[..8];
if (postgres is null) jobs.UseSqlite($"Data Source={Path.Combine(dir, "bench.db")}");
else jobs.UsePostgreSql(postgres, o => o.Schema = schema);
jobs.AddLeoraCrm();
await using var sp = services.BuildServiceProvider();
await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
await sp.GetRequiredService<ICrmMigrator>().MigrateAsync();
var commands = sp.GetRequiredService<CrmCommands>();
var processor = sp.GetRequiredService<IJobProcessor>();

var csvPath = Path.Combine(dir, "customers.csv");
await using (var w = new StreamWriter(csvPath, false, new UTF8Encoding(false)))
{
    await w.WriteLineAsync("Email,First Name,Last Name,Company,Phone,City,State,Country,Status,Lead Source");
    for (var i = 1; i <= rows; i++)
        await w.WriteLineAsync($"customer{i}@company{i % 997}.example,First{i},Last{i},Company {i % 997},+1 415 555 {i % 10000:0000},City {i % 101},S{i % 50},US,{(i % 3 == 0 ? "lead" : "customer")},import");
}
Console.WriteLine($"database: {(postgres is null ? "SQLite (file)" : "PostgreSQL")}; rows: {rows:N0}; file: {new FileInfo(csvPath).Length / 1024.0 / 1024:0.0} MB");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}");

var sw = Stopwatch.StartNew();
long importId;
await using (var file = File.OpenRead(csvPath))
    (importId, _) = await commands.CreateImportAsync("csv", "customers.csv", file, CancellationToken.None);
var upload = sw.Elapsed;
var result = await processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1 }, CancellationToken.None);
var import = sw.Elapsed - upload;
var row = await sp.GetRequiredService<CrmStore>().ImportGetAsync(importId, CancellationToken.None);
Console.WriteLine($"import: stored in {upload.TotalSeconds:0.00} s, processed in {import.TotalSeconds:0.00} s " +
                  $"({rows / import.TotalSeconds:N0} rows/s); {row!.Inserted:N0} inserted, {row.Rejected:N0} rejected, job {result.Jobs[0].Outcome}");

foreach (var format in new[] { "csv", "xlsx" })
{
    sw.Restart();
    await commands.CreateReportAsync("customers", format, CancellationToken.None);
    var r = await processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1 }, CancellationToken.None);
    Console.WriteLine($"report customers.{format}: {sw.Elapsed.TotalSeconds:0.00} s, job {r.Jobs[0].Outcome}");
}
using var self = Process.GetCurrentProcess();
Console.WriteLine($"peak working set: {self.PeakWorkingSet64 / 1024.0 / 1024:0} MB");

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(dir, recursive: true);
if (postgres is not null)
{
    await using var conn = new Npgsql.NpgsqlConnection(postgres);
    await conn.OpenAsync();
    await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA \"{schema}\" CASCADE", conn);
    await drop.ExecuteNonQueryAsync();
}
