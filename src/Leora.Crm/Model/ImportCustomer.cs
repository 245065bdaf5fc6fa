namespace Leora.Crm.Model;

/// <summary>A customer an import created or changed: at which row of the file, how (<c>created</c> or <c>changed</c>), and who.</summary>
internal sealed record ImportCustomer(long CustomerId, long Row, string Change, string Email, string? Name);
