using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using XText = DocumentFormat.OpenXml.Spreadsheet.Text;

namespace Leora.Crm.Tests;

/// <summary>Import files made by the tests: CSV text, XLSX workbooks written with the Open XML SDK, and a zip bomb.</summary>
public static class TestFiles
{
    /// <summary>A customer CSV of <paramref name="rows"/> rows with aliased, oddly spaced headers; every 500th row has a bad e-mail.</summary>
    public static string CustomersCsv(int rows, int firstId = 1)
    {
        var sb = new StringBuilder(" E-Mail Address ,Full name,Company Name,Mobile,STATE,Lead Source,Favourite colour\r\n");
        for (var i = firstId; i < firstId + rows; i++)
        {
            var email = i % 500 == 0 ? $"user{i}-at-corp{i % 50}.com" : $"User{i}@Corp{i % 50}.com";
            sb.Append(email).Append(",\"Person ").Append(i).Append(", Jr\",Corp ").Append(i % 50).Append(",+1 415 555 ")
              .Append((i % 10000).ToString("0000", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
              .Append(i % 2 == 0 ? "CA" : "NY").Append(",web,blue\r\n");
        }
        return sb.ToString();
    }

    /// <summary>An XLSX of customers: header and e-mails as shared strings, names inline, phones as numbers.</summary>
    public static byte[] CustomersXlsx(int rows)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var sst = wb.AddNewPart<SharedStringTablePart>();
            sst.SharedStringTable = new SharedStringTable();
            var ws = wb.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            int Shared(string s)
            {
                sst.SharedStringTable.AppendChild(new SharedStringItem(new XText(s)));
                return sst.SharedStringTable.ChildElements.Count - 1;
            }
            Cell S(string col, uint row, string s) => new() { CellReference = $"{col}{row}", DataType = CellValues.SharedString, CellValue = new CellValue(Shared(s)) };
            Cell I(string col, uint row, string s) => new() { CellReference = $"{col}{row}", DataType = CellValues.InlineString, InlineString = new InlineString(new XText(s)) };
            Cell N(string col, uint row, long n) => new() { CellReference = $"{col}{row}", CellValue = new CellValue(n.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
            data.AppendChild(new Row(S("A", 1, "Email"), S("B", 1, "Name"), S("D", 1, "Phone number"), S("E", 1, "Country")) { RowIndex = 1 });
            for (uint r = 2; r < rows + 2; r++)
                data.AppendChild(new Row(S("A", r, $"sheet{r}@example.org"), I("B", r, $"Sheet Person {r}"), N("D", r, 4155550000 + r), I("E", r, "US")) { RowIndex = r });
            ws.Worksheet = new Worksheet(data);
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = 1, Name = "Customers" }));
        }
        return ms.ToArray();
    }

    /// <summary>
    /// A minimal XLSX written by hand, for shapes the Open XML SDK would not make: <paramref name="sheetData"/> is the
    /// sheet's rows, <paramref name="sharedStrings"/> the texts of its shared-strings table (none when null).
    /// <paramref name="sheetBytes"/> replaces the whole sheet part when given.
    /// </summary>
    public static byte[] RawXlsx(string sheetData, IEnumerable<string>? sharedStrings = null, byte[]? sheetBytes = null)
    {
        const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var w = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open()))
                w.Write($"""<workbook xmlns="{Main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>""");
            if (sharedStrings is not null)
            {
                using var w = new StreamWriter(zip.CreateEntry("xl/sharedStrings.xml").Open());
                w.Write($"""<sst xmlns="{Main}">""");
                foreach (var text in sharedStrings) w.Write($"<si><t>{System.Security.SecurityElement.Escape(text)}</t></si>");
                w.Write("</sst>");
            }
            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml").Open();
            sheet.Write(sheetBytes ?? Encoding.UTF8.GetBytes($"""<worksheet xmlns="{Main}"><sheetData>{sheetData}</sheetData></worksheet>"""));
        }
        return ms.ToArray();
    }

    /// <summary>A ZIP posing as XLSX whose sheet expands to <paramref name="megabytes"/> MB of one repeated byte.</summary>
    public static byte[] ZipBomb(int megabytes)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var w = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open()))
                w.Write("""<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="a" sheetId="1"/></sheets></workbook>""");
            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var block = new byte[1024 * 1024];
            Array.Fill(block, (byte)' ');
            for (var i = 0; i < megabytes; i++) sheet.Write(block);
        }
        return ms.ToArray();
    }
}
