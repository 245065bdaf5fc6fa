using Leora.Crm.Extraction;
using Leora.Crm.Imports;
using Leora.Crm.Text;

namespace Leora.Crm.Tests;

/// <summary>The deterministic parts: normalisation, the cell guard, content sniffing, header aliases.</summary>
public sealed class NormalizeTests
{
    [Theory]
    [InlineData(" Jane.Doe@Example.COM ", "jane.doe@example.com")]
    [InlineData("mailto:a@b.co", "a@b.co")]
    [InlineData("<x@y.org>", "x@y.org")]
    [InlineData("not-an-email", null)]
    [InlineData("a@b", null)]
    [InlineData("a..b@c.com", null)]
    [InlineData("a b@c.com", null)]
    public void Email(string input, string? expected) => Assert.Equal(expected, Normalize.Email(input));

    [Theory]
    [InlineData("+1 (415) 555-0100", null, "+14155550100")]
    [InlineData("0044 20 7946 0958", null, "+442079460958")]
    [InlineData("020 7946 0958", "44", "+442079460958")]
    [InlineData("(415) 555-0100 ext. 12", "1", "+14155550100")]
    [InlineData("1-415-555-0100", "1", "+14155550100")]
    [InlineData("415 555 0100", null, "4155550100")]
    [InlineData("12", "1", null)]
    [InlineData("call me", null, null)]
    [InlineData("+1234567890123456", null, null)]
    public void Phone(string input, string? country, string? expected) => Assert.Equal(expected, Normalize.Phone(input, country));

    [Theory]
    [InlineData("2024-03-03", "2024-03-03")]
    [InlineData("March 3rd, 2024", "2024-03-03")]
    [InlineData("3 Mar 2024", "2024-03-03")]
    [InlineData("25/12/2025", "2025-12-25")]
    [InlineData("12/25/2025", "2025-12-25")]
    [InlineData("04/05/2026", null)]
    [InlineData("31/02/2025", null)]
    [InlineData("soon", null)]
    public void IsoDate(string input, string? expected) => Assert.Equal(expected, Normalize.IsoDate(input));

    [Theory]
    [InlineData("Example.com/", "https://example.com")]
    [InlineData("http://Shop.Example.com/wines/", "http://shop.example.com/wines")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("localhost", null)]
    public void Website(string input, string? expected) => Assert.Equal(expected, Normalize.Website(input));

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+44 20", "'+44 20")]
    [InlineData("-3", "'-3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=cmd", "'\t=cmd")]
    [InlineData("plain", "plain")]
    [InlineData("a=b", "a=b")]
    public void Cell_guard(string input, string expected) => Assert.Equal(expected, CellGuard.Text(input));

    [Fact]
    public void Images_are_recognised_by_content()
    {
        Assert.Equal("image/png", ImageFormat.Sniff(SampleImages.Png()));
        Assert.Equal("image/jpeg", ImageFormat.Sniff(SampleImages.Jpeg()));
        Assert.Equal("image/gif", ImageFormat.Sniff("GIF89a\x01\x00\x01\x00"u8));
        Assert.Equal("image/webp", ImageFormat.Sniff("RIFF\x10\x00\x00\x00WEBPVP8 "u8));
        Assert.Null(ImageFormat.Sniff("%PDF-1.7\n%"u8));
        Assert.Null(ImageFormat.Sniff("<svg xmlns"u8));
    }

    [Fact]
    public void Headers_map_regardless_of_case_spacing_and_aliases()
    {
        var (map, problem) = HeaderMap.Create([" E-Mail Address ", "FIRST NAME", "last_name", "Organisation", "Zodiac"]);
        Assert.Null(problem);
        var row = new[] { "a@b.co", "Ada", "Lovelace", "Analytical Engines" , "Sagittarius" };
        Assert.Equal("a@b.co", map!.Email(row));
        Assert.Equal("Ada Lovelace", map.Get(row, Model.CustomerField.Name));
        Assert.Equal("Analytical Engines", map.Get(row, Model.CustomerField.Company));
        Assert.Equal(["Zodiac"], map.Ignored);
        Assert.NotNull(HeaderMap.Create(["name", "phone"]).Problem);
    }
}
