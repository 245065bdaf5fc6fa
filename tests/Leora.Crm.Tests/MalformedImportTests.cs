using System.Net;
using System.Text;
using Leora.Jobs;

namespace Leora.Crm.Tests;

/// <summary>Malformed import files: each is refused at upload or fails the import with a readable reason, and writes no customer.</summary>
public sealed class MalformedImportTests : ImportTestBase
{
    public MalformedImportTests() : base(Db.Sqlite) { }

    [Fact]
    public async Task Zip_bomb_posing_as_xlsx_is_refused_at_upload_and_by_the_job()
    {
        var bomb = TestFiles.ZipBomb(megabytes: 80);
        using var response = await PostImportAsync(bomb, "customers.xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("zip bomb", await response.Content.ReadAsStringAsync());

        // The job's own guard, for a file that reached storage another way.
        using var content = new MemoryStream(bomb);
        var (importId, jobId) = await Host.Commands.CreateImportAsync("xlsx", "customers.xlsx", content, CancellationToken.None);
        var result = await RunAsync(importId);
        Assert.Equal("failed", result.GetProperty("status").GetString());
        Assert.Contains("zip bomb", result.GetProperty("error").GetString());
        var job = (await Host.Jobs.GetAsync(jobId))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(0, await CustomerCountAsync());
    }

    [Fact]
    public async Task Latin1_file_is_read_as_windows_1252_not_mangled()
    {
        var csv = Encoding.Latin1.GetBytes("email,name,city\r\nanna@example.de,Anna Müller,Köln\r\n");
        var result = await RunAsync(await UploadAsync(csv, "latin1.csv"));
        Assert.Equal("completed", result.GetProperty("status").GetString());
        // Windows-1252 is Latin-1 with printable characters where Latin-1 has C1 controls: ü and ö are the same bytes.
        Assert.StartsWith("windows-1252", result.GetProperty("encoding").GetString());
        var database = Host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var c = await Host.Store.CustomerGetByEmailAsync(connection, null, "anna@example.de", CancellationToken.None);
        Assert.Equal("Anna Müller", c!.Name);
        Assert.Equal("Köln", c.City);
    }

    [Fact]
    public async Task Ragged_rows_with_extra_values_are_rejected_and_short_rows_accepted()
    {
        var csv = Encoding.UTF8.GetBytes("email;name;phone\nok@example.com;Ok\nextra@example.com;Extra;555 0100;surprise;more\nfine@example.com;Fine;;\n");
        var result = await RunAsync(await UploadAsync(csv, "ragged.csv"));
        Assert.Equal(2, result.GetProperty("inserted").GetInt64());
        Assert.Equal(1, result.GetProperty("rejected").GetInt64());
        using var rejected = await Host.Client.GetAsync(result.GetProperty("rejectedRowsUrl").GetString());
        var text = await rejected.Content.ReadAsStringAsync();
        Assert.True(text.Contains("3,\"the row has 5 fields, the header has 3\",extra@example.com,Extra,555 0100,surprise,more", StringComparison.Ordinal), $"{(int)rejected.StatusCode} {rejected.Content.Headers.ContentType} {text}");
    }

    [Fact]
    public async Task File_without_an_email_column_fails_with_the_headers_it_found()
    {
        var result = await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes("name,phone\nA,1\n"), "no-email.csv"));
        Assert.Equal("failed", result.GetProperty("status").GetString());
        Assert.Contains("no e-mail column", result.GetProperty("error").GetString());
        Assert.Contains("\"name\"", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Binary_legacy_xls_and_empty_uploads_are_refused_and_nothing_is_queued()
    {
        using var binary = await PostImportAsync([0x00, 0x01, 0x02, 0xFF, 0x00, 0x10], "data.csv");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, binary.StatusCode);
        using var xls = await PostImportAsync([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], "old.xls");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xls.StatusCode);
        Assert.Contains(".xls", await xls.Content.ReadAsStringAsync());
        using var empty = await PostImportAsync([], "empty.csv");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var notMultipart = await Host.Client.PostAsync("/api/imports", new StringContent("email\na@b.co"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notMultipart.StatusCode);
        Assert.Empty((await Host.Jobs.ListAsync(new JobQuery())).Items);
    }

    [Fact]
    public async Task Import_larger_than_the_limit_is_refused_with_413()
    {
        await using var host = await CrmHost.StartAsync(Db.Sqlite, claude: null, o => o.MaxImportBytes = 1024);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(TestFiles.CustomersCsv(200))), "file", "big.csv");
        using var response = await host.Client.PostAsync("/api/imports", form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
