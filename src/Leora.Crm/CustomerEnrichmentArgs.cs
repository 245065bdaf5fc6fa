using Leora.Jobs;

namespace Leora.Crm;

/// <summary>Payload of <c>customer_enrichment</c>: fill in what customer <see cref="CustomerId"/> is missing.</summary>
public sealed record CustomerEnrichmentArgs(long CustomerId) : IJobArgs
{
    public static string Kind => "customer_enrichment";
}
