namespace Leora.Crm.Storage;

/// <summary>What an edit of a customer did.</summary>
internal enum CustomerUpdateResult
{
    Updated,
    NotFound,
    /// <summary>The new e-mail is another customer's.</summary>
    EmailTaken,
}
