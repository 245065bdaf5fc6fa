namespace Leora.Jobs;

/// <summary>What a <see cref="JobLimit"/> counts: the jobs of one type, or the jobs of one queue.</summary>
public enum JobLimitScope
{
    /// <summary>The jobs of one job type.</summary>
    Type,
    /// <summary>The jobs of one queue.</summary>
    Queue,
}
