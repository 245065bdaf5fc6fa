using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Leora.Crm.Tests;

public sealed class SqliteFindTests : FindTests { public SqliteFindTests() : base(Db.Sqlite) { } }

public sealed class PostgresFindTests : FindTests { public PostgresFindTests() : base(Db.Postgres) { } }

/// <summary>
/// Finding things over HTTP (issue 21): customers listed and searched with keyset paging, one read and edited (and the
/// edit kept by later imports), imports, scans and reports listed with their jobs; bad input is a 400 naming the field.
/// </summary>
public abstract class FindTests(Db db) : ImportTestBase(db)
{
    private static string Csv(int rows, string company)
    {
        var sb = new StringBuilder("email,name,company,phone,city\n");
        for (var i = 1; i <= rows; i++)
            sb.Append("c").Append(i).Append("@shop").Append(i % 3).Append(".example,Client ").Append(i).Append(',').Append(company).Append(' ').Append(i % 3)
              .Append(",+1 212 555 ").Append(1000 + i).Append(",Boston\n");
        return sb.ToString();
    }

    private async Task<JsonElement> ProblemAsync(string path, HttpStatusCode status, HttpMethod? method = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PatchAsync(long id, object body)
    {
        using var response = await Host.Client.PatchAsJsonAsync($"/api/customers/{id}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Customers_are_listed_in_keyset_pages_and_searched_by_email_name_and_company()
    {
        await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(Csv(120, "Acme")), "clients.csv"));

        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Host.GetJsonAsync($"/api/customers?limit=50{(cursor is null ? "" : "&cursor=" + cursor)}");
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(120, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(120, ids.Distinct().Count());

        var byEmail = Assert.Single((await Host.GetJsonAsync("/api/customers?email=C7@Shop1.example")).GetProperty("items").EnumerateArray());
        Assert.Equal("Client 7", byEmail.GetProperty("name").GetString());
        Assert.Equal("+12125551007", byEmail.GetProperty("phone").GetString());
        // Client 1, 10–19 and 100–120, ignoring case.
        Assert.Equal(32, (await Host.GetJsonAsync("/api/customers?name=client%201")).GetProperty("items").GetArrayLength());
        Assert.Equal(40, (await Host.GetJsonAsync("/api/customers?company=ACME%202&limit=200")).GetProperty("items").GetArrayLength());
        Assert.Equal(40, (await Host.GetJsonAsync("/api/customers?q=shop0.example&limit=200")).GetProperty("items").GetArrayLength());
        Assert.Equal(14, (await Host.GetJsonAsync("/api/customers?q=shop0&company=acme%200&name=client%20&limit=14")).GetProperty("items").GetArrayLength());
        // LIKE's wildcards are searched as text.
        Assert.Empty((await Host.GetJsonAsync("/api/customers?q=%25")).GetProperty("items").EnumerateArray());
        Assert.Empty((await Host.GetJsonAsync("/api/customers?name=Client_1")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/customers?limit=0", "limit")]
    [InlineData("/api/customers?limit=201", "limit")]
    [InlineData("/api/customers?limit=ten", "limit")]
    [InlineData("/api/customers?cursor=-4", "cursor")]
    [InlineData("/api/customers?email=not-an-email", "email")]
    [InlineData("/api/imports?limit=0", "limit")]
    [InlineData("/api/scans?cursor=abc", "cursor")]
    [InlineData("/api/reports?limit=1000", "limit")]
    public async Task Bad_paging_or_search_answers_400_naming_the_parameter(string path, string parameter)
    {
        var problem = await ProblemAsync(path, HttpStatusCode.BadRequest);
        Assert.StartsWith(parameter + " ", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_edited_field_is_marked_and_kept_by_later_imports_while_other_fields_still_update()
    {
        await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(Csv(3, "Acme")), "clients.csv"));
        var id = Assert.Single((await Host.GetJsonAsync("/api/customers?email=c1@shop1.example")).GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64();

        var edited = await PatchAsync(id, new { company = "Acme Holdings", phone = "(212) 555-0000", postalCode = "02110", description = "Prefers e-mail.\nNo calls." });
        Assert.Equal("Acme Holdings", edited.GetProperty("company").GetString());
        Assert.Equal("+12125550000", edited.GetProperty("phone").GetString());
        Assert.Equal("Prefers e-mail.\nNo calls.", edited.GetProperty("description").GetString());
        Assert.Equal(["phone", "company", "description", "postalCode"], edited.GetProperty("editedFields").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("company", edited.GetProperty("manualFields").EnumerateArray().Select(e => e.GetString()));

        // A later import of the same customers: the edited company and phone stay, the city (not edited) is updated.
        await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(Csv(3, "Globex").Replace("Boston", "Chicago", StringComparison.Ordinal)), "again.csv"));
        var after = await Host.GetJsonAsync($"/api/customers/{id}");
        Assert.Equal("Acme Holdings", after.GetProperty("company").GetString());
        Assert.Equal("+12125550000", after.GetProperty("phone").GetString());
        Assert.Equal("02110", after.GetProperty("postalCode").GetString());
        Assert.Equal("Chicago", after.GetProperty("city").GetString());
        var other = Assert.Single((await Host.GetJsonAsync("/api/customers?email=c2@shop2.example")).GetProperty("items").EnumerateArray());
        Assert.Equal("Globex 2", other.GetProperty("company").GetString());

        // Clearing a field and changing the e-mail.
        var cleared = await PatchAsync(id, new { postalCode = (string?)null, email = "New.Address@Shop1.example" });
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("postalCode").ValueKind);
        Assert.Equal("new.address@shop1.example", cleared.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Bad_edits_answer_400_naming_the_field_404_for_an_unknown_customer_409_for_a_taken_email_and_change_nothing()
    {
        await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(Csv(2, "Acme")), "clients.csv"));
        var before = await Host.GetJsonAsync("/api/customers/1");

        Assert.Contains("'colour'", (await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { name = "X", colour = "red" })).GetProperty("detail").GetString());
        Assert.StartsWith("phone ", (await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { phone = "call me" })).GetProperty("detail").GetString());
        Assert.StartsWith("website ", (await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { website = "not a site" })).GetProperty("detail").GetString());
        Assert.StartsWith("name ", (await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { name = 42 })).GetProperty("detail").GetString());
        Assert.StartsWith("name ", (await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { name = new string('n', 501) })).GetProperty("detail").GetString());
        Assert.StartsWith("email ", (await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { email = (string?)null })).GetProperty("detail").GetString());
        await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new { });
        await ProblemAsync("/api/customers/1", HttpStatusCode.BadRequest, HttpMethod.Patch, new[] { "name" });
        Assert.Contains("c2@shop2.example", (await ProblemAsync("/api/customers/1", HttpStatusCode.Conflict, HttpMethod.Patch, new { email = "c2@shop2.example" })).GetProperty("detail").GetString());
        await ProblemAsync("/api/customers/98765", HttpStatusCode.NotFound, HttpMethod.Patch, new { name = "Nobody" });
        await ProblemAsync("/api/customers/98765", HttpStatusCode.NotFound);

        Assert.Equal(before.GetRawText(), (await Host.GetJsonAsync("/api/customers/1")).GetRawText());
    }

    [Fact]
    public async Task Imports_scans_and_reports_are_listed_newest_first_with_their_jobs()
    {
        var first = await RunAsync(await UploadAsync(Encoding.UTF8.GetBytes(Csv(2, "Acme")), "one.csv"));
        var second = await UploadAsync(Encoding.UTF8.GetBytes(Csv(2, "Acme")), "two.csv");
        using (var report = await Host.Client.PostAsJsonAsync("/api/reports", new { type = "customers", format = "csv" }))
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);

        var imports = await Host.GetJsonAsync("/api/imports?limit=1");
        var newest = Assert.Single(imports.GetProperty("items").EnumerateArray());
        Assert.Equal(second, newest.GetProperty("id").GetInt64());
        Assert.Equal("pending", newest.GetProperty("status").GetString());
        Assert.Equal("pending", newest.GetProperty("jobStatus").GetString());
        Assert.True(newest.GetProperty("jobId").GetInt64() > 0);
        var older = await Host.GetJsonAsync($"/api/imports?limit=1&cursor={imports.GetProperty("nextCursor").GetInt64()}");
        var oldest = Assert.Single(older.GetProperty("items").EnumerateArray());
        Assert.Equal(first.GetProperty("id").GetInt64(), oldest.GetProperty("id").GetInt64());
        Assert.Equal(("completed", "completed", 2L), (oldest.GetProperty("status").GetString(), oldest.GetProperty("jobStatus").GetString(), oldest.GetProperty("inserted").GetInt64()));
        Assert.Equal(JsonValueKind.Null, older.GetProperty("nextCursor").ValueKind);

        var reports = (await Host.GetJsonAsync("/api/reports")).GetProperty("items");
        Assert.Equal(("customers", "csv", "pending"), (reports[0].GetProperty("type").GetString(), reports[0].GetProperty("format").GetString(), reports[0].GetProperty("jobStatus").GetString()));
        Assert.Empty((await Host.GetJsonAsync("/api/scans")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_OpenAPI_document_names_each_operation_and_describes_its_bodies()
    {
        await using var host = await CrmHost.StartAsync(Db.Sqlite, claude: null, openApi: true);
        var document = await host.GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        JsonElement Operation(string path, string method) => paths.GetProperty(path).GetProperty(method);

        var expected = new[]
        {
            ("/api/customers", "get", "ListCustomers"), ("/api/customers/{id}", "get", "GetCustomer"), ("/api/customers/{id}", "patch", "UpdateCustomer"),
            ("/api/imports", "get", "ListImports"), ("/api/scans", "get", "ListScans"), ("/api/reports", "get", "ListReports"),
            ("/api/scans", "post", "CreateScan"), ("/api/scans/{id}", "get", "GetScan"),
        };
        foreach (var (path, method, id) in expected)
        {
            var operation = Operation(path, method);
            Assert.Equal(id, operation.GetProperty("operationId").GetString());
            Assert.True(operation.GetProperty("responses").TryGetProperty(method == "post" ? "202" : "200", out var ok), $"{method} {path} documents no success");
            Assert.True(ok.GetProperty("content").TryGetProperty("application/json", out _), $"{method} {path} documents no response schema");
            Assert.True(operation.GetProperty("responses").TryGetProperty("400", out _) || operation.GetProperty("responses").TryGetProperty("404", out _),
                $"{method} {path} documents no problem answer");
        }
        Assert.True(Operation("/api/customers/{id}", "patch").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var customer = schemas.EnumerateObject().Single(s => s.Name == "CustomerView").Value;
        foreach (var property in new[] { "email", "postalCode", "manualFields", "editedFields" })
            Assert.True(customer.GetProperty("properties").TryGetProperty(property, out _), $"CustomerView has no {property}");
        var scan = schemas.EnumerateObject().Single(s => s.Name == "ScanView").Value;
        foreach (var property in new[] { "retrying", "attempt", "lastError", "nextTryAt", "imageUrl" })
            Assert.True(scan.GetProperty("properties").TryGetProperty(property, out _), $"ScanView has no {property}");
    }
}
