using System.Data.Common;

namespace Leora.Crm.Model;

/// <summary>A customer row. Field values are null when unknown.</summary>
internal sealed record Customer
{
    public long Id { get; init; }
    public required string Email { get; init; }
    public string? Name { get; init; }
    public string? Phone { get; init; }
    public string? Company { get; init; }
    public string? Title { get; init; }
    public string? Website { get; init; }
    public string? Industry { get; init; }
    public string? CompanySize { get; init; }
    public string? Description { get; init; }
    public string? Address { get; init; }
    public string? City { get; init; }
    public string? Region { get; init; }
    public string? Country { get; init; }
    public string? Status { get; init; }
    public string? Source { get; init; }
    public string? PostalCode { get; init; }

    /// <summary>Fields entered by a person, in an import or through the API: enrichment never overwrites them.</summary>
    public CustomerField ManualFields { get; init; }

    /// <summary>Fields a person edited through the API (<c>PATCH /customers/{id}</c>): neither imports nor enrichment overwrite them.</summary>
    public CustomerField EditedFields { get; init; }

    public DateTimeOffset? EnrichedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The fields with their column and JSON names (postal_code, added by migration 002, comes last in <see cref="Storage.CrmSql.CustomerColumns"/> too).</summary>
    public static readonly IReadOnlyList<(CustomerField Field, string Column, string Json)> Fields =
    [
        (CustomerField.Name, "name", "name"), (CustomerField.Phone, "phone", "phone"), (CustomerField.Company, "company", "company"),
        (CustomerField.Title, "title", "title"), (CustomerField.Website, "website", "website"), (CustomerField.Industry, "industry", "industry"),
        (CustomerField.CompanySize, "company_size", "companySize"), (CustomerField.Description, "description", "description"),
        (CustomerField.Address, "address", "address"), (CustomerField.City, "city", "city"), (CustomerField.Region, "region", "region"),
        (CustomerField.Country, "country", "country"), (CustomerField.Status, "status", "status"), (CustomerField.Source, "source", "source"),
        (CustomerField.PostalCode, "postal_code", "postalCode"),
    ];

    public string? Get(CustomerField field) => field switch
    {
        CustomerField.Name => Name, CustomerField.Phone => Phone, CustomerField.Company => Company, CustomerField.Title => Title,
        CustomerField.Website => Website, CustomerField.Industry => Industry, CustomerField.CompanySize => CompanySize,
        CustomerField.Description => Description, CustomerField.Address => Address, CustomerField.City => City,
        CustomerField.Region => Region, CustomerField.Country => Country, CustomerField.Status => Status, CustomerField.Source => Source,
        CustomerField.PostalCode => PostalCode,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>The fields that hold a value.</summary>
    public CustomerField Present() => Fields.Where(f => !string.IsNullOrEmpty(Get(f.Field))).Aggregate(CustomerField.None, (a, f) => a | f.Field);

    public static Customer Read(DbDataReader r, Storage.CrmDatabase db)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new()
        {
        Id = r.GetInt64(0), Email = r.GetString(1), Name = S(2), Phone = S(3), Company = S(4), Title = S(5), Website = S(6),
        Industry = S(7), CompanySize = S(8), Description = S(9), Address = S(10), City = S(11), Region = S(12), Country = S(13),
        Status = S(14), Source = S(15), ManualFields = (CustomerField)r.GetInt64(16), EnrichedAt = db.ReadTimeOrNull(r, 17),
        CreatedAt = db.ReadTime(r, 18), UpdatedAt = db.ReadTime(r, 19), PostalCode = S(20), EditedFields = (CustomerField)r.GetInt64(21),
        };
    }
}
