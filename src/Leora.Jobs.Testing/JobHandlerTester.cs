namespace Leora.Jobs.Testing;

/// <summary>
/// Runs a job handler once, as a worker runs one attempt, but in a unit test: no database, no worker, no container.
/// Returns what happened (<see cref="JobTestResult"/>) instead of throwing the handler's exception.
/// </summary>
/// <example>
/// <code>
/// var result = await JobHandlerTester.RunAsync(new SendWelcomeEmailHandler(outbox), new SendWelcomeEmailArgs("ana@example.com", "Ana"));
/// Assert.Equal(JobTestOutcome.Completed, result.Outcome);
/// </code>
/// </example>
public static class JobHandlerTester
{
    /// <summary>Runs <paramref name="handler"/> on a fresh context for <paramref name="args"/> (attempt 1 of 3 unless told).</summary>
    /// <param name="handler">The handler under test.</param>
    /// <param name="args">The job's payload.</param>
    /// <param name="attempt">This attempt's number, from 1. Defaults to 1.</param>
    /// <param name="maxAttempts">Attempts allowed in all. Defaults to 3.</param>
    /// <param name="cancellationToken">Also fires the handler's token, as a worker's shutdown would (the job would be handed back: <see cref="JobOutcome.Released"/>).</param>
    public static async Task<JobTestResult> RunAsync<TArgs>(IJobHandler<TArgs> handler, TArgs args, int attempt = 1, int maxAttempts = 3,
        CancellationToken cancellationToken = default)
        where TArgs : IJobArgs
    {
        using var context = JobTestContext.Create(args, attempt, maxAttempts);
        return await RunAsync(handler, context, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="handler"/> on <paramref name="context"/>, which the test made with <see cref="JobTestContext.Create{TArgs}"/>
    /// (to choose the attempt, a previous result, or to cancel or lose the lease while the handler runs).
    /// </summary>
    /// <param name="handler">The handler under test.</param>
    /// <param name="context">The attempt's context.</param>
    /// <param name="cancellationToken">Also fires the handler's token, as a worker's shutdown would (the job would be handed back: <see cref="JobOutcome.Released"/>).</param>
    public static async Task<JobTestResult> RunAsync<TArgs>(IJobHandler<TArgs> handler, JobTestContext<TArgs> context,
        CancellationToken cancellationToken = default)
        where TArgs : IJobArgs
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(context);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, cancellationToken);
        Exception? error = null;
        try
        {
            await handler.HandleAsync(context.Context, linked.Token);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        var outcome = error switch
        {
            null => JobTestOutcome.Completed,
            PermanentJobException => JobTestOutcome.PermanentFailure,
            RetryJobException => JobTestOutcome.RetryRequested,
            OperationCanceledException when linked.IsCancellationRequested => JobTestOutcome.Cancelled,
            _ => JobTestOutcome.Failed,
        };
        var shutdown = cancellationToken.IsCancellationRequested && error is OperationCanceledException;
        return new JobTestResult(outcome, WorkerOutcome(context, outcome, shutdown), error, context.ResultJson, context.Progress);
    }

    // The decision JobExecutor takes when it writes the attempt's outcome, in the same order.
    private static JobOutcome WorkerOutcome<TArgs>(JobTestContext<TArgs> context, JobTestOutcome outcome, bool shutdown) where TArgs : IJobArgs
    {
        if (context.LeaseLost) return JobOutcome.LeaseLost;
        if (outcome == JobTestOutcome.Completed) return JobOutcome.Completed;
        if (context.CancelRequested) return JobOutcome.Cancelled;
        if (shutdown) return JobOutcome.Released;
        if (outcome == JobTestOutcome.PermanentFailure || context.Context.Attempt >= context.Context.MaxAttempts) return JobOutcome.Failed;
        return JobOutcome.Retried;
    }
}
