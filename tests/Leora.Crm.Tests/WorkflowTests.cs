using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Leora.Crm.Model;
using Leora.Crm.Storage;
using Leora.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Crm.Tests;

public sealed class SqliteWorkflowTests : WorkflowTests { public SqliteWorkflowTests() : base(Db.Sqlite) { } }

public sealed class PostgresWorkflowTests : WorkflowTests { public PostgresWorkflowTests() : base(Db.Postgres) { } }

/// <summary>
/// The CRM's workflows (issue 14, docs/workflows.md "The CRM example") on real stores, over HTTP, with the fake Anthropic
/// server: an import fans out one customer_enrichment per customer it created or changed into the batch its job leads, and
/// the batch's on-complete callback generates the import's report once; a retried import attempt adds no child twice; a
/// business card that creates a customer enqueues its enrichment as a child that depends on the scan's job.
/// </summary>
public abstract class WorkflowTests(Db db)
{
    /// <summary>Seven rows: four new customers, one bad e-mail, one existing customer changed, one existing customer as stored.</summary>
    private const string Csv =
        "Email,Name,Company\r\n" +
        "ana@alpha.example,Ana Alpha,Alpha Co\r\n" +     // row 2: created
        "bo@beta.example,Bo Beta,Beta Co\r\n" +          // row 3: created
        "not-an-email,Nobody,\r\n" +                     // row 4: rejected
        "old@omega.example,New Name,Omega Co\r\n" +      // row 5: changed (the name)
        "same@sigma.example,Same Name,Sigma Co\r\n" +    // row 6: matched, unchanged
        "cy@gamma.example,Cy Gamma,Gamma Co\r\n" +       // row 7: created
        "di@delta.example,Di Delta,Delta Co\r\n";        // row 8: created

    private static object Enrichment(string industry) => new
    {
        industry, companySize = "11-50", website = (string?)null, description = "A test company.", address = (string?)null, phone = (string?)null,
    };

    [Fact]
    public async Task An_import_fans_out_its_enrichments_into_one_batch_and_its_report_callback_runs_once_and_reflects_the_import()
    {
        await using var claude = await FakeClaude.StartAsync();
        // Two rows per chunk: the import commits in four checkpoints, and its children come from all of them.
        await using var host = await CrmHost.StartAsync(db, claude, o => o.ImportBatchSize = 2);
        var workflows = host.Services.GetRequiredService<IJobWorkflows>();
        var oldId = await SeedCustomerAsync(host, "old@omega.example", "Old Name", "Omega Co");
        var sameId = await SeedCustomerAsync(host, "same@sigma.example", "Same Name", "Sigma Co");

        var (importId, importJobId) = await UploadAsync(host, Csv);
        var before = await host.GetJsonAsync($"/api/imports/{importId}");
        var batchId = before.GetProperty("batchId").GetInt64();
        var reportId = before.GetProperty("reportId").GetInt64();
        Assert.Equal(0, before.GetProperty("enrichments").GetProperty("total").GetInt32());
        Assert.False(before.GetProperty("enrichments").GetProperty("finished").GetBoolean());
        var batch = (await workflows.GetBatchAsync(batchId))!;
        Assert.Equal(1, batch.Total);
        var callbackId = batch.OnCompleteJobId!.Value;
        Assert.Equal(JobStatus.Waiting, (await host.Jobs.GetAsync(callbackId))!.Status);
        Assert.Equal(callbackId, (await host.GetJsonAsync($"/api/reports/{reportId}")).GetProperty("jobId").GetInt64());

        // The import alone is due: the callback waits for the batch.
        var run = await host.ProcessAsync();
        Assert.Equal(1, run.Processed);
        Assert.Equal(1, run.Succeeded);
        var imported = await host.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("completed", imported.GetProperty("status").GetString());
        Assert.Equal(4, imported.GetProperty("inserted").GetInt64());
        Assert.Equal(2, imported.GetProperty("updated").GetInt64());
        Assert.Equal(1, imported.GetProperty("rejected").GetInt64());
        var enrichments = imported.GetProperty("enrichments");
        Assert.Equal(5, enrichments.GetProperty("total").GetInt32());
        Assert.Equal(5, enrichments.GetProperty("pending").GetInt32());

        // One enrichment per customer created or changed, all in the import's batch; none for the unchanged one.
        var members = await workflows.ListBatchJobsAsync(batchId);
        Assert.Equal(6, members.Count);
        Assert.Equal(importJobId, members[0].Id);
        var children = members.Where(m => m.Type == "customer_enrichment").ToList();
        var enriched = children.Select(c => c.Payload.GetProperty("customerId").GetInt64()).ToList();
        Assert.Equal(5, enriched.Distinct().Count());
        Assert.Contains(oldId, enriched);
        Assert.DoesNotContain(sameId, enriched);
        Assert.Equal(5, (await host.Jobs.ListAsync(new JobQuery { Type = "customer_enrichment" })).Items.Count);

        // The enrichments run one at a time, in the order they were enqueued: four answers, then a refusal (a failed one).
        foreach (var industry in new[] { "Aviation", "Brewing", "Oil", "Glass" }) claude.AnswerJson(Enrichment(industry));
        claude.AnswerRefusal();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(JobStatus.Waiting, (await host.Jobs.GetAsync(callbackId))!.Status);
            var one = await host.ProcessAsync(maxJobs: 1);
            Assert.Equal(1, one.Processed);
            Assert.Equal("customer_enrichment", Assert.Single(one.Jobs).Type);
        }
        Assert.True(claude.RequestProblems.IsEmpty, string.Join(" | ", claude.RequestProblems));

