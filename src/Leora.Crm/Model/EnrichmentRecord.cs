namespace Leora.Crm.Model;

/// <summary>One enriched field: what, from what to what, from where (<c>normalisation</c> or <c>claude:&lt;model&gt;</c>) and when.</summary>
internal sealed record EnrichmentRecord(string Field, string? OldValue, string NewValue, string Source, long? JobId, DateTimeOffset EnrichedAt);
