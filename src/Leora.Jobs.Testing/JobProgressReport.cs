namespace Leora.Jobs.Testing;

/// <summary>One progress report a handler made through <see cref="JobContext{TArgs}.ReportProgressAsync"/>.</summary>
/// <param name="Percent">The percentage, 0–100 (clamped as the worker stores it).</param>
/// <param name="Message">The message, if any.</param>
public sealed record JobProgressReport(int Percent, string? Message);
