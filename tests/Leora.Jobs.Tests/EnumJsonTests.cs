using System.Text.Json;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>
/// The public enums are written as the names the HTTP API sends, whatever options the serializer has: an application's
/// own endpoint returning <see cref="JobInfo"/> must not answer <c>"status": 2</c> (issue 20, point 5).
/// </summary>
public sealed class EnumJsonTests
{
    private static JobInfo Job(JobStatus status) => new()
    {
        Id = 7,
        Type = "send_welcome_email",
        Queue = "default",
        Status = status,
        Priority = 0,
        Payload = JsonDocument.Parse("{}").RootElement,
        Attempts = 1,
        MaxAttempts = 5,
        Errors = [],
        CreatedAt = DateTimeOffset.UnixEpoch,
        RunAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void JobInfo_serialises_its_status_as_its_name_with_default_and_web_options()
    {
        Assert.Contains("\"Status\":\"completed\"", JsonSerializer.Serialize(Job(JobStatus.Completed)), StringComparison.Ordinal);
        var web = JsonSerializer.Serialize(Job(JobStatus.Completed), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Contains("\"status\":\"completed\"", web, StringComparison.Ordinal);
        // And it reads back.
        Assert.Equal(JobStatus.Completed, JsonSerializer.Deserialize<JobInfo>(web, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Status);
    }

    [Fact]
    public void Every_status_and_outcome_is_written_as_the_name_the_HTTP_API_uses()
    {
        foreach (var status in Enum.GetValues<JobStatus>())
            Assert.Equal($"\"{JobNames.Status(status)}\"", JsonSerializer.Serialize(status));
        foreach (var outcome in Enum.GetValues<JobOutcome>())
            Assert.Equal($"\"{JobNames.Outcome(outcome)}\"", JsonSerializer.Serialize(outcome));
        Assert.Contains("\"Outcome\":\"lease_lost\"", JsonSerializer.Serialize(new JobRunReport(1, "t", JobOutcome.LeaseLost, 0, null)), StringComparison.Ordinal);
        Assert.Equal("\"cancel_requested\"", JsonSerializer.Serialize(JobCancelResult.CancelRequested));
        Assert.Equal("\"not_found\"", JsonSerializer.Serialize(JobActionResult.NotFound));
    }
}
