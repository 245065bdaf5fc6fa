using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Leora.Crm.Storage;
using Leora.Jobs;

namespace Leora.Crm.Tests;

public sealed class SqliteImportTests : ImportTests { public SqliteImportTests() : base(Db.Sqlite) { } }

public sealed class PostgresImportTests : ImportTests { public PostgresImportTests() : base(Db.Postgres) { } }

/// <summary>A CRM host for import tests, and helpers to upload and run imports.</summary>
public abstract class ImportTestBase(Db db) : IAsyncLifetime
{
    protected CrmHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await CrmHost.StartAsync(db, claude: null, o =>
    {
        o.DefaultPhoneCountryCode = "1";
        o.MaxXlsxUncompressedBytes = 64L * 1024 * 1024;
        // These tests read files and count the jobs they process: an import runs alone here. Its workflow (enrichments in
        // a batch, the report callback) is WorkflowTests'.
        o.EnrichImportedCustomers = false;
        Configure(o);
    });

    /// <summary>Settings of a test class's own, applied after the defaults above.</summary>
    protected virtual void Configure(CrmOptions options) { }

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();

    protected async Task<HttpResponseMessage> PostImportAsync(byte[] content, string name)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", name);
        return await Host.Client.PostAsync("/api/imports", form);
    }

    protected async Task<long> UploadAsync(byte[] content, string name)
    {
        using var response = await PostImportAsync(content, name);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetInt64();
    }

    protected async Task<JsonElement> RunAsync(long importId)
    {
        await Leora.Jobs.TestSupport.Eventually.WaitAsync(async () =>
        {
            await Host.ProcessAsync();
            var status = (await Host.GetJsonAsync($"/api/imports/{importId}")).GetProperty("status").GetString();
            return status is "completed" or "failed";
        }, TimeSpan.FromSeconds(60), $"import {importId} to finish");
        return await Host.GetJsonAsync($"/api/imports/{importId}");
    }

    protected async Task<long> CustomerCountAsync()
    {
        var database = Host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        return Convert.ToInt64(await CrmCommand.ScalarAsync(connection, null, database.Sql.CustomerCount, CancellationToken.None), CultureInfo.InvariantCulture);
    }

}