        // The last enrichment's outcome released the callback, which is now the only job due; it runs once.
        var finished = (await host.GetJsonAsync($"/api/imports/{importId}")).GetProperty("enrichments");
        Assert.Equal(4, finished.GetProperty("completed").GetInt32());
        Assert.Equal(1, finished.GetProperty("failed").GetInt32());
        Assert.Equal(0, finished.GetProperty("pending").GetInt32());
        Assert.True(finished.GetProperty("finished").GetBoolean());
        var report = await host.ProcessAsync();
        Assert.Equal(1, report.Succeeded);
        Assert.Equal(callbackId, Assert.Single(report.Jobs).Id);
        Assert.Equal(0, (await host.ProcessAsync()).Processed);
        var callback = (await host.Jobs.GetAsync(callbackId))!;
        Assert.Equal(JobStatus.Completed, callback.Status);
        Assert.Equal(1, callback.Attempts);
        Assert.Single((await host.Jobs.ListAsync(new JobQuery { Type = "report_generation" })).Items);

        // The report reflects the import: its counts, each customer created or changed with its enrichment, the rejected row.
        var summary = callback.Result!.Value.GetProperty("import");
        Assert.Equal(4, summary.GetProperty("created").GetInt64());
        Assert.Equal(1, summary.GetProperty("changed").GetInt64());
        Assert.Equal(1, summary.GetProperty("unchanged").GetInt64());
        Assert.Equal(1, summary.GetProperty("rejected").GetInt64());
        Assert.Equal(4, summary.GetProperty("enrichmentsCompleted").GetInt64());
        Assert.Equal(1, summary.GetProperty("enrichmentsFailed").GetInt64());
        var status = await host.GetJsonAsync($"/api/reports/{reportId}");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal("import", status.GetProperty("type").GetString());
        Assert.Equal(importId, status.GetProperty("importId").GetInt64());
        Assert.Equal(6, status.GetProperty("rowCount").GetInt64());
        var lines = await DownloadLinesAsync(host, status);
        Assert.Equal("Row,Outcome,Customer id,Email,Name,Enrichment,Fields enriched,Detail", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("2,created,", lines[1]);
        Assert.Contains(",ana@alpha.example,Ana Alpha,completed,", lines[1]);
        Assert.StartsWith($"5,changed,{oldId},old@omega.example,New Name,completed,", lines[3]);
        Assert.StartsWith("8,created,", lines[5]);
        Assert.Contains(",di@delta.example,Di Delta,failed,0,", lines[5]);
        Assert.Contains("refused", lines[5]);
        Assert.StartsWith("4,rejected,,,,,,", lines[6]);
        // Each completed enrichment changed fields (Claude's industry, size and description, the web site from the e-mail).
        foreach (var line in lines[1..5]) Assert.Matches(",completed,[1-9][0-9]*,", line);
        var ana = await host.GetJsonAsync($"/api/customers/{enriched[0]}");
        Assert.Equal("Aviation", ana.GetProperty("industry").GetString());
    }

