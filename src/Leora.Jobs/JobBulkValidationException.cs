namespace Leora.Jobs;

/// <summary>
/// A bulk enqueue refused as a whole because some of its jobs are invalid: nothing was enqueued. <see cref="Errors"/> names
/// each invalid job by its position in the request, with the field at fault and why.
/// </summary>
public sealed class JobBulkValidationException : Exception
{
    public JobBulkValidationException() { }
    public JobBulkValidationException(string message) : base(message) { }
    public JobBulkValidationException(string message, Exception innerException) : base(message, innerException) { }
    public JobBulkValidationException(int jobCount, IReadOnlyList<JobBulkError> errors)
        : base($"{errors?.Count ?? 0} of {jobCount} jobs are invalid; none was enqueued. First: job {errors?.FirstOrDefault()?.Index}: {errors?.FirstOrDefault()?.Message}")
    {
        ArgumentNullException.ThrowIfNull(errors);
        Errors = errors;
        JobCount = jobCount;
    }

    /// <summary>The invalid jobs, in request order.</summary>
    public IReadOnlyList<JobBulkError> Errors { get; } = [];

    /// <summary>How many jobs the request held.</summary>
    public int JobCount { get; }
}

/// <summary>Why one job of a bulk enqueue is invalid.</summary>
/// <param name="Index">Its position in the request, from 0.</param>
/// <param name="Field">The field at fault (<c>type</c>, <c>payload.url</c>, <c>queue</c>…), if known.</param>
/// <param name="Message">What is wrong, in the API's words.</param>
public sealed record JobBulkError(int Index, string? Field, string Message);
