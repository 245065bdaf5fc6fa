namespace Leora.Jobs.QuickStart;

// 1. The payload. Kind is the job type's stable name: it is stored with every job, so renaming the C# type is safe.
public sealed record SendWelcomeEmailArgs(string Email, string Name) : IJobArgs
{
    public static string Kind => "send_welcome_email";
}

// 2. The handler, resolved from DI in a fresh scope for every attempt.
public sealed class SendWelcomeEmailHandler(IOutbox outbox) : IJobHandler<SendWelcomeEmailArgs>
{
    public async Task HandleAsync(JobContext<SendWelcomeEmailArgs> job, CancellationToken cancellationToken)
    {
        await job.ReportProgressAsync(10, "rendering", cancellationToken);
        if (!job.Args.Email.Contains('@', StringComparison.Ordinal))
            throw new PermanentJobException($"'{job.Args.Email}' is not an e-mail address"); // fails at once, no retry
        await outbox.SendAsync(job.Args.Email, $"Welcome, {job.Args.Name}!", cancellationToken); // any other exception retries
        job.SetResult(new { sentTo = job.Args.Email });
    }
}

/// <summary>Stands in for an e-mail sender.</summary>
public interface IOutbox
{
    Task SendAsync(string to, string subject, CancellationToken cancellationToken);
}

public sealed class MemoryOutbox : IOutbox
{
    public List<(string To, string Subject)> Sent { get; } = [];

    public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
    {
        lock (Sent) Sent.Add((to, subject));
        return Task.CompletedTask;
    }
}
