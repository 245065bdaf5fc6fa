namespace Leora.Jobs.Notifications;

/// <summary>An e-mail channel: an SMTP server, a sender and recipients. Messages have a plain-text and an HTML part.</summary>
public sealed class EmailChannelOptions
{
    /// <summary>The SMTP server's host. Required.</summary>
    public string? Host { get; set; }

    /// <summary>The SMTP server's port. Defaults to 587 (submission with STARTTLS).</summary>
    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured. Defaults to <see cref="SmtpSecurity.StartTls"/>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>The user to authenticate as. Defaults to null: no authentication.</summary>
    public string? User { get; set; }

    /// <summary>The user's password (a secret). Defaults to null.</summary>
    public string? Password { get; set; }

    /// <summary>The sender's address. Required.</summary>
    public string? From { get; set; }

    /// <summary>The recipients' addresses. At least one.</summary>
    public IList<string> To { get; } = [];
}
