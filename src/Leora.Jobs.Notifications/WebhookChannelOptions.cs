namespace Leora.Jobs.Notifications;

/// <summary>
/// A generic webhook channel: a JSON event POSTed to <see cref="Url"/>, signed per the Standard Webhooks specification
/// (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>), so the receiver can verify it with an
/// off-the-shelf library.
/// </summary>
public sealed class WebhookChannelOptions
{
    /// <summary>Where events are POSTed. Required.</summary>
    public Uri? Url { get; set; }

    /// <summary>The signing secret, <c>whsec_</c> and base64 (24 to 64 random bytes). Required; a secret.</summary>
    public string? Secret { get; set; }
}
