namespace Leora.Crm.Model;

/// <summary>The customer fields other than e-mail (the key), as bits of <c>crm_customers.manual_fields</c>.</summary>
[Flags]
internal enum CustomerField : long
{
    None = 0,
    Name = 1 << 0,
    Phone = 1 << 1,
    Company = 1 << 2,
    Title = 1 << 3,
    Website = 1 << 4,
    Industry = 1 << 5,
    CompanySize = 1 << 6,
    Description = 1 << 7,
    Address = 1 << 8,
    City = 1 << 9,
    Region = 1 << 10,
    Country = 1 << 11,
    Status = 1 << 12,
    Source = 1 << 13,
    PostalCode = 1 << 14,
}
