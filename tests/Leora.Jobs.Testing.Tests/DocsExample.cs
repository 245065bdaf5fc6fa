// The code of docs/testing.md, compiled and run here; DocsExampleTests checks that the page quotes it exactly.
// (In a project of your own, add: using Leora.Jobs; using Leora.Jobs.Testing;)

namespace Leora.Jobs.Testing.Tests.Docs;

// docs/testing.md: handler
public sealed record SendWelcomeEmailArgs(string Email, string Name) : IJobArgs
{
    public static string Kind => "send_welcome_email";
}

public interface IOutbox
{
    Task SendAsync(string to, string subject, CancellationToken cancellationToken);
}

public sealed class SendWelcomeEmailHandler(IOutbox outbox) : IJobHandler<SendWelcomeEmailArgs>
{
    public async Task HandleAsync(JobContext<SendWelcomeEmailArgs> job, CancellationToken cancellationToken)
    {
        if (!job.Args.Email.Contains('@', StringComparison.Ordinal))
            throw new PermanentJobException($"'{job.Args.Email}' is not an e-mail address");
        await job.ReportProgressAsync(50, "sending", cancellationToken);
        await outbox.SendAsync(job.Args.Email, $"Welcome, {job.Args.Name}!", cancellationToken);
        job.SetResult(new { sentTo = job.Args.Email });
    }
}
// end

// docs/testing.md: tests
public sealed class SendWelcomeEmailHandlerTests
{
    private sealed class FakeOutbox : IOutbox
    {
        public List<string> Sent { get; } = [];
        public bool Down { get; set; }

        public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
        {
            if (Down) throw new HttpRequestException("mail server down");
            Sent.Add(to);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Sends_the_mail_and_stores_who_it_went_to()
    {
        var outbox = new FakeOutbox();
        var result = await JobHandlerTester.RunAsync(new SendWelcomeEmailHandler(outbox), new SendWelcomeEmailArgs("ana@example.com", "Ana"));

        Assert.Equal(JobTestOutcome.Completed, result.Outcome);
        Assert.Equal("ana@example.com", result.Result?.GetProperty("sentTo").GetString());
        Assert.Equal([new JobProgressReport(50, "sending")], result.Progress);
        Assert.Equal(["ana@example.com"], outbox.Sent);
    }

    [Fact]
    public async Task A_bad_address_fails_at_once()
    {
        var result = await JobHandlerTester.RunAsync(new SendWelcomeEmailHandler(new FakeOutbox()), new SendWelcomeEmailArgs("not-an-address", "Bo"));

        Assert.Equal(JobTestOutcome.PermanentFailure, result.Outcome);
        Assert.Equal(JobOutcome.Failed, result.WorkerOutcome); // no retry
    }

    [Fact]
    public async Task A_mail_server_outage_is_retried_until_the_last_attempt()
    {
        var handler = new SendWelcomeEmailHandler(new FakeOutbox { Down = true });
        var args = new SendWelcomeEmailArgs("ana@example.com", "Ana");

        var first = await JobHandlerTester.RunAsync(handler, args, attempt: 1, maxAttempts: 3);
        Assert.Equal(JobTestOutcome.Failed, first.Outcome);
        Assert.Equal(JobOutcome.Retried, first.WorkerOutcome);
        Assert.IsType<HttpRequestException>(first.Exception);

        var last = await JobHandlerTester.RunAsync(handler, args, attempt: 3, maxAttempts: 3);
        Assert.Equal(JobOutcome.Failed, last.WorkerOutcome);
    }
}
// end
