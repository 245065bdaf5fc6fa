namespace Leora.Jobs.Webhooks;

/// <summary>A webhook target refused by the server-side request forgery guard (a non-public address, not in the allowed hosts).</summary>
public sealed class WebhookRefusedException : Exception
{
    public WebhookRefusedException() { }
    public WebhookRefusedException(string message) : base(message) { }
    public WebhookRefusedException(string message, Exception innerException) : base(message, innerException) { }
}