    [Fact]
    public async Task A_retried_import_attempt_adds_no_enrichment_twice_and_enriches_what_its_earlier_attempts_imported()
    {
        await using var host = await CrmHost.StartAsync(db, claude: null, o => o.ImportBatchSize = 2);
        var csv = "Email,Name\r\n" + string.Concat(Enumerable.Range(1, 5).Select(i => $"p{i}@retry.example,Person {i}\r\n"));
        var (importId, importJobId) = await UploadAsync(host, csv);
        var batchId = (await host.GetJsonAsync($"/api/imports/{importId}")).GetProperty("batchId").GetInt64();

        // Attempt 1 commits its first chunk (rows 2–3), then its second checkpoint fails.
        await FaultAsync(host, "rows_done > 2");
        var first = await host.ProcessAsync(maxJobs: 1);
        Assert.Equal(1, first.Retried);
        Assert.Equal(2, (await host.Store.ImportGetAsync(importId, CancellationToken.None))!.RowsDone);

        // Attempt 2 imports the rest and enqueues its children, then fails marking the import completed: the children are
        // discarded with the attempt's outcome.
        await FaultAsync(host, null);
        await FaultAsync(host, "status = 'completed'");
        var second = await host.ProcessAsync(maxJobs: 1);
        Assert.Equal(1, second.Retried);
        Assert.Contains("injected fault", (await host.Jobs.GetAsync(importJobId))!.Errors[^1].Message);
        Assert.Equal(5, (await host.Store.ImportGetAsync(importId, CancellationToken.None))!.RowsDone);
        Assert.Empty((await host.Jobs.ListAsync(new JobQuery { Type = "customer_enrichment" })).Items);
        Assert.Equal(1, (await host.Services.GetRequiredService<IJobWorkflows>().GetBatchAsync(batchId))!.Total);

        // Attempt 3 completes: one child per customer, those of attempt 1's chunk included, each once.
        await FaultAsync(host, null);
        var third = await host.ProcessAsync(maxJobs: 1);
        Assert.Equal(1, third.Succeeded);
        var children = (await host.Jobs.ListAsync(new JobQuery { Type = "customer_enrichment", Limit = 100 })).Items;
        Assert.Equal(5, children.Count);
        Assert.Equal(5, children.Select(c => c.Payload.GetProperty("customerId").GetInt64()).Distinct().Count());
        Assert.Equal(6, (await host.Services.GetRequiredService<IJobWorkflows>().GetBatchAsync(batchId))!.Total);

        // Everything runs; the report callback runs once, over the five customers.
        async Task<IReadOnlyList<JobInfo>> ReportJobsAsync() => (await host.Jobs.ListAsync(new JobQuery { Type = "report_generation" })).Items;
        await Leora.Jobs.TestSupport.Eventually.WaitAsync(async () =>
        {
            await host.ProcessAsync();
            return (await host.GetJsonAsync($"/api/imports/{importId}")).GetProperty("enrichments").GetProperty("finished").GetBoolean()
                && (await ReportJobsAsync()).All(j => j.Status == JobStatus.Completed);
        }, TimeSpan.FromSeconds(60), "the enrichments and the report");
        var reports = await ReportJobsAsync();
        Assert.Single(reports);
        Assert.Equal(1, reports[0].Attempts);
        var status = await host.GetJsonAsync($"/api/reports/{(await host.GetJsonAsync($"/api/imports/{importId}")).GetProperty("reportId").GetInt64()}");
        var lines = await DownloadLinesAsync(host, status);
        Assert.Equal(6, lines.Length);
        Assert.All(lines[1..], l => Assert.Contains(",created,", l));
        Assert.All(lines[1..], l => Assert.Contains(",completed,", l));
    }

