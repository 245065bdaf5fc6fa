namespace Leora.Jobs;

/// <summary>The words of workflow refusals and reasons, one place for both stores and the core (docs/workflows.md).</summary>
internal static class WorkflowErrors
{
    public static JobValidationException UnknownParent(long id) =>
        new($"dependsOn names job {id}, which does not exist.", "dependsOn");

    public static JobValidationException BatchClosed(long id) =>
        new($"Batch {id} does not exist, has finished or was cancelled: jobs can be added only to a batch that is still running.", "batchId");

    public static string ParentNotCompleted(long parent, string status) => $"Parent job {parent} {status}; this job depends on it.";

    public static string BatchCancelled(long id) => $"Batch {id} was cancelled.";
}
