using System.Text.Json;

namespace Leora.Jobs;

/// <summary>
/// One job of a graph or a batch enqueued in one call (<see cref="IJobWorkflows"/>): its type and payload, a local
/// reference other jobs of the call may depend on, and the references it depends on. Its options may also name existing
/// parents (<see cref="EnqueueOptions.DependsOn"/>).
/// </summary>
/// <param name="Type">The registered job type.</param>
/// <param name="Payload">The payload, bound to the type's arguments.</param>
public sealed record WorkflowJob(string Type, JsonElement Payload)
{
    /// <summary>A name for this job within the call (1–100 characters, unique in the call), or null.</summary>
    public string? Ref { get; init; }
    /// <summary>The references (<see cref="Ref"/>) of jobs of the same call this one waits for. Defaults to null: none.</summary>
    public IReadOnlyList<string>? DependsOn { get; init; }
    /// <summary>The job's options (queue, priority, existing parents, parent failure policy). Null: the type's defaults.</summary>
    public EnqueueOptions? Options { get; init; }

    /// <summary>A job of a typed payload.</summary>
    public static WorkflowJob For<TArgs>(TArgs args, string? reference = null, EnqueueOptions? options = null, params string[] dependsOn)
        where TArgs : IJobArgs
    {
        ArgumentNullException.ThrowIfNull(args);
        return new WorkflowJob(TArgs.Kind, JsonSerializer.SerializeToElement(args, JobJson.Options))
        {
            Ref = reference,
            DependsOn = dependsOn is { Length: > 0 } ? dependsOn : null,
            Options = options,
        };
    }
}
