namespace Leora.Jobs;

/// <summary>What a <see cref="JobPause"/> holds back. Its wire and stored names are <c>queue</c> and <c>type</c>.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobPauseScope>))]
public enum JobPauseScope
{
    /// <summary>Every job of one queue.</summary>
    Queue,
    /// <summary>Every job of one type, whatever its queue.</summary>
    Type,
}
