namespace Leora.Jobs;

/// <summary>The job types registered in this service provider, by kind.</summary>
internal sealed class JobTypeRegistry
{
    private readonly Dictionary<string, JobTypeDescriptor> _byKind;

    internal JobTypeRegistry(IEnumerable<JobTypeDescriptor> descriptors)
    {
        _byKind = new(StringComparer.Ordinal);
        foreach (var d in descriptors)
        {
            if (!_byKind.TryAdd(d.Kind, d))
                throw new DuplicateJobTypeException(
                    $"Job type '{d.Kind}' is registered twice ({_byKind[d.Kind].ArgsType.FullName} and {d.ArgsType.FullName}).");
        }
        Kinds = _byKind.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every registered kind, sorted; one instance for the life of the registry (a claim's <see cref="Storage.JobClaimParams.Kinds"/>).</summary>
    public IReadOnlyList<string> Kinds { get; }

    /// <summary>Every registered type, sorted by kind.</summary>
    public IEnumerable<JobTypeDescriptor> All => Kinds.Select(k => _byKind[k]);

    /// <summary>Looks a kind up.</summary>
    public bool TryGet(string kind, out JobTypeDescriptor descriptor) => _byKind.TryGetValue(kind, out descriptor!);

    /// <summary>Looks a kind up; throws <see cref="UnknownJobTypeException"/> naming the known kinds.</summary>
    public JobTypeDescriptor Get(string kind) =>
        _byKind.TryGetValue(kind, out var d) ? d : throw new UnknownJobTypeException(kind, Kinds);
}