/// <summary>Bulk import over HTTP with generated files (10,000 rows), on both databases.</summary>
public abstract class ImportTests(Db db) : ImportTestBase(db)
{
    [Fact]
    public async Task Csv_of_10000_rows_maps_aliased_headers_rejects_bad_rows_and_a_second_import_updates_without_duplicates()
    {
        var csv = Encoding.UTF8.GetBytes(TestFiles.CustomersCsv(10_000));
        var first = await RunAsync(await UploadAsync(csv, "customers.csv"));
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal(100, first.GetProperty("progress").GetInt32());
        Assert.Equal(10_000, first.GetProperty("rowsDone").GetInt64());
        Assert.Equal(9_980, first.GetProperty("inserted").GetInt64());
        Assert.Equal(20, first.GetProperty("rejected").GetInt64());
        Assert.Equal(["Favourite colour"], first.GetProperty("ignoredColumns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(9_980, await CustomerCountAsync());

        // The rejected-rows report: one line per rejected row, with its row number and reason.
        using var rejected = await Host.Client.GetAsync(first.GetProperty("rejectedRowsUrl").GetString());
        Assert.Equal("text/csv", rejected.Content.Headers.ContentType!.MediaType);
        var lines = (await rejected.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Row,Reason,Fields", lines[0]);
        Assert.Equal(21, lines.Length);
        Assert.StartsWith("501,\"the e-mail \"\"user500-at-corp0.com\"\" is not valid\",user500-at-corp0.com", lines[1]);

        var second = await RunAsync(await UploadAsync(csv, "customers.csv"));
        Assert.Equal(0, second.GetProperty("inserted").GetInt64());
        Assert.Equal(9_980, second.GetProperty("updated").GetInt64());
        Assert.Equal(9_980, await CustomerCountAsync());

        // Values were normalised and marked as entered by a person.
        var customer = await Host.Store.CustomerGetAsync(1, CancellationToken.None);
        Assert.Equal("user1@corp1.com", customer!.Email);
        Assert.Equal("Person 1, Jr", customer.Name);
        Assert.Equal("+14155550001", customer.Phone);
        Assert.Equal("NY", customer.Region);
        Assert.True(customer.ManualFields.HasFlag(Model.CustomerField.Name));
    }

    [Fact]
    public async Task An_e_mail_repeated_in_one_file_ends_as_if_its_rows_were_imported_one_after_the_other()
    {
        // PostgreSQL upserts a batch in one statement, which cannot touch a row twice: the repeats are folded first.
        var csv = Encoding.UTF8.GetBytes(
            "Email,Name,Phone,Company\r\n" +
            "repeat@example.org,First Name,(415) 555-0101,\r\n" +
            "other@example.org,Other,,Other Co\r\n" +
            "repeat@example.org,Second Name,,Second Co\r\n" +
            "repeat@example.org,,,Third Co\r\n");
        var import = await RunAsync(await UploadAsync(csv, "repeats.csv"));
        Assert.Equal("completed", import.GetProperty("status").GetString());
        Assert.Equal(2, import.GetProperty("inserted").GetInt64());
        Assert.Equal(2, import.GetProperty("updated").GetInt64());
        Assert.Equal(2, await CustomerCountAsync());

        var database = Host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var repeat = await Host.Store.CustomerGetByEmailAsync(connection, null, "repeat@example.org", CancellationToken.None);
        Assert.Equal("Second Name", repeat!.Name);
        Assert.Equal("+14155550101", repeat.Phone);
        Assert.Equal("Third Co", repeat.Company);
        Assert.Equal(Model.CustomerField.Name | Model.CustomerField.Phone | Model.CustomerField.Company, repeat.ManualFields);
        var other = await Host.Store.CustomerGetByEmailAsync(connection, null, "other@example.org", CancellationToken.None);
        Assert.Equal("Other Co", other!.Company);
        Assert.Null(other.Phone);
    }

    [Fact]
    public async Task Xlsx_import_reads_shared_inline_and_numeric_cells()
    {
        var result = await RunAsync(await UploadAsync(TestFiles.CustomersXlsx(2_000), "customers.xlsx"));
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal("xlsx", result.GetProperty("format").GetString());
        Assert.Equal(2_000, result.GetProperty("inserted").GetInt64());
        var database = Host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var c = await Host.Store.CustomerGetByEmailAsync(connection, null, "sheet2@example.org", CancellationToken.None);
        Assert.Equal("Sheet Person 2", c!.Name);
        Assert.Equal("+14155550002", c.Phone);
        Assert.Equal("US", c.Country);
    }

    [Fact]
    public async Task A_resumed_import_skips_the_rows_its_checkpoint_says_are_done_and_a_stale_checkpoint_is_refused()
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(TestFiles.CustomersCsv(1_000)));
        var (importId, jobId) = await Host.Commands.CreateImportAsync("csv", "customers.csv", content, CancellationToken.None);

        // An earlier attempt committed 400 rows and died: its checkpoint says so.
        var database = Host.Store.Database;
        await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
        await using (var tx = await database.BeginAsync(connection, CancellationToken.None))
        {
            Assert.True(await Host.Store.ImportCheckpointAsync(connection, tx, importId, 0, 400, 0, 0, 0, CancellationToken.None));
            await tx.CommitAsync();
        }
        var result = await RunAsync(importId);
        Assert.Equal(1_000, result.GetProperty("rowsDone").GetInt64());
        Assert.Equal(598, result.GetProperty("inserted").GetInt64()); // customers 401–1000, less 500 and 1000 (bad e-mails)
        Assert.Equal(2, result.GetProperty("rejected").GetInt64());
        Assert.Equal(598, await CustomerCountAsync());
        Assert.Equal(JobStatus.Completed, (await Host.Jobs.GetAsync(jobId))!.Status);

        // A zombie attempt that still believes the checkpoint is at 400 changes nothing.
        await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
        await using (var tx = await database.BeginAsync(connection, CancellationToken.None))
            Assert.False(await Host.Store.ImportCheckpointAsync(connection, tx, importId, 400, 1_000, 600, 0, 0, CancellationToken.None));
    }
}
