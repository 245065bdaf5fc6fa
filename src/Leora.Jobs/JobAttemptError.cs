namespace Leora.Jobs;

/// <summary>One failed attempt of a job, kept for every attempt (not only the last).</summary>
/// <param name="Attempt">The attempt number, from 1.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="Type">The exception's type name, or a reason such as <c>LeaseExpired</c>.</param>
/// <param name="StackTrace">The stack trace, if any.</param>
/// <param name="At">When the attempt failed.</param>
/// <param name="Worker">The worker that ran the attempt.</param>
public sealed record JobAttemptError(int Attempt, string Message, string Type, string? StackTrace, DateTimeOffset At, string? Worker);
