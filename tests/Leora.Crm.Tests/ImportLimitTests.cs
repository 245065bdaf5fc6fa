using System.Text;
using Leora.Jobs;

namespace Leora.Crm.Tests;

/// <summary>
/// What an import holds in memory is bounded whatever the file's shape (issue 11): a file past a bound, which passes every
/// zip-bomb guard, fails its import at once with a message naming the setting, is not retried, and writes no customer;
/// a file within the bounds still imports. The bounds are lowered here so that the files stay small.
/// </summary>
public sealed class ImportLimitTests : ImportTestBase
{
    private const int MaxStrings = 1000;
    private const int MaxChars = 100_000;

    public ImportLimitTests() : base(Db.Sqlite) { }

    protected override void Configure(CrmOptions options)
    {
        options.MaxXlsxSharedStrings = MaxStrings;
        options.MaxXlsxSharedStringChars = MaxChars;
        options.MaxImportColumns = 50;
        options.MaxImportRowChars = 10_000;
    }

    [Fact]
    public async Task A_shared_strings_table_over_the_count_bound_fails_the_import_at_once_and_one_at_the_bound_imports()
    {
        // CustomersXlsx(n) holds n + 4 shared strings: the four headers and one e-mail per row.
        await AssertRefusedAsync(TestFiles.CustomersXlsx(MaxStrings - 3), "more than 1,000 shared strings (Crm:MaxXlsxSharedStrings)");

        var within = await RunAsync(await UploadAsync(TestFiles.CustomersXlsx(MaxStrings - 4), "customers.xlsx"));
        Assert.Equal("completed", within.GetProperty("status").GetString());
        Assert.Equal(MaxStrings - 4, within.GetProperty("inserted").GetInt64());
    }

    [Fact]
    public async Task A_shared_strings_table_over_the_character_bound_fails_the_import_and_one_under_it_imports()
    {
        // Few strings, long ones: the e-mail column's two strings, then padding no cell refers to (still held in memory).
        static byte[] Workbook(int paddingStrings) => TestFiles.RawXlsx(
            """<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>""",
            ["Email", "pad@example.org", .. Enumerable.Repeat(new string('x', 1000), paddingStrings)]);

        await AssertRefusedAsync(Workbook(MaxChars / 1000), "shared strings hold more than 100,000 characters (Crm:MaxXlsxSharedStringChars)");

        var within = await RunAsync(await UploadAsync(Workbook(MaxChars / 1000 - 1), "padded.xlsx"));
        Assert.Equal("completed", within.GetProperty("status").GetString());
        Assert.Equal(1, within.GetProperty("inserted").GetInt64());
    }

    [Fact]
    public async Task A_row_past_the_column_or_character_bound_fails_the_import()
    {
        const string Header = """<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>""";
        // A cell in column AY (the 51st).
        await AssertRefusedAsync(
            TestFiles.RawXlsx(Header + """<row r="2"><c r="A2" t="inlineStr"><is><t>a@example.org</t></is></c><c r="AY2" t="inlineStr"><is><t>x</t></is></c></row>"""),
            "Row 2 has a cell in column 51, beyond the 50 columns an import reads (Crm:MaxImportColumns)");
        // One 600-character shared string in 20 cells: 12,000 characters made from 600 stored.
        var cells = string.Concat(Enumerable.Range(0, 20).Select(i => $"""<c r="{(char)('B' + i)}2" t="s"><v>0</v></c>"""));
        await AssertRefusedAsync(
            TestFiles.RawXlsx(Header + $"""<row r="2"><c r="A2" t="inlineStr"><is><t>a@example.org</t></is></c>{cells}</row>""", [new string('y', 600)]),
            "Row 2 of the XLSX sheet holds more than 10,000 characters (Crm:MaxImportRowChars)");
        // The same bounds hold for CSV.
        await AssertRefusedAsync(Encoding.UTF8.GetBytes("email" + new string(',', 50) + "\r\na@example.org\r\n"), "Row 1 has 51 fields", "wide.csv");
        await AssertRefusedAsync(Encoding.UTF8.GetBytes($"email,name\r\na@example.org,{new string('z', 10_001)}\r\n"),
            "Row 2 holds more than 10,000 characters (Crm:MaxImportRowChars)", "long.csv");
    }

    [Fact]
    public async Task A_tag_larger_than_any_spreadsheet_writes_or_a_sheet_not_in_UTF_8_fails_the_import()
    {
        // An attribute the reader ignores, but would hold whole: 2 MB in one tag (random letters, so that the upload's
        // compression-ratio guard lets it through).
        var random = new Random(11);
        var letters = string.Create(2 * 1024 * 1024, random, static (span, r) => { for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + r.Next(26)); });
        var huge = TestFiles.RawXlsx($"""<row r="1" x="{letters}"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>""");
        await AssertRefusedAsync(huge, "'xl/worksheets/sheet1.xml' holds a tag or text of more than 1 MB");

        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(
            """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a@example.org</t></is></c></row></sheetData></worksheet>"""))
            .ToArray();
        await AssertRefusedAsync(TestFiles.RawXlsx("", sheetBytes: utf16), "'xl/worksheets/sheet1.xml' is not UTF-8 XML");
    }

    /// <summary>Uploads <paramref name="file"/> (accepted: it passes the upload's checks), runs its import, and asserts it failed at once with <paramref name="expected"/>.</summary>
    private async Task AssertRefusedAsync(byte[] file, string expected, string name = "refused.xlsx")
    {
        var importId = await UploadAsync(file, name);
        var result = await RunAsync(importId);
        Assert.Equal("failed", result.GetProperty("status").GetString());
        Assert.Contains(expected, result.GetProperty("error").GetString(), StringComparison.Ordinal);
        var job = (await Host.Jobs.GetAsync(result.GetProperty("jobId").GetInt64()))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(0, await CustomerCountAsync());
    }
}
