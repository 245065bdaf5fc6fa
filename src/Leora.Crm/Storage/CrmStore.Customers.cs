using System.Data.Common;
using System.Text;
using Leora.Crm.Model;

namespace Leora.Crm.Storage;

internal sealed partial class CrmStore
{
    public Task<Customer?> CustomerGetAsync(long id, CancellationToken ct) => GetAsync(db.Sql.CustomerGet, id, r => Customer.Read(r, db), ct);

    public async Task<Customer?> CustomerGetByEmailAsync(DbConnection c, DbTransaction? tx, string email, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.CustomerGetByEmail);
        cmd.Add("@email", email);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Customer.Read(reader, db) : null;
    }

    /// <summary>Prepares the upsert command for reuse across a batch (bind with <see cref="BindUpsert"/>).</summary>
    public DbCommand CustomerUpsertCommand(DbConnection c, DbTransaction tx)
    {
        var cmd = CrmCommand.Create(c, tx, db.Sql.CustomerUpsert);
        cmd.Add("@email", "");
        foreach (var (_, _, json) in Customer.Fields) cmd.Add("@" + json, null);
        cmd.AddLong("@manualFields", 0).Add("@now", Now);
        return cmd;
    }

    /// <summary>Binds one customer to a command from <see cref="CustomerUpsertCommand"/>; the fields given count as entered by a person.</summary>
    public void BindUpsert(DbCommand cmd, Customer customer, bool manual = true)
    {
        cmd.Parameters["@email"].Value = customer.Email;
        foreach (var (field, _, json) in Customer.Fields)
            cmd.Parameters["@" + json].Value = (object?)Blank(customer.Get(field)) ?? DBNull.Value;
        cmd.Parameters["@manualFields"].Value = manual ? (long)customer.Present() : 0L;
        cmd.Parameters["@now"].Value = Now;
    }

    /// <summary>
    /// Upserts many customers (as entered by a person) in the caller's transaction: in one statement where the database
    /// takes a row set as arrays (PostgreSQL), else one prepared statement re-bound per row (SQLite, in-process: no round
    /// trip to save). Both give the same rows as upserting the customers one by one, in order.
    /// </summary>
    public async Task CustomerUpsertManyAsync(DbConnection c, DbTransaction tx, IReadOnlyList<Customer> customers, CancellationToken ct)
    {
        if (customers.Count == 0) return;
        if (db.Sql.CustomerUpsertMany is not { } many)
        {
            await using var upsert = CustomerUpsertCommand(c, tx);
            foreach (var customer in customers)
            {
                BindUpsert(upsert, customer);
                await upsert.ExecuteNonQueryAsync(ct);
            }
            return;
        }
        // One statement cannot update a row twice: a repeated e-mail is folded into its first row the way a second
        // upsert would apply over the first (a value given wins, an empty one keeps the earlier; the fields given add up).
        var rows = new List<(string Email, string?[] Values, long Manual)>(customers.Count);
        var index = new Dictionary<string, int>(customers.Count, StringComparer.Ordinal);
        foreach (var customer in customers)
        {
            var values = new string?[Customer.Fields.Count];
            for (var f = 0; f < values.Length; f++) values[f] = Blank(customer.Get(Customer.Fields[f].Field));
            var manual = (long)customer.Present();
            if (index.TryGetValue(customer.Email, out var at))
            {
                var (email, earlier, earlierManual) = rows[at];
                for (var f = 0; f < values.Length; f++) values[f] ??= earlier[f];
                rows[at] = (email, values, earlierManual | manual);
            }
            else
            {
                index.Add(customer.Email, rows.Count);
                rows.Add((customer.Email, values, manual));
            }
        }
        await using var cmd = CrmCommand.Create(c, tx, many);
        cmd.Add("@email", rows.Select(r => r.Email).ToArray());
        for (var f = 0; f < Customer.Fields.Count; f++)
        {
            var column = new string?[rows.Count];
            for (var r = 0; r < column.Length; r++) column[r] = rows[r].Values[f];
            cmd.Add("@" + Customer.Fields[f].Json, column);
        }
        cmd.Add("@manualFields", rows.Select(r => r.Manual).ToArray()).Add("@now", Now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<long> CustomerUpsertAsync(DbConnection c, DbTransaction tx, Customer customer, bool manual, CancellationToken ct)
    {
        await using var cmd = CustomerUpsertCommand(c, tx);
        BindUpsert(cmd, customer, manual);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Which of <paramref name="emails"/> already exist: one statement with one list parameter, whatever the batch's size.</summary>
    public async Task<HashSet<string>> CustomerExistingEmailsAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<string> emails, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (emails.Count == 0) return found;
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.CustomerExistingEmails);
        cmd.Add("@emails", db.TextList(emails));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add(reader.GetString(0));
        return found;
    }

    /// <summary>The customers whose e-mail is one of <paramref name="emails"/>, by e-mail: one statement with one list parameter.</summary>
    public async Task<Dictionary<string, Customer>> CustomersByEmailsAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<string> emails, CancellationToken ct)
    {
        var found = new Dictionary<string, Customer>(StringComparer.Ordinal);
        if (emails.Count == 0) return found;
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.CustomersByEmails);
        cmd.Add("@emails", db.TextList(emails));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var customer = Customer.Read(reader, db);
            found[customer.Email] = customer;
        }
        return found;
    }

    /// <summary>
    /// A page of customers in id order after <paramref name="after"/>: those whose e-mail is <paramref name="email"/>
    /// (exactly), whose name and company contain <paramref name="name"/> and <paramref name="company"/>, and whose e-mail,
    /// name or company contains <paramref name="text"/> (each ignoring case; a null filter is no filter).
    /// </summary>
    public async Task<IReadOnlyList<Customer>> CustomerListAsync(string? email, string? name, string? company, string? text, long? after, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, "");
        var where = new List<string>();
        if (after is not null)
        {
            where.Add("id > @after");
            cmd.AddLong("@after", after);
        }
        if (email is not null)
        {
            where.Add("email = @email");
            cmd.Add("@email", email);
        }
        if (name is not null)
        {
            where.Add(db.Sql.Contains("name", "@name"));
            cmd.Add("@name", LikeContains(name));
        }
        if (company is not null)
        {
            where.Add(db.Sql.Contains("company", "@company"));
            cmd.Add("@company", LikeContains(company));
        }
        if (text is not null)
        {
            where.Add($"({db.Sql.Contains("email", "@q")} OR {db.Sql.Contains("name", "@q")} OR {db.Sql.Contains("company", "@q")})");
            cmd.Add("@q", LikeContains(text));
        }
        cmd.CommandText = db.Sql.CustomerList + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) + " ORDER BY id LIMIT @limit";
        cmd.AddLong("@limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Customer>(limit);
        while (await reader.ReadAsync(ct)) list.Add(Customer.Read(reader, db));
        return list;
    }

    /// <summary>A LIKE pattern matching any text that contains <paramref name="value"/> (its %, _ and backslashes escaped).</summary>
    private static string LikeContains(string value) =>
        "%" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>
    /// Edits a customer as a person did (<c>PATCH</c>): sets <paramref name="values"/> (a null clears the field) and
    /// <paramref name="newEmail"/> when given, and marks the fields as entered and edited by a person, in one transaction.
    /// </summary>
    public async Task<CustomerUpdateResult> CustomerUpdateAsync(long id, IReadOnlyDictionary<CustomerField, string?> values, string? newEmail, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var current = await CustomerGetAsync(connection, tx, id, ct);
        if (current is null) return CustomerUpdateResult.NotFound;
        if (newEmail is not null && newEmail != current.Email && await CustomerGetByEmailAsync(connection, tx, newEmail, ct) is not null)
            return CustomerUpdateResult.EmailTaken;
        var sets = new StringBuilder();
        await using var update = CrmCommand.Create(connection, tx, "");
        var bits = CustomerField.None;
        foreach (var (field, value) in values)
        {
            var (_, column, json) = Customer.Fields.Single(f => f.Field == field);
            sets.Append(column).Append(" = @").Append(json).Append(", ");
            update.Add("@" + json, Blank(value));
            bits |= field;
        }
        if (newEmail is not null)
        {
            sets.Append("email = @email, ");
            update.Add("@email", newEmail);
        }
        update.CommandText = $"""
            UPDATE {db.Sql.CustomersTable} SET {sets}manual_fields = manual_fields | @bits, edited_fields = edited_fields | @bits, updated_at = @now
            WHERE id = @id
            """;
        await update.AddLong("@bits", (long)bits).Add("@now", Now).AddLong("@id", id).ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return CustomerUpdateResult.Updated;
    }

    private async Task<Customer?> CustomerGetAsync(DbConnection c, DbTransaction tx, long id, CancellationToken ct)
    {
        await using var cmd = CrmCommand.Create(c, tx, db.Sql.CustomerGet);
        cmd.AddLong("@id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Customer.Read(reader, db) : null;
    }

    /// <summary>Sets enriched fields (column names from <see cref="Customer.Fields"/> only) and records each in <c>crm_enrichments</c>, in one transaction.</summary>
    public async Task CustomerEnrichAsync(long customerId, IReadOnlyList<(CustomerField Field, string? Old, string New, string Source)> changes, long jobId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var now = Now;
        if (changes.Count > 0)
        {
            var sets = new StringBuilder();
            await using var update = CrmCommand.Create(connection, tx, "");
            foreach (var (field, _, value, _) in changes)
            {
                var column = Customer.Fields.Single(f => f.Field == field).Column;
                sets.Append(column).Append(" = @").Append(Camel(column)).Append(", ");
                update.Add("@" + Camel(column), value);
            }
            update.CommandText = $"UPDATE {db.Sql.CustomersTable} SET {sets}enriched_at = @now, updated_at = @now WHERE id = @id";
            await update.Add("@now", now).AddLong("@id", customerId).ExecuteNonQueryAsync(ct);
            foreach (var (field, old, value, source) in changes)
            {
                await using var record = CrmCommand.Create(connection, tx, db.Sql.EnrichmentInsert);
                record.AddLong("@customerId", customerId).Add("@field", Customer.Fields.Single(f => f.Field == field).Json).Add("@oldValue", old)
                    .Add("@newValue", value).Add("@source", source).AddLong("@jobId", jobId).Add("@now", now);
                await record.ExecuteNonQueryAsync(ct);
            }
        }
        else
        {
            await using var touch = CrmCommand.Create(connection, tx, $"UPDATE {db.Sql.CustomersTable} SET enriched_at = @now WHERE id = @id");
            await touch.Add("@now", now).AddLong("@id", customerId).ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<EnrichmentRecord>> EnrichmentListAsync(long customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = CrmCommand.Create(connection, null, db.Sql.EnrichmentList);
        cmd.AddLong("@customerId", customerId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<EnrichmentRecord>();
        while (await reader.ReadAsync(ct))
            list.Add(new EnrichmentRecord(reader.GetString(0), reader.GetStringOrNull(1), reader.GetString(2), reader.GetString(3), reader.GetInt64OrNull(4), db.ReadTime(reader, 5)));
        return list;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string Camel(string column) => Customer.Fields.Single(f => f.Column == column).Json;
}
