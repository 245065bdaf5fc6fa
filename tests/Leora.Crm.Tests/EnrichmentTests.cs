using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Leora.Crm.Tests;

/// <summary>customer_enrichment: fills what is missing from Claude and by normalisation, never overwrites what a person entered, records it all.</summary>
public sealed class EnrichmentTests : IAsyncLifetime
{
    private FakeClaude _claude = null!;
    private CrmHost _host = null!;

    public async Task InitializeAsync()
    {
        _claude = await FakeClaude.StartAsync();
        _host = await CrmHost.StartAsync(Db.Sqlite, _claude, o =>
        {
            o.DefaultPhoneCountryCode = "44";
            // The tests enrich by hand (POST /enrich), one job at a time: the import seeds the customer without its own enrichment.
            o.EnrichImportedCustomers = false;
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _claude.DisposeAsync();
    }

    private async Task<long> ImportOneAsync(string csv)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "one.csv");
        using var response = await _host.Client.PostAsync("/api/imports", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await _host.ProcessAsync()).Succeeded);
        var database = _host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var email = csv.Split('\n')[1].Split(',')[0];
        return (await _host.Store.CustomerGetByEmailAsync(connection, null, email, CancellationToken.None))!.Id;
    }

    [Fact]
    public async Task Fills_missing_fields_keeps_person_entered_ones_and_records_source_and_time()
    {
        var id = await ImportOneAsync("email,name,phone\nbuyer@vineyard-supplies.co.uk,Sam Buyer,020 7946 0958\n");
        _claude.AnswerJson(new
        {
            industry = "Wholesale beverages", companySize = "11-50", website = "https://wrong.example", description = "Supplies vineyards.",
            address = "1 Cellar Row, London", phone = "+44 20 0000 0000",
        });
        using var response = await _host.Client.PostAsync($"/api/customers/{id}/enrich", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await _host.ProcessAsync()).Succeeded);

        var c = await _host.GetJsonAsync($"/api/customers/{id}");
        Assert.Equal("Wholesale beverages", c.GetProperty("industry").GetString());
        Assert.Equal("11-50", c.GetProperty("companySize").GetString());
        Assert.Equal("1 Cellar Row, London", c.GetProperty("address").GetString());
        // Derived deterministically from the e-mail's domain before Claude was asked, so Claude's guess is not used.
        Assert.Equal("https://vineyard-supplies.co.uk", c.GetProperty("website").GetString());
        // Entered by a person (the import): kept as entered, normalised at import, never replaced by Claude's.
        Assert.Equal("+442079460958", c.GetProperty("phone").GetString());
        Assert.Equal("Sam Buyer", c.GetProperty("name").GetString());
        Assert.NotEqual(JsonValueKind.Null, c.GetProperty("enrichedAt").ValueKind);

        var records = c.GetProperty("enrichments").EnumerateArray().ToDictionary(e => e.GetProperty("field").GetString()!, e => e);
        Assert.Equal("normalisation", records["website"].GetProperty("source").GetString());
        Assert.Equal("claude:claude-test-model", records["industry"].GetProperty("source").GetString());
        Assert.False(records.ContainsKey("phone"));
        Assert.False(records.ContainsKey("name"));

        // Claude was asked only for what was missing, with the schema.
        var request = Assert.Single(_claude.Requests);
        Assert.Contains("industry", request["output_config"]!["format"]!["schema"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("buyer@vineyard-supplies.co.uk", request.ToJsonString());
    }

    [Fact]
    public async Task Without_an_api_key_only_normalisation_runs_and_unknown_customers_are_404()
    {
        await using var host = await CrmHost.StartAsync(Db.Sqlite, claude: null, o => o.EnrichImportedCustomers = false);
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("email\nana@gmail.com\n")), "file", "one.csv");
            using var upload = await host.Client.PostAsync("/api/imports", form);
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        }
        Assert.Equal(1, (await host.ProcessAsync()).Succeeded);
        using var response = await host.Client.PostAsync("/api/customers/1/enrich", null);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
        Assert.Equal(1, (await host.ProcessAsync()).Succeeded);
        var job = (await host.Jobs.GetAsync(jobId))!;
        Assert.Contains("no Anthropic API key", job.Result!.Value.GetProperty("note").GetString());
        var c = await host.GetJsonAsync("/api/customers/1");
        Assert.Equal(JsonValueKind.Null, c.GetProperty("website").ValueKind); // a free-mail domain is no company site
        Assert.Empty(c.GetProperty("enrichments").EnumerateArray());

        using var missing = await host.Client.PostAsync("/api/customers/999/enrich", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
