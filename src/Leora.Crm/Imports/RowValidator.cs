using Leora.Crm.Model;
using Leora.Crm.Text;

namespace Leora.Crm.Imports;

/// <summary>Turns one import row into a customer, or the reasons it is rejected.</summary>
internal static class RowValidator
{
    public const int MaxFieldLength = 500;

    public static (Customer? Customer, string? Reason) Validate(HeaderMap map, string[] row, string? defaultCountryCode)
    {
        var reasons = new List<string>();
        if (row.Length > map.Width && row.Skip(map.Width).Any(f => !string.IsNullOrWhiteSpace(f)))
            reasons.Add($"the row has {row.Length} fields, the header has {map.Width}");
        if (row.Any(f => f.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')) || f.Contains('\uFFFD')))
            reasons.Add("the row holds control or undecodable characters (a binary file, or a text encoding other than UTF-8, UTF-16 or Windows-1252?)");
        foreach (var f in row)
        {
            if (f.Length > MaxFieldLength)
            {
                reasons.Add($"a field is longer than {MaxFieldLength} characters");
                break;
            }
        }
        var rawEmail = map.Email(row);
        var email = Normalize.Email(rawEmail);
        if (rawEmail is null) reasons.Add("the e-mail is missing");
        else if (email is null) reasons.Add($"the e-mail \"{Clip(rawEmail)}\" is not valid");

        var rawPhone = map.Get(row, CustomerField.Phone);
        var phone = Normalize.Phone(rawPhone, defaultCountryCode);
        if (rawPhone is not null && phone is null) reasons.Add($"the phone \"{Clip(rawPhone)}\" is not a phone number");

        var rawSite = map.Get(row, CustomerField.Website);
        var site = Normalize.Website(rawSite);
        if (rawSite is not null && site is null) reasons.Add($"the web site \"{Clip(rawSite)}\" is not a web address");

        if (reasons.Count > 0) return (null, string.Join("; ", reasons));
        string? T(CustomerField f) => Normalize.Text(map.Get(row, f), MaxFieldLength);
        return (new Customer
        {
            Email = email!,
            Name = T(CustomerField.Name),
            Phone = phone,
            Company = T(CustomerField.Company),
            Title = T(CustomerField.Title),
            Website = site,
            Industry = T(CustomerField.Industry),
            CompanySize = T(CustomerField.CompanySize),
            // Notes keep their line breaks (a quoted CSV field or an XLSX cell may hold several lines).
            Description = Normalize.MultilineText(map.Get(row, CustomerField.Description), MaxFieldLength),
            Address = T(CustomerField.Address),
            City = T(CustomerField.City),
            Region = T(CustomerField.Region),
            Country = T(CustomerField.Country),
            Status = T(CustomerField.Status)?.ToLowerInvariant(),
            Source = T(CustomerField.Source),
            PostalCode = T(CustomerField.PostalCode),
        }, null);
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
