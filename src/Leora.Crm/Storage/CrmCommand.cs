using System.Data;
using System.Data.Common;

namespace Leora.Crm.Storage;

/// <summary>Small helpers over <see cref="DbCommand"/> shared by both databases.</summary>
internal static class CrmCommand
{
    public static DbCommand Create(DbConnection connection, DbTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    public static async Task ExecAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(sql)) return;
        await using var cmd = Create(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = Create(connection, tx, sql);
        return await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>Adds a parameter; a null is sent typed (PostgreSQL cannot infer the type of an untyped null in every position).</summary>
    public static DbCommand Add(this DbCommand cmd, string name, object? value, DbType? nullType = null)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        switch (value)
        {
            case null:
                p.Value = DBNull.Value;
                p.DbType = nullType ?? DbType.String;
                break;
            case string s:
                p.Value = s;
                p.DbType = DbType.String;
                break;
            case long or int:
                p.Value = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                p.DbType = DbType.Int64;
                break;
            default:
                p.Value = value;
                break;
        }
        cmd.Parameters.Add(p);
        return cmd;
    }

    public static DbCommand AddLong(this DbCommand cmd, string name, long? value) => cmd.Add(name, value, DbType.Int64);

    public static string? GetStringOrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetInt64OrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
