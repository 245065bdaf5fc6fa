using System.Text;
using Leora.Crm.Model;

namespace Leora.Crm.Imports;

/// <summary>
/// Maps an import file's header to customer fields, ignoring case, spacing and punctuation, and knowing common aliases
/// ("E-mail Address", "Company Name", "Mobile", "Zip", "State/Region"…). "First name" and "last name" columns make the name together.
/// </summary>
internal sealed class HeaderMap
{
    private const string EmailKey = "email";
    private const string FirstNameKey = "first_name";
    private const string LastNameKey = "last_name";

    // Keys as Key() makes them. Besides the plain names, the headers of the common CRM and address-book exports:
    // HubSpot ("Website URL", "State/Region", "Postal Code", "Lead Status"), Salesforce ("Mailing Zip/Postal Code",
    // "Account Name"), Google Contacts ("E-mail 1 - Value", "Phone 1 - Value", "Organization 1 - Name") and Outlook
    // ("E-mail Address", "Business Phone", "Country/Region"). The first column that maps to a field wins.
    private static readonly Dictionary<string, string> Aliases = Build(new()
    {
        [EmailKey] = ["email", "emailaddress", "mail", "e-mail", "emailid", "contactemail", "workemail", "email1value", "email1",
            "primaryemail", "businessemail", "emailaddress1", "email1address"],
        [FirstNameKey] = ["firstname", "givenname", "forename", "first"],
        [LastNameKey] = ["lastname", "surname", "familyname", "last"],
        ["name"] = ["name", "fullname", "contactname", "customername", "contact", "person", "displayname"],
        ["phone"] = ["phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell", "cellphone", "workphone", "phoneno",
            "businessphone", "phone1value", "primaryphone", "mobilephonenumber", "directphone", "officephone", "companyphone"],
        ["company"] = ["company", "companyname", "organisation", "organization", "org", "account", "accountname", "business", "employer",
            "organization1name", "organisationname", "organizationname"],
        ["title"] = ["title", "jobtitle", "position", "role", "designation", "organization1title"],
        ["website"] = ["website", "web", "url", "site", "homepage", "webaddress", "companywebsite", "websiteurl", "website1value",
            "webpage", "companydomainname"],
        ["industry"] = ["industry", "sector", "vertical"],
        ["company_size"] = ["companysize", "size", "employees", "headcount", "numberofemployees"],
        ["description"] = ["description", "notes", "note", "comments", "about"],
        ["address"] = ["address", "street", "streetaddress", "address1", "addressline1", "postaladdress", "businessstreet",
            "mailingstreet", "address1street", "billingstreet"],
        ["city"] = ["city", "town", "locality", "businesscity", "mailingcity", "address1city", "billingcity"],
        ["region"] = ["region", "state", "province", "county", "territory", "stateprovince", "stateregion", "businessstate",
            "mailingstateprovince", "mailingstate", "address1region", "billingstateprovince"],
        ["postal_code"] = ["postalcode", "postcode", "zip", "zipcode", "zippostalcode", "mailingzippostalcode", "businesspostalcode",
            "address1postalcode", "billingzippostalcode", "postal"],
        ["country"] = ["country", "countrycode", "nation", "countryregion", "businesscountryregion", "mailingcountry", "address1country",
            "billingcountry"],
        ["status"] = ["status", "leadstatus", "stage", "lifecyclestage"],
        ["source"] = ["source", "leadsource", "channel", "origin", "originalsource"],
    });

    private readonly Dictionary<string, int> _columns;

    private HeaderMap(Dictionary<string, int> columns, IReadOnlyList<string> ignored, int width)
    {
        _columns = columns;
        Ignored = ignored;
        Width = width;
    }

    /// <summary>Header cells that map to no field.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>The number of header cells.</summary>
    public int Width { get; }

    /// <summary>Maps a header, or returns why it cannot be used (no e-mail column).</summary>
    public static (HeaderMap? Map, string? Problem) Create(string[] header)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var ignored = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            var key = Key(header[i]);
            if (key.Length == 0) continue;
            if (Aliases.TryGetValue(key, out var field) && columns.TryAdd(field, i)) continue;
            ignored.Add(header[i].Trim());
        }
        if (!columns.ContainsKey(EmailKey))
        {
            var found = string.Join(", ", header.Where(h => !string.IsNullOrWhiteSpace(h)).Take(20).Select(h => $"\"{h.Trim()}\""));
            return (null, $"The file has no e-mail column (the header row has: {(found.Length == 0 ? "nothing" : found)}).");
        }
        return (new HeaderMap(columns, ignored, header.Length), null);
    }

    public string? Email(string[] row) => Cell(row, EmailKey);

    /// <summary>The value of a field in <paramref name="row"/> (raw, trimmed), or null.</summary>
    public string? Get(string[] row, CustomerField field)
    {
        if (field == CustomerField.Name)
        {
            var name = Cell(row, "name");
            if (name is not null) return name;
            var first = Cell(row, FirstNameKey);
            var last = Cell(row, LastNameKey);
            return first is null && last is null ? null : $"{first} {last}".Trim();
        }
        return Cell(row, Customer.Fields.Single(f => f.Field == field).Column);
    }

    private string? Cell(string[] row, string key) =>
        _columns.TryGetValue(key, out var i) && i < row.Length && !string.IsNullOrWhiteSpace(row[i]) ? row[i].Trim() : null;

    /// <summary>A header cell reduced to lower-case letters and digits ("E-Mail Address " → "emailaddress").</summary>
    private static string Key(string header)
    {
        var sb = new StringBuilder(header.Length);
        foreach (var c in header.Normalize(NormalizationForm.FormKC))
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }

    private static Dictionary<string, string> Build(Dictionary<string, string[]> byField)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, aliases) in byField)
            foreach (var alias in aliases) map[Key(alias)] = field;
        return map;
    }
}
