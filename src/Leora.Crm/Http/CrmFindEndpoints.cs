using System.Globalization;
using System.Text.Json;
using Leora.Crm.Imports;
using Leora.Crm.Model;
using Leora.Crm.Storage;
using Leora.Crm.Text;
using Leora.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using static Leora.Crm.Http.CrmEndpoints;

namespace Leora.Crm.Http;

/// <summary>
/// Finding things (issue 21): list and search customers, edit one, and list imports, scans and reports with their jobs.
/// Lists page by keyset (<c>cursor</c>: the last id seen, from <c>nextCursor</c>), at most <see cref="MaxLimit"/> rows a
/// page. Bad input answers 400 problem+json naming the parameter or field; an unknown id 404.
/// </summary>
internal static class CrmFindEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    private const int MaxSearchLength = 200;

    /// <summary><c>GET /customers?q=&amp;email=&amp;name=&amp;company=&amp;limit=&amp;cursor=</c>: in id order.</summary>
    public static async Task<IResult> ListCustomersAsync(HttpContext http, CrmStore store, CancellationToken ct)
    {
        var query = http.Request.Query;
        var (limit, cursor, problem) = Paging(query);
        if (problem is not null) return problem;
        string? Filter(string name) => query[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
        var (q, name, company, emailText) = (Filter("q"), Filter("name"), Filter("company"), Filter("email"));
        foreach (var (parameter, value) in new[] { ("q", q), ("name", name), ("company", company), ("email", emailText) })
            if (value is { Length: > MaxSearchLength })
                return Problem(StatusCodes.Status400BadRequest, "Invalid search", $"{parameter} must be at most {MaxSearchLength} characters.");
        string? email = null;
        if (emailText is not null && (email = Normalize.Email(emailText)) is null)
            return Problem(StatusCodes.Status400BadRequest, "Invalid email", $"email must be an e-mail address (searched exactly, ignoring case); use q to search part of one.");
        var customers = await store.CustomerListAsync(email, name, company, q, cursor, limit + 1, ct);
        return TypedResults.Ok(PageOf(customers, limit, c => c.Id, c => CustomerView(c, null)));
    }

    /// <summary><c>PATCH /customers/{id}</c>: edits fields as a person does; see <see cref="CustomerPatch"/>.</summary>
    public static async Task<IResult> UpdateCustomerAsync(long id, HttpContext http, CrmStore store, IOptions<CrmOptions> options, CancellationToken ct)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(http.Request.Body, default, ct);
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "Send a JSON object of the fields to change, for example {\"phone\": \"+1 415 555 0100\"}.");
        }
        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object)
                return Problem(StatusCodes.Status400BadRequest, "Invalid request", "Send a JSON object of the fields to change, for example {\"phone\": \"+1 415 555 0100\"}.");
            var values = new Dictionary<CustomerField, string?>();
            string? newEmail = null;
            foreach (var property in body.RootElement.EnumerateObject())
            {
                var isEmail = property.Name == "email";
                var field = Customer.Fields.FirstOrDefault(f => f.Json == property.Name);
                if (!isEmail && field.Json is null)
                    return Problem(StatusCodes.Status400BadRequest, "Unknown field",
                        $"'{Clip(property.Name)}' is not a customer field; the fields are email, {string.Join(", ", Customer.Fields.Select(f => f.Json))}.");
                if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    return Problem(StatusCodes.Status400BadRequest, "Invalid field", $"{property.Name} must be a string, or null to clear it.");
                var raw = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                if (raw is { Length: > RowValidator.MaxFieldLength })
                    return Problem(StatusCodes.Status400BadRequest, "Invalid field", $"{property.Name} is longer than {RowValidator.MaxFieldLength} characters.");
                if (raw is not null && raw.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
                    return Problem(StatusCodes.Status400BadRequest, "Invalid field", $"{property.Name} holds control characters.");
                if (isEmail)
                {
                    if ((newEmail = Normalize.Email(raw)) is null)
                        return Problem(StatusCodes.Status400BadRequest, "Invalid field", "email must be a valid e-mail address; it cannot be cleared.");
                    continue;
                }
                var (value, problem) = Clean(field.Field, field.Json, raw, options.Value.DefaultPhoneCountryCode);
                if (problem is not null) return Problem(StatusCodes.Status400BadRequest, "Invalid field", problem);
                values[field.Field] = value;
            }
            if (values.Count == 0 && newEmail is null)
                return Problem(StatusCodes.Status400BadRequest, "Nothing to change", "Send at least one customer field.");
            var result = await store.CustomerUpdateAsync(id, values, newEmail, ct);
            if (result == CustomerUpdateResult.NotFound) return NotFound("customer", id);
            if (result == CustomerUpdateResult.EmailTaken)
                return Problem(StatusCodes.Status409Conflict, "E-mail in use", $"Another customer has the e-mail {newEmail}.");
        }
        var customer = (await store.CustomerGetAsync(id, ct))!;
        return TypedResults.Ok(CustomerView(customer, await store.EnrichmentListAsync(id, ct)));
    }

    /// <summary>A field's value as it is stored (normalised as an import would), or why it is refused.</summary>
    private static (string? Value, string? Problem) Clean(CustomerField field, string json, string? raw, string? defaultCountryCode)
    {
        if (string.IsNullOrWhiteSpace(raw)) return (null, null);
        return field switch
        {
            CustomerField.Phone => Normalize.Phone(raw, defaultCountryCode) is { } phone ? (phone, null) : (null, $"{json} \"{Clip(raw)}\" is not a phone number."),
            CustomerField.Website => Normalize.Website(raw) is { } site ? (site, null) : (null, $"{json} \"{Clip(raw)}\" is not a web address."),
            CustomerField.Description => (Normalize.MultilineText(raw, RowValidator.MaxFieldLength), null),
            CustomerField.Status => (Normalize.Text(raw, RowValidator.MaxFieldLength)?.ToLowerInvariant(), null),
            _ => (Normalize.Text(raw, RowValidator.MaxFieldLength), null),
        };
    }

    /// <summary><c>GET /imports?limit=&amp;cursor=</c>: newest first.</summary>
    public static async Task<IResult> ListImportsAsync(HttpContext http, CrmStore store, IJobClient jobs, CancellationToken ct)
    {
        var (limit, cursor, problem) = Paging(http.Request.Query);
        if (problem is not null) return problem;
        var imports = await store.ImportListAsync(cursor, limit + 1, ct);
        var views = new List<ImportView>(imports.Count);
        foreach (var i in imports.Take(limit))
        {
            var job = i.JobId is { } jobId ? await jobs.GetAsync(jobId, ct) : null;
            var (status, error) = Truth(i.Status, i.Error, job);
            views.Add(new ImportView(i.Id, i.FileName, i.Format, status, i.RowsDone, i.Inserted, i.Updated, i.Rejected, i.Encoding, error,
                i.JobId, job?.Status.ToName(), i.CreatedAt, i.CompletedAt, i.BatchId, i.ReportId));
        }
        return TypedResults.Ok(new Page<ImportView>(views, imports.Count > limit ? imports[limit - 1].Id : null));
    }

    /// <summary><c>GET /scans?limit=&amp;cursor=</c>: newest first, each with its retry state.</summary>
    public static async Task<IResult> ListScansAsync(HttpContext http, CrmStore store, IJobClient jobs, CancellationToken ct)
    {
        var (limit, cursor, problem) = Paging(http.Request.Query);
        if (problem is not null) return problem;
        var scans = await store.ScanListAsync(cursor, limit + 1, ct);
        var views = new List<ScanView>(scans.Count);
        foreach (var s in scans.Take(limit)) views.Add(ScanView(s, s.JobId is { } jobId ? await jobs.GetAsync(jobId, ct) : null));
        return TypedResults.Ok(new Page<ScanView>(views, scans.Count > limit ? scans[limit - 1].Id : null));
    }

    /// <summary><c>GET /reports?limit=&amp;cursor=</c>: newest first.</summary>
    public static async Task<IResult> ListReportsAsync(HttpContext http, CrmStore store, IJobClient jobs, CancellationToken ct)
    {
        var (limit, cursor, problem) = Paging(http.Request.Query);
        if (problem is not null) return problem;
        var reports = await store.ReportListAsync(cursor, limit + 1, ct);
        var views = new List<ReportView>(reports.Count);
        foreach (var r in reports.Take(limit))
        {
            var job = r.JobId is { } jobId ? await jobs.GetAsync(jobId, ct) : null;
            var (status, error) = Truth(r.Status, r.Error, job);
            views.Add(new ReportView(r.Id, r.ReportType, r.Format, status, r.RowCount, error, r.JobId, job?.Status.ToName(), r.CreatedAt, r.CompletedAt, r.ImportId));
        }
        return TypedResults.Ok(new Page<ReportView>(views, reports.Count > limit ? reports[limit - 1].Id : null));
    }

    internal static CustomerView CustomerView(Customer c, IReadOnlyList<EnrichmentRecord>? enrichments) => new(
        c.Id, c.Email, c.Name, c.Phone, c.Company, c.Title, c.Website, c.Industry, c.CompanySize, c.Description, c.Address, c.City,
        c.Region, c.PostalCode, c.Country, c.Status, c.Source,
        [.. Customer.Fields.Where(f => c.ManualFields.HasFlag(f.Field)).Select(f => f.Json)],
        [.. Customer.Fields.Where(f => c.EditedFields.HasFlag(f.Field)).Select(f => f.Json)],
        c.EnrichedAt, c.CreatedAt, c.UpdatedAt,
        enrichments?.Select(e => new EnrichmentView(e.Field, e.OldValue, e.NewValue, e.Source, e.JobId, e.EnrichedAt)).ToList());

    /// <summary><c>limit</c> (1–<see cref="MaxLimit"/>, default <see cref="DefaultLimit"/>) and <c>cursor</c> (an id), or a 400 naming the one that is wrong.</summary>
    private static (int Limit, long? Cursor, IResult? Problem) Paging(IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            return (0, null, Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be a whole number from 1 to {MaxLimit}."));
        long? cursor = null;
        if (query.TryGetValue("cursor", out var c))
        {
            if (!long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
                return (0, null, Problem(StatusCodes.Status400BadRequest, "Invalid cursor", "cursor must be the nextCursor of the previous page (a positive whole number)."));
            cursor = id;
        }
        return (limit, cursor, null);
    }

    /// <summary>The first <paramref name="limit"/> rows of <paramref name="rows"/> (read one past the limit to know whether there is more).</summary>
    private static Page<TView> PageOf<TRow, TView>(IReadOnlyList<TRow> rows, int limit, Func<TRow, long> id, Func<TRow, TView> view) =>
        new([.. rows.Take(limit).Select(view)], rows.Count > limit ? id(rows[limit - 1]) : null);

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
