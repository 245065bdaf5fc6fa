namespace Leora.Jobs.Server;

/// <summary>A bad command line or bad input; exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
