namespace Leora.Jobs.Notifications;

/// <summary>How an e-mail channel secures its SMTP connection.</summary>
public enum SmtpSecurity
{
    /// <summary>Connect in clear, then require STARTTLS (port 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465).</summary>
    Tls,
    /// <summary>No encryption: only for a relay on the same host or a test server.</summary>
    None,
}
