namespace Leora.Jobs.Server;

/// <summary>A setting that is missing or wrong (provider, connection string, duration); the message says which and how to fix it.</summary>
internal sealed class ServerConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