    [Fact]
    public async Task An_attempt_that_finds_the_import_completed_by_one_whose_job_completion_was_lost_enqueues_the_enrichments()
    {
        await using var host = await CrmHost.StartAsync(db, claude: null);
        var (importId, _) = await UploadAsync(host, "Email,Name\r\na@lost.example,A\r\nb@lost.example,B\r\nc@lost.example,C\r\n");
        await FaultAsync(host, "status = 'completed'");
        Assert.Equal(1, (await host.ProcessAsync(maxJobs: 1)).Retried);
        await FaultAsync(host, null);
        // What an attempt leaves when it marked the import completed and then lost its lease before its job's completion
        // (and children) were written.
        await using (var connection = await host.Store.Database.OpenConnectionAsync(CancellationToken.None))
            await CrmCommand.ExecAsync(connection, null, $"UPDATE {Prefix(host)}crm_imports SET status = 'completed' WHERE id = {importId}", CancellationToken.None);

        Assert.Equal(1, (await host.ProcessAsync(maxJobs: 1)).Succeeded);
        var children = (await host.Jobs.ListAsync(new JobQuery { Type = "customer_enrichment" })).Items;
        Assert.Equal(3, children.Select(c => c.Payload.GetProperty("customerId").GetInt64()).Distinct().Count());
        Assert.Equal(3, (await host.GetJsonAsync($"/api/imports/{importId}")).GetProperty("enrichments").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_import_that_fails_for_good_finishes_its_batch_and_its_report_says_so()
    {
        await using var host = await CrmHost.StartAsync(db, claude: null);
        var (importId, importJobId) = await UploadAsync(host, "Name,Company\r\nNo Mail,Acme\r\n");
        Assert.Equal(1, (await host.ProcessAsync(maxJobs: 1)).Failed);
        var import = await host.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("failed", import.GetProperty("status").GetString());
        var enrichments = import.GetProperty("enrichments");
        Assert.Equal(0, enrichments.GetProperty("total").GetInt32());
        Assert.True(enrichments.GetProperty("finished").GetBoolean());

        var report = await host.ProcessAsync();
        var callback = Assert.Single(report.Jobs);
        Assert.Equal("report_generation", callback.Type);
        Assert.Equal(JobOutcome.Completed, callback.Outcome);
        Assert.Equal(0, (await host.ProcessAsync()).Processed);
        var summary = (await host.Jobs.GetAsync(callback.Id))!.Result!.Value.GetProperty("import");
        Assert.Equal("failed", summary.GetProperty("status").GetString());
        Assert.Contains("e-mail", summary.GetProperty("error").GetString());
        var status = await host.GetJsonAsync($"/api/reports/{import.GetProperty("reportId").GetInt64()}");
        Assert.Equal(0, status.GetProperty("rowCount").GetInt64());
        Assert.Equal(JobStatus.Failed, (await host.Jobs.GetAsync(importJobId))!.Status);
    }

    [Fact]
    public async Task A_business_card_that_creates_a_customer_enqueues_its_enrichment_as_a_child_that_depends_on_the_scan()
    {
        await using var claude = await FakeClaude.StartAsync();
        await using var host = await CrmHost.StartAsync(db, claude, o => { o.CreateCustomersFromBusinessCards = true; o.DefaultPhoneCountryCode = "1"; });
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(SampleImages.Png());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "card.png");
        form.Add(new StringContent("business_card"), "scanType");
        using var upload = await host.Client.PostAsync("/api/scans", form);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var (scanId, scanJobId) = (accepted.GetProperty("scanId").GetInt64(), accepted.GetProperty("jobId").GetInt64());

        // The first attempt fails (Claude busy): it leaves no child.
        claude.AnswerServerError();
        Assert.Equal(1, (await host.ProcessAsync(maxJobs: 1)).Retried);
        Assert.Empty((await host.Jobs.ListAsync(new JobQuery { Type = "customer_enrichment" })).Items);

        claude.AnswerJson(new
        {
            legible = true, problem = (string?)null, name = "Rui Costa", title = "Owner", company = "Costa Wines",
            emails = new[] { "rui@costawines.example" }, phones = Array.Empty<string>(), website = (string?)null, address = (string?)null,
        });
        Assert.Equal(1, (await host.ProcessAsync(maxJobs: 1)).Succeeded);
        var scan = await host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("completed", scan.GetProperty("status").GetString());
        var customerId = scan.GetProperty("customerId").GetInt64();

        // One child: the customer's enrichment, released by its parent's completion in the same transaction.
        var child = Assert.Single((await host.Jobs.ListAsync(new JobQuery { Type = "customer_enrichment" })).Items);
        Assert.Equal(customerId, child.Payload.GetProperty("customerId").GetInt64());
        Assert.Equal(JobStatus.Pending, child.Status);
        Assert.Contains((await host.Jobs.TimelineAsync(child.Id))!, e => e.Kind == JobEventKind.Released);
        Assert.Equal([scanJobId], await ParentsAsync(host, child.Id));

        claude.AnswerJson(Enrichment("Wine"));
        var enrichment = await host.ProcessAsync();
        Assert.Equal(1, enrichment.Succeeded);
        Assert.Equal(child.Id, Assert.Single(enrichment.Jobs).Id);
        var customer = await host.GetJsonAsync($"/api/customers/{customerId}");
        Assert.Equal("Wine", customer.GetProperty("industry").GetString());
        Assert.Contains(customer.GetProperty("enrichments").EnumerateArray(), e => e.GetProperty("jobId").GetInt64() == child.Id);
        Assert.True(claude.RequestProblems.IsEmpty, string.Join(" | ", claude.RequestProblems));
    }

    private static async Task<(long ImportId, long JobId)> UploadAsync(CrmHost host, string csv)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "people.csv" } };
        using var response = await host.Client.PostAsync("/api/imports", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("importId").GetInt64(), body.GetProperty("jobId").GetInt64());
    }

    private static async Task<long> SeedCustomerAsync(CrmHost host, string email, string name, string company)
    {
        var database = host.Store.Database;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await using var tx = await database.BeginAsync(connection, CancellationToken.None);
        var id = await host.Store.CustomerUpsertAsync(connection, tx, new Customer { Email = email, Name = name, Company = company }, manual: true, CancellationToken.None);
        await tx.CommitAsync();
        return id;
    }

    private static async Task<string[]> DownloadLinesAsync(CrmHost host, JsonElement report)
    {
        using var download = await host.Client.GetAsync(report.GetProperty("downloadUrl").GetString());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var text = Encoding.UTF8.GetString(await download.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        return text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Makes every update of an import that matches <paramref name="when"/> (SQL over NEW) fail, as a database error would;
    /// null removes the fault. A trigger in the test's own database: the handler's code is the shipped code.
    /// </summary>
    private async Task FaultAsync(CrmHost host, string? when)
    {
        var database = host.Store.Database;
        var prefix = Prefix(host);
        string sql;
        if (db == Db.Sqlite)
            sql = when is null
                ? "DROP TRIGGER test_fault"
                : $"CREATE TRIGGER test_fault BEFORE UPDATE ON crm_imports WHEN NEW.{when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END";
        else
            sql = when is null
                ? $"DROP TRIGGER test_fault ON {prefix}crm_imports"
                : $"""
                  CREATE OR REPLACE FUNCTION {prefix}test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;
                  CREATE TRIGGER test_fault BEFORE UPDATE ON {prefix}crm_imports FOR EACH ROW WHEN (NEW.{when}) EXECUTE FUNCTION {prefix}test_fault();
                  """;
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await CrmCommand.ExecAsync(connection, null, sql, CancellationToken.None);
    }

    /// <summary>The tables' prefix: none on SQLite, the quoted schema and a dot on PostgreSQL.</summary>
    private static string Prefix(CrmHost host) => host.Store.Database.Sql.CustomersTable[..^"crm_customers".Length];

    /// <summary>The parents the store recorded for a job (its dependency edges).</summary>
    private async Task<List<long>> ParentsAsync(CrmHost host, long childId)
    {
        var table = db == Db.Sqlite ? "leora_job_dependencies" : $"{Prefix(host)}job_dependencies";
        await using var connection = await host.Jobs.OpenConnectionAsync();
        await using var cmd = CrmCommand.Create(connection, null, $"SELECT parent_id FROM {table} WHERE child_id = @id ORDER BY parent_id");
        cmd.AddLong("@id", childId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var parents = new List<long>();
        while (await reader.ReadAsync()) parents.Add(reader.GetInt64(0));
        return parents;
    }
}
