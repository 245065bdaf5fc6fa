namespace Leora.Jobs;

/// <summary>How far back a history reaches, and how finely (<see cref="IJobClient.HistoryAsync"/>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobHistoryRange>))]
public enum JobHistoryRange
{
    /// <summary>The last hour, per minute (60 points).</summary>
    Hour,
    /// <summary>The last day, per hour (24 points).</summary>
    Day,
    /// <summary>The last week, per hour (168 points).</summary>
    Week,
}
