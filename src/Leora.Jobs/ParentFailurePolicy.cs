namespace Leora.Jobs;

/// <summary>What a dependant does when one of its parents fails for good or is cancelled (docs/workflows.md).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<ParentFailurePolicy>))]
public enum ParentFailurePolicy
{
    /// <summary>The dependant is cancelled, with a reason naming the parent; so are its own dependants that cancel.</summary>
    Cancel,
    /// <summary>The dependant runs once every parent has finished, whatever their outcome.</summary>
    RunAnyway,
}
