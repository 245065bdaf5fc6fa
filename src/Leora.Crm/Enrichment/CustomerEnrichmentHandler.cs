using System.Text.Json;
using Anthropic.Models.Messages;
using Leora.Crm.Claude;
using Leora.Crm.Model;
using Leora.Crm.Storage;
using Leora.Crm.Text;
using Leora.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Enrichment;

/// <summary>
/// Runs <c>customer_enrichment</c>: fills in what a customer is missing, first by deterministic normalisation (phone to
/// E.164, web site, the company site from a non-free-mail e-mail domain), then from Claude with a JSON schema (industry,
/// size, web site, description, normalised address and phone) when an API key is configured. A field a person entered
/// (<c>manual_fields</c>) is never overwritten, and only empty fields are filled from Claude. Every change is recorded in
/// <c>crm_enrichments</c>: field, old and new value, source and time.
/// </summary>
internal sealed class CustomerEnrichmentHandler(
    CrmStore store, ClaudeClient claude, IOptions<CrmOptions> options, ILogger<CustomerEnrichmentHandler> logger)
    : IJobHandler<CustomerEnrichmentArgs>
{
    private const string Schema = """
        {"type":"object","additionalProperties":false,
         "required":["industry","companySize","website","description","address","phone"],
         "properties":{
           "industry":{"type":["string","null"]},
           "companySize":{"type":["string","null"],"enum":["1-10","11-50","51-200","201-1000","1001-5000","5001+",null]},
           "website":{"type":["string","null"]},"description":{"type":["string","null"]},
           "address":{"type":["string","null"]},"phone":{"type":["string","null"]}}}
        """;

    private static readonly CustomerField[] FromModel =
        [CustomerField.Industry, CustomerField.CompanySize, CustomerField.Website, CustomerField.Description, CustomerField.Address, CustomerField.Phone];

    public async Task HandleAsync(JobContext<CustomerEnrichmentArgs> job, CancellationToken cancellationToken)
    {
        var customer = await store.CustomerGetAsync(job.Args.CustomerId, cancellationToken)
            ?? throw new PermanentJobException($"Customer {job.Args.CustomerId} does not exist.");
        var changes = new List<(CustomerField Field, string? Old, string New, string Source)>();
        var values = Customer.Fields.ToDictionary(f => f.Field, f => customer.Get(f.Field));

        void Set(CustomerField field, string? value, string source)
        {
            if (string.IsNullOrWhiteSpace(value) || customer.ManualFields.HasFlag(field) || values[field] == value) return;
            changes.RemoveAll(c => c.Field == field);
            changes.Add((field, customer.Get(field), value, source));
            values[field] = value;
        }

        // Deterministic part: normalise what was not entered by a person, derive what is missing.
        const string normalisation = "normalisation";
        Set(CustomerField.Phone, Normalize.Phone(values[CustomerField.Phone], options.Value.DefaultPhoneCountryCode), normalisation);
        Set(CustomerField.Website, Normalize.Website(values[CustomerField.Website]), normalisation);
        Set(CustomerField.Address, Normalize.Text(values[CustomerField.Address]), normalisation);
        if (string.IsNullOrEmpty(values[CustomerField.Website])) Set(CustomerField.Website, Normalize.WebsiteFromEmail(customer.Email), normalisation);
        await job.ReportProgressAsync(30, "normalised", cancellationToken);

        var missing = FromModel.Where(f => string.IsNullOrEmpty(values[f]) && !customer.ManualFields.HasFlag(f)).ToList();
        string? modelNote = null;
        if (missing.Count > 0 && claude.IsConfigured)
        {
            var answer = await claude.AskAsync(
                "You enrich CRM records about companies and their contacts. Answer only with facts you are confident of; use null otherwise.",
                [new TextBlockParam(Prompt(customer, values))], Schema, cancellationToken);
            var source = $"claude:{claude.Model}";
            foreach (var field in missing)
            {
                var value = Str(answer, Customer.Fields.Single(f => f.Field == field).Json);
                value = field switch
                {
                    CustomerField.Website => Normalize.Website(value),
                    CustomerField.Phone => Normalize.Phone(value, options.Value.DefaultPhoneCountryCode),
                    _ => Normalize.Text(value),
                };
                Set(field, value, source);
            }
        }
        else if (missing.Count > 0)
        {
            modelNote = "no Anthropic API key configured: only deterministic normalisation was done";
            Log.EnrichmentModelSkipped(logger, customer.Id, modelNote);
        }
        await store.CustomerEnrichAsync(customer.Id, changes, job.Id, cancellationToken);
        Log.CustomerEnriched(logger, customer.Id, changes.Count);
        job.SetResult(new
        {
            customerId = customer.Id,
            enriched = changes.Select(c => new { field = Customer.Fields.Single(f => f.Field == c.Field).Json, value = c.New, source = c.Source }),
            note = modelNote,
        });
    }

    private static string Prompt(Customer c, Dictionary<CustomerField, string?> values)
    {
        var known = Customer.Fields.Where(f => !string.IsNullOrEmpty(values[f.Field])).Select(f => $"{f.Json}: {values[f.Field]}");
        return $"Customer record (e-mail: {c.Email}; {string.Join("; ", known)}). Fill in the company's industry, size (employees), web site, " +
               "a one-sentence description, the normalised postal address and the phone in international format.";
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
