using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Leora.Crm.Tests;

/// <summary>
/// Import files in the shape of real exports, made here: a HubSpot contacts CSV, an Excel-on-Windows CSV (Windows-1252,
/// semicolons), Google Contacts / Outlook / Salesforce headers, a hand-made XLSX with Excel's escapes, and broken workbooks.
/// </summary>
public static class ExportFiles
{
    public const string HubSpotHeader =
        "First Name,Last Name,Email,Phone Number,Company Name,Job Title,Website URL,Street Address,City,State/Region,Postal Code,Country/Region,Lead Status,Notes";

    /// <summary>
    /// A HubSpot-style export (CRLF lines, as it writes them), with its row numbers as a spreadsheet shows them:
    /// row 2–3 Ana (a two-line note), row 4 blank, row 5 a bad e-mail, row 6 an unterminated quote, rows 7–56 fifty good
    /// rows, row 57 blank, row 58 an unterminated quote that runs to the end of the file.
    /// </summary>
    public static byte[] HubSpotCsv()
    {
        var sb = new StringBuilder(HubSpotHeader).Append("\r\n");
        sb.Append("Ana,Silva,Ana.Silva@Acme.example,+1 415 555 0101,Acme,CEO,https://acme.example,1 Main St,Springfield,CA,94105,United States,New,\"Met at the expo.\r\nWants a demo in March.\"\r\n");
        sb.Append("\r\n");
        sb.Append("Bob,Ray,bob-at-example.com,,Ray Co,,,,,,,,Open,\r\n");
        sb.Append("Cy,Ng,cy@example.com,,Ng Ltd,,,,,,,,Open,\"Unterminated note, the closing quote was lost\r\n");
        for (var i = 1; i <= 50; i++)
            sb.Append(CultureInfo.InvariantCulture, $"Good,Person {i},good{i}@example.com,+1 415 555 {1000 + i},Good Corp,Buyer,goodcorp.example,{i} Elm St,Portland,OR,9720{i % 10},US,Qualified,Plain note {i}\r\n");
        sb.Append("\r\n");
        sb.Append("Zed,Last,zed@example.com,,Zed Inc,,,,,,,,New,\"This note never ends\r\nand runs to the end of the file\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A CSV as Excel on Windows saves it (Windows-1252, semicolons, CRLF): a curly apostrophe, a euro sign, curly quotes.</summary>
    public static byte[] ExcelWindows1252Csv() =>
        CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(
            "E-mail Address;Name;Company;Notes\r\n" +
            "sean@example.ie;Seán O’Brien;O’Brien & Sons;Budget 5 000 € “approved”\r\n" +
            "zoe@example.fr;Zoë Dupré;Café Noël;–\r\n");

    /// <summary>Header and one row of the contact exports of Google Contacts, Outlook and Salesforce, and what the row must give.</summary>
    public static TheoryData<string, string, string, string, string, string, string, string> AddressBookExports() => new()
    {
        {
            "google",
            "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name,Organization 1 - Title,Address 1 - City,Address 1 - Postal Code,Address 1 - Country,Notes\r\n" +
            "Gina Park,Gina,Park,* Work,gina@example.com,Mobile,+1 415 555 0102,Parkworks,CTO,Oakland,94607,US,Loves wine\r\n",
            "gina@example.com", "+14155550102", "Parkworks", "CTO", "94607", "US"
        },
        {
            "outlook",
            "First Name,Last Name,Company,Job Title,Business Street,Business City,Business State,Business Postal Code,Business Country/Region,Business Phone,E-mail Address,Web Page,Notes\r\n" +
            "Olly,Berg,Berg AB,Owner,Storgatan 1,Malmö,Skåne,211 34,Sweden,+46 40 123 456,olly@berg.example,berg.example,\r\n",
            "olly@berg.example", "+4640123456", "Berg AB", "Owner", "211 34", "Sweden"
        },
        {
            "salesforce",
            "First Name,Last Name,Title,Account Name,Mailing Street,Mailing City,Mailing State/Province,Mailing Zip/Postal Code,Mailing Country,Phone,Email,Lead Source,Lead Status\r\n" +
            "Sam,Hale,VP Sales,Hale Inc,9 Pine Rd,Austin,TX,78701,USA,(512) 555-0199,sam@hale.example,Web,Working\r\n",
            "sam@hale.example", "+15125550199", "Hale Inc", "VP Sales", "78701", "USA"
        },
    };

    /// <summary>
    /// A workbook written by hand as Excel writes one: shared strings with <c>_xHHHH_</c> escapes (a space, a carriage
    /// return before a line feed, an escaped underscore), a blank row 2, and a bad e-mail on row 5.
    /// </summary>
    public static byte[] XlsxWithEscapes() => TestFiles.RawXlsx(
        """
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
        <row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>5</v></c><c r="C3" t="s"><v>6</v></c><c r="D3" t="inlineStr"><is><t>ACME_x005F_x0041_ Ltd</t></is></c></row>
        <row r="5"><c r="A5" t="inlineStr"><is><t>not-an-email</t></is></c><c r="B5" t="inlineStr"><is><t>Nobody</t></is></c></row>
        """,
        ["E-mail", "Full name", "Notes", "Company", "ann@example.com", "Ann_x0020_Lee", "Line one_x000D_\nLine two"]);

    /// <summary>A workbook whose sheet XML stops half-way (a file cut off while it was written).</summary>
    public static byte[] CutOffXlsx()
    {
        var rows = string.Concat(Enumerable.Range(2, 200).Select(r =>
            $"""<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@example.com</t></is></c></row>"""));
        var sheet = Encoding.UTF8.GetBytes(
            $"""<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>{rows}</sheetData></worksheet>""");
        return TestFiles.RawXlsx("", sheetBytes: sheet[..(sheet.Length / 2)]);
    }

    /// <summary>
    /// A workbook whose ZIP headers lie about the sheet's sizes (local header and central directory alike): its
    /// uncompressed size, or its compressed size, is declared smaller than it is.
    /// </summary>
    public static byte[] LyingXlsx(bool compressedSize)
    {
        var rows = string.Concat(Enumerable.Range(2, 300).Select(r =>
            $"""<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@example.com</t></is></c><c r="B{r}" t="inlineStr"><is><t>Person {r}</t></is></c></row>"""));
        var bytes = TestFiles.RawXlsx($"""<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>{rows}""");
        var name = Encoding.ASCII.GetBytes("xl/worksheets/sheet1.xml");
        var patched = 0;
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            int sizeAt, nameLengthAt, nameAt;
            if (signature == 0x04034b50) (sizeAt, nameLengthAt, nameAt) = (i + 18, i + 26, i + 30);
            else if (signature == 0x02014b50) (sizeAt, nameLengthAt, nameAt) = (i + 20, i + 28, i + 46);
            else continue;
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(nameLengthAt));
            if (nameAt + nameLength > bytes.Length || !bytes.AsSpan(nameAt, nameLength).SequenceEqual(name)) continue;
            var at = compressedSize ? sizeAt : sizeAt + 4;
            var declared = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), declared / 3);
            patched++;
        }
        if (patched != 2) throw new InvalidOperationException($"patched {patched} headers of the sheet, not 2");
        return bytes;
    }

    /// <summary>A file that starts like a ZIP and is not one.</summary>
    public static byte[] NotAZip() => [.. "PK\u0003\u0004"u8, .. Encoding.ASCII.GetBytes(new string('x', 2000))];
}
