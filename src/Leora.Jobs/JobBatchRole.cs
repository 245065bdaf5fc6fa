namespace Leora.Jobs;

/// <summary>A job's place in a batch (docs/workflows.md).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobBatchRole>))]
public enum JobBatchRole
{
    /// <summary>One of the batch's jobs: counted in its progress.</summary>
    Member,
    /// <summary>A callback that runs once every member has finished, whatever their outcome.</summary>
    OnComplete,
    /// <summary>A callback that runs once every member has completed; cancelled when one failed or was cancelled.</summary>
    OnSuccess,
    /// <summary>A callback that runs once every member has finished and one failed or was cancelled; cancelled otherwise.</summary>
    OnFailure,
}
