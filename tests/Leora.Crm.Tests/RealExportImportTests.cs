using System.Data.Common;
using System.Text;
using System.Text.Json;
using Leora.Crm.Model;
using Leora.Jobs;

namespace Leora.Crm.Tests;

public sealed class SqliteRealExportImportTests : RealExportImportTests { public SqliteRealExportImportTests() : base(Db.Sqlite) { } }

public sealed class PostgresRealExportImportTests : RealExportImportTests { public PostgresRealExportImportTests() : base(Db.Postgres) { } }

/// <summary>
/// Imports of files in the shape of real exports (issue 21): what a sales team's files hold must arrive, a broken row
/// costs that row only, rejected rows are numbered as the spreadsheet shows them, and a broken file fails at once.
/// </summary>
public abstract class RealExportImportTests(Db db) : ImportTestBase(db)
{
    private async Task<Customer> CustomerAsync(string email)
    {
        var database = Host.Store.Database;
        await using DbConnection connection = await database.OpenConnectionAsync(CancellationToken.None);
        return (await Host.Store.CustomerGetByEmailAsync(connection, null, email, CancellationToken.None))
            ?? throw new Xunit.Sdk.XunitException($"no customer {email}");
    }

    private async Task<string[]> RejectedLinesAsync(JsonElement import)
    {
        using var response = await Host.Client.GetAsync(import.GetProperty("rejectedRowsUrl").GetString());
        return (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task HubSpot_export_maps_its_headers_keeps_note_line_breaks_and_an_unterminated_quote_costs_one_row()
    {
        var result = await RunAsync(await UploadAsync(ExportFiles.HubSpotCsv(), "hubspot-contacts.csv"));
        Assert.Equal("completed", result.GetProperty("status").GetString());
        // Ana and the fifty rows after the broken one; the broken rows are rejected, nothing else is lost.
        Assert.Equal(51, result.GetProperty("inserted").GetInt64());
        Assert.Equal(3, result.GetProperty("rejected").GetInt64());
        Assert.Empty(result.GetProperty("ignoredColumns").EnumerateArray());
        Assert.Equal(51, await CustomerCountAsync());

        var ana = await CustomerAsync("ana.silva@acme.example");
        Assert.Equal("Ana Silva", ana.Name);
        Assert.Equal("https://acme.example", ana.Website);
        Assert.Equal("CA", ana.Region);
        Assert.Equal("94105", ana.PostalCode);
        Assert.Equal("United States", ana.Country);
        Assert.Equal("new", ana.Status);
        Assert.Equal("Met at the expo.\nWants a demo in March.", ana.Description);
        Assert.Equal("Plain note 50", (await CustomerAsync("good50@example.com")).Description);
        Assert.Equal("97200", (await CustomerAsync("good50@example.com")).PostalCode);

        // Row numbers as the spreadsheet shows them: the header is row 1, Ana's note spans rows 2–3, row 4 is blank.
        var lines = await RejectedLinesAsync(result);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("5,\"the e-mail \"\"bob-at-example.com\"\" is not valid\"", lines[1]);
        Assert.StartsWith("6,\"a quoted field opened on row 6 is not closed before row 7, which starts a new record; check the quotes of this row\",Cy,Ng,cy@example.com", lines[2]);
        Assert.StartsWith("58,\"a quoted field opened on row 58 is never closed (the file ends first, on row 59)", lines[3]);
    }

    [Fact]
    public async Task Excel_csv_saved_on_windows_is_read_as_windows_1252()
    {
        var result = await RunAsync(await UploadAsync(ExportFiles.ExcelWindows1252Csv(), "excel.csv"));
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.StartsWith("windows-1252", result.GetProperty("encoding").GetString());
        Assert.Equal(2, result.GetProperty("inserted").GetInt64());
        Assert.Equal(0, result.GetProperty("rejected").GetInt64());
        var sean = await CustomerAsync("sean@example.ie");
        Assert.Equal("Seán O’Brien", sean.Name);
        Assert.Equal("O’Brien & Sons", sean.Company);
        Assert.Equal("Budget 5 000 € “approved”", sean.Description);
        Assert.Equal("Café Noël", (await CustomerAsync("zoe@example.fr")).Company);
    }

    [Fact]
    public async Task Xlsx_escapes_are_decoded_line_breaks_kept_and_rows_numbered_as_the_sheet()
    {
        var result = await RunAsync(await UploadAsync(ExportFiles.XlsxWithEscapes(), "by-hand.xlsx"));
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal(1, result.GetProperty("inserted").GetInt64());
        var ann = await CustomerAsync("ann@example.com");
        Assert.Equal("Ann Lee", ann.Name);
        Assert.Equal("Line one\nLine two", ann.Description);
        Assert.Equal("ACME_x0041_ Ltd", ann.Company);
        var lines = await RejectedLinesAsync(result);
        Assert.StartsWith("5,", lines[1]);
    }

    public static TheoryData<string> BrokenWorkbooks() => ["cut-off", "lying-uncompressed-size", "lying-compressed-size", "not-a-zip"];

    [Theory]
    [MemberData(nameof(BrokenWorkbooks))]
    public async Task A_broken_workbook_fails_at_once_with_a_readable_reason_not_after_retries(string kind)
    {
        var bytes = kind switch
        {
            "cut-off" => ExportFiles.CutOffXlsx(),
            "lying-uncompressed-size" => ExportFiles.LyingXlsx(compressedSize: false),
            "lying-compressed-size" => ExportFiles.LyingXlsx(compressedSize: true),
            _ => ExportFiles.NotAZip(),
        };
        // Through the job, as a file that reached storage another way than the upload's guard.
        using var content = new MemoryStream(bytes);
        var (importId, jobId) = await Host.Commands.CreateImportAsync("xlsx", $"{kind}.xlsx", content, CancellationToken.None);
        await Host.ProcessAsync(maxJobs: 1);
        var job = (await Host.Jobs.GetAsync(jobId))!;
        Assert.True(job.Status == JobStatus.Failed, $"{kind}: the job is {job.Status} after one attempt ({string.Join(" | ", job.Errors.Select(e => e.Message))})");
        Assert.Equal(1, job.Attempts);
        var import = await Host.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("failed", import.GetProperty("status").GetString());
        var error = import.GetProperty("error").GetString()!;
        Assert.Contains("XLSX", error, StringComparison.Ordinal);
        Assert.DoesNotContain("gave up after", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_rejected_rows_are_stored_in_one_batch_with_their_rows()
    {
        var csv = new StringBuilder("email,name\n");
        for (var i = 0; i < 2500; i++) csv.Append("bad-").Append(i).Append(",Person ").Append(i).Append('\n');
        var result = await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(csv.ToString()), "bad.csv"));
        Assert.Equal(2500, result.GetProperty("rejected").GetInt64());
        var lines = await RejectedLinesAsync(result);
        Assert.Equal(2501, lines.Length);
        Assert.StartsWith("2,\"the e-mail \"\"bad-0\"\" is not valid\",bad-0,Person 0", lines[1]);
        Assert.StartsWith("2501,", lines[^1]);
    }
}

/// <summary>The headers of the common address-book exports (on SQLite: the mapping does not depend on the database).</summary>
public sealed class AddressBookExportTests : ImportTestBase
{
    public AddressBookExportTests() : base(Db.Sqlite) { }

    [Theory]
    [MemberData(nameof(ExportFiles.AddressBookExports), MemberType = typeof(ExportFiles))]
    public async Task Contacts_exported_by_an_address_book_map_to_their_fields(
        string source, string csv, string email, string phone, string company, string title, string postalCode, string country)
    {
        var result = await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(csv), $"{source}.csv"));
        Assert.Equal(1, result.GetProperty("inserted").GetInt64());
        var database = Host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var c = (await Host.Store.CustomerGetByEmailAsync(connection, null, email, CancellationToken.None))!;
        Assert.Equal((phone, company, title, postalCode, country), (c.Phone!, c.Company!, c.Title!, c.PostalCode!, c.Country!));
    }
}
