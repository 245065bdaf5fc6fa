namespace Leora.Jobs.PostgreSql;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed class PostgreSqlJobStoreOptions
{
    /// <summary>The Npgsql connection string. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema that holds Leora's tables (created by the migrations). Lower-case letters, digits and <c>_</c>. Defaults to <c>leora</c>.</summary>
    public string Schema { get; set; } = "leora";
}
