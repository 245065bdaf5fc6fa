namespace Leora.Jobs;

/// <summary>
/// How a job type's deferred attempts are reported (an HTTP job type's 202 answer, docs/http-job-types.md).
/// </summary>
/// <param name="TokenKey">The key that signs the callback tokens of the type's attempts (never logged).</param>
/// <param name="CompletionTimeout">How long a deferred attempt may go unreported (each progress report starts it again) before its lease runs out and it is rescued.</param>
internal sealed record JobDeferral(byte[] TokenKey, TimeSpan CompletionTimeout);
