using Leora.Jobs.QuickStart;

namespace Leora.Jobs.Testing.Tests;

/// <summary>The quick start's handler (samples/Leora.Jobs.QuickStart), tested as a user would test their own.</summary>
public sealed class QuickStartHandlerTests
{
    [Fact]
    public async Task The_welcome_mail_is_sent_and_the_result_and_progress_are_recorded()
    {
        var outbox = new MemoryOutbox();
        var result = await JobHandlerTester.RunAsync(new SendWelcomeEmailHandler(outbox), new SendWelcomeEmailArgs("ana@example.com", "Ana"));

        Assert.Equal(JobTestOutcome.Completed, result.Outcome);
        Assert.Equal(JobOutcome.Completed, result.WorkerOutcome);
        Assert.Null(result.Exception);
        Assert.Equal("{\"sentTo\":\"ana@example.com\"}", result.ResultJson);
        Assert.Equal([new JobProgressReport(10, "rendering")], result.Progress);
        Assert.Equal([("ana@example.com", "Welcome, Ana!")], outbox.Sent);
    }

    [Fact]
    public async Task An_address_without_at_sign_fails_permanently_and_sends_nothing()
    {
        var outbox = new MemoryOutbox();
        var result = await JobHandlerTester.RunAsync(new SendWelcomeEmailHandler(outbox), new SendWelcomeEmailArgs("ana", "Ana"), attempt: 1, maxAttempts: 5);

        Assert.Equal(JobTestOutcome.PermanentFailure, result.Outcome);
        Assert.Equal(JobOutcome.Failed, result.WorkerOutcome);
        Assert.Contains("not an e-mail address", result.Exception!.Message, StringComparison.Ordinal);
        Assert.Null(result.ResultJson);
        Assert.Empty(outbox.Sent);
    }

    [Fact]
    public async Task An_outbox_error_is_retried_while_attempts_remain()
    {
        var handler = new SendWelcomeEmailHandler(new BrokenOutbox());
        var args = new SendWelcomeEmailArgs("ana@example.com", "Ana");

        var second = await JobHandlerTester.RunAsync(handler, args, attempt: 2, maxAttempts: 5);
        Assert.Equal(JobTestOutcome.Failed, second.Outcome);
        Assert.Equal(JobOutcome.Retried, second.WorkerOutcome);

        var fifth = await JobHandlerTester.RunAsync(handler, args, attempt: 5, maxAttempts: 5);
        Assert.Equal(JobTestOutcome.Failed, fifth.Outcome);
        Assert.Equal(JobOutcome.Failed, fifth.WorkerOutcome);
        Assert.IsType<IOException>(fifth.Exception);
    }

    private sealed class BrokenOutbox : IOutbox
    {
        public Task SendAsync(string to, string subject, CancellationToken cancellationToken) => throw new IOException("outbox unreachable");
    }
}
