using System.Text.Json;
using System.Text.Json.Nodes;
using Leora.Crm.Model;
using Leora.Crm.Text;
using Leora.Jobs;

namespace Leora.Crm.Extraction;

/// <summary>Validates and normalises Claude's answer for a scan into the JSON stored on the scan (camelCase, with any <c>warnings</c>).</summary>
internal static class ExtractedData
{
    /// <summary>The normalised data; throws <see cref="PermanentJobException"/> when the image was not legible or the answer lacks the schema's shape.</summary>
    public static JsonObject From(string scanType, JsonElement answer, string? defaultCountryCode)
    {
        if (answer.TryGetProperty("legible", out var legible) && legible.ValueKind == JsonValueKind.False)
        {
            var problem = Str(answer, "problem");
            throw new PermanentJobException($"The image could not be read as a {Label(scanType)}{(problem is null ? "." : $": {problem}")}");
        }
        var warnings = new JsonArray();
        var data = new JsonObject();
        switch (scanType)
        {
            case ScanTypes.BusinessCard:
                data["name"] = Normalize.Text(Str(answer, "name"));
                data["title"] = Normalize.Text(Str(answer, "title"));
                data["company"] = Normalize.Text(Str(answer, "company"));
                data["emails"] = List(answer, "emails", Normalize.Email, "e-mail", warnings);
                data["phones"] = List(answer, "phones", p => Normalize.Phone(p, defaultCountryCode), "phone number", warnings);
                var site = Str(answer, "website");
                data["website"] = Normalize.Website(site);
                if (site is not null && data["website"] is null) warnings.Add($"dropped web site \"{site}\": not a web address");
                data["address"] = Normalize.Text(Str(answer, "address"));
                break;
            case ScanTypes.LiquorLicense:
                data["licenseNumber"] = Normalize.Text(Str(answer, "licenseNumber"));
                data["licenseType"] = Normalize.Text(Str(answer, "licenseType"));
                data["licensee"] = Normalize.Text(Str(answer, "licensee"));
                data["tradeName"] = Normalize.Text(Str(answer, "tradeName"));
                data["premisesAddress"] = Normalize.Text(Str(answer, "premisesAddress"));
                data["issuingAuthority"] = Normalize.Text(Str(answer, "issuingAuthority"));
                data["issueDate"] = Date(answer, "issueDate", warnings);
                data["expiryDate"] = Date(answer, "expiryDate", warnings);
                break;
            default:
                throw new PermanentJobException($"Unknown scan type '{scanType}'.");
        }
        if (data.All(p => p.Value is null || p.Value is JsonArray { Count: 0 }))
            throw new PermanentJobException($"Nothing could be read from the image as a {Label(scanType)}.");
        data["warnings"] = warnings;
        return data;
    }

    private static string Label(string scanType) => scanType == ScanTypes.BusinessCard ? "business card" : "liquor licence";

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString()!.Trim() : null;

    private static JsonArray List(JsonElement e, string name, Func<string, string?> normalise, string what, JsonArray warnings)
    {
        var list = new JsonArray();
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) return list;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString())) continue;
            var raw = item.GetString()!.Trim();
            if (normalise(raw) is { } ok) { if (seen.Add(ok)) list.Add(ok); }
            else warnings.Add($"dropped {what} \"{raw}\": not valid");
        }
        return list;
    }

    private static string? Date(JsonElement e, string name, JsonArray warnings)
    {
        var raw = Str(e, name);
        if (raw is null) return null;
        var iso = Normalize.IsoDate(raw);
        if (iso is null) warnings.Add($"{name} \"{raw}\" is not an unambiguous date; left empty");
        return iso;
    }
}
