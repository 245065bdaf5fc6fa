using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Leora.Crm.Text;

/// <summary>Deterministic clean-up of contact data, needing no model: e-mail syntax, phone numbers (E.164 where possible), ISO dates, web sites.</summary>
internal static partial class Normalize
{
    /// <summary>A lower-cased e-mail address, or null when it is not one.</summary>
    public static string? Email(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var s = value.Trim().Trim('<', '>', '"', '\'').Trim();
        if (s.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) s = s[7..];
        s = s.ToLowerInvariant();
        return s.Length <= 254 && EmailPattern().IsMatch(s) && !s.Contains("..", StringComparison.Ordinal) ? s : null;
    }

    /// <summary>
    /// A phone number as <c>+&lt;country&gt;&lt;number&gt;</c> when its country is written (<c>+</c> or <c>00</c>) or
    /// <paramref name="defaultCountryCode"/> is given; otherwise its digits. Null when it has fewer than 6 or more than 15 digits.
    /// An extension (<c>x123</c>, <c>ext. 123</c>) is dropped.
    /// </summary>
    public static string? Phone(string? value, string? defaultCountryCode = null)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var s = ExtensionPattern().Replace(value.Trim(), "");
        if (s.Any(char.IsLetter)) return null;
        var international = s.StartsWith('+');
        var digits = new StringBuilder();
        foreach (var c in s) if (c is >= '0' and <= '9') digits.Append(c);
        var d = digits.ToString();
        if (!international && d.StartsWith("00", StringComparison.Ordinal)) { international = true; d = d[2..]; }
        if (!international && defaultCountryCode is { Length: > 0 } cc)
        {
            if (d.StartsWith('0')) d = d.TrimStart('0');
            else if (cc == "1" && d.Length == 11 && d[0] == '1') d = d[1..];
            d = cc + d;
            international = true;
        }
        if (d.Length is < 6 or > 15) return null;
        return international ? "+" + d : d;
    }

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy/MM/dd", "yyyy.MM.dd", "yyyyMMdd", "d MMMM yyyy", "d MMM yyyy", "MMMM d, yyyy", "MMM d, yyyy", "MMMM d yyyy",
        "MMM d yyyy", "d-MMM-yyyy", "dd-MMM-yyyy", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ssK",
    ];

    /// <summary>
    /// An ISO date (<c>yyyy-MM-dd</c>), or null when it cannot be read without guessing. <c>a/b/yyyy</c> is read only when
    /// one side is above 12 (else day and month are ambiguous).
    /// </summary>
    public static string? IsoDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var s = value.Trim();
        s = OrdinalPattern().Replace(s, "$1");
        if (DateTime.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out var d))
            return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var m = NumericDatePattern().Match(s);
        if (!m.Success) return null;
        int a = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), b = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        int y = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        if (y < 100) y += 2000;
        int day, month;
        if (a > 12 && b <= 12) (day, month) = (a, b);
        else if (b > 12 && a <= 12) (day, month) = (b, a);
        else if (a == b) (day, month) = (a, b);
        else return null;
        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(y, month)
            ? new DateTime(y, month, day, 0, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>A web site as <c>https://host/path</c> with a lower-case host, or null when it is not one.</summary>
    public static string? Website(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var s = value.Trim();
        if (!s.Contains("://", StringComparison.Ordinal)) s = "https://" + s;
        if (!Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !uri.Host.Contains('.', StringComparison.Ordinal))
            return null;
        var path = uri.AbsolutePath == "/" ? "" : uri.AbsolutePath.TrimEnd('/');
        return $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}{path}";
    }

    /// <summary>Text with runs of white space (new lines included) made one space, trimmed; null when empty.</summary>
    public static string? Text(string? value, int maxLength = 500)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var s = WhiteSpacePattern().Replace(value, " ").Trim();
        return s.Length <= maxLength ? s : s[..maxLength];
    }

    /// <summary>
    /// Text of several lines (notes): line breaks kept as \n (\r\n and \r made \n), runs of other white space made one
    /// space, each line trimmed, at most one empty line in a row; null when empty.
    /// </summary>
    public static string? MultilineText(string? value, int maxLength = 500)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var lines = value.ReplaceLineEndings("\n").Split('\n').Select(l => InlineWhiteSpacePattern().Replace(l, " ").Trim());
        var s = BlankLinesPattern().Replace(string.Join('\n', lines), "\n\n").Trim();
        return s.Length <= maxLength ? s : s[..maxLength];
    }

    private static readonly HashSet<string> FreeMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "me.com", "aol.com",
        "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com", "yandex.com", "msn.com",
    };

    /// <summary>The company web site suggested by an e-mail's domain, or null for a free-mail domain.</summary>
    public static string? WebsiteFromEmail(string email)
    {
        var at = email.LastIndexOf('@');
        if (at < 0) return null;
        var domain = email[(at + 1)..];
        return FreeMailDomains.Contains(domain) ? null : Website(domain);
    }

    [GeneratedRegex(@"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\s*(?:x|ext\.?|extension)\s*\d+\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionPattern();

    [GeneratedRegex(@"(\d+)(?:st|nd|rd|th)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalPattern();

    [GeneratedRegex(@"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericDatePattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhiteSpacePattern();

    [GeneratedRegex(@"[^\S\n]+", RegexOptions.CultureInvariant)]
    private static partial Regex InlineWhiteSpacePattern();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLinesPattern();
}
