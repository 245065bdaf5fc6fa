namespace Leora.Jobs.Notifications;

/// <summary>
/// The payload of a <c>leora.notification</c> job: the channel's name and the message. No secret: the channel's URL,
/// password or signing secret is read from <see cref="NotificationOptions"/> when the job runs.
/// </summary>
internal sealed record NotificationArgs(string Channel, NotificationMessage Message) : IJobArgs
{
    /// <summary>The built-in type's name. Jobs of this type never cause a notification themselves.</summary>
    public static string Kind => "leora.notification";
}
