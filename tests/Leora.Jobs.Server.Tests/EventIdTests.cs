using System.Reflection;
using System.Runtime.Loader;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Server.Tests;

/// <summary>Every log event of the product has its own id, taken from the one table (<c>LeoraJobsEventId</c>).</summary>
public sealed class EventIdTests
{
    // Every shipped assembly that logs. The service's output holds them all (this project runs it, not references it).
    private static readonly string[] Shipped =
    [
        "Leora.Jobs", "Leora.Jobs.Sqlite", "Leora.Jobs.PostgreSql", "Leora.Jobs.Webhooks",
        "Leora.Jobs.AspNetCore", "Leora.Jobs.Dashboard", "leora-jobs", "Leora.Crm",
    ];

    private static readonly ServiceLoadContext Service = new();

    private static List<(int Id, string Method)> LogEvents() =>
        [.. from name in Shipped
            let assembly = Service.LoadFromAssemblyName(new AssemblyName(name))
            from type in assembly.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            let id = EventId(method)
            where id is not null
            select (id.Value, $"{name}: {type.FullName}.{method.Name}")];

    // Read from the attribute's data, not as a LoggerMessageAttribute: the service's copy of the logging abstractions
    // may be another load of the assembly than the test's.
    private static int? EventId(MethodInfo method)
    {
        var data = method.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == typeof(LoggerMessageAttribute).FullName);
        if (data is null) return null;
        foreach (var named in data.NamedArguments)
            if (named.MemberName == nameof(LoggerMessageAttribute.EventId)) return (int)named.TypedValue.Value!;
        return data.ConstructorArguments.Count > 0 && data.ConstructorArguments[0].ArgumentType == typeof(int)
            ? (int)data.ConstructorArguments[0].Value!
            : -1;
    }

    private static List<(int Id, string Name)> Table() =>
        [.. Service.LoadFromAssemblyName(new AssemblyName("Leora.Jobs")).GetType("Leora.Jobs.LeoraJobsEventId", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => ((int)f.GetRawConstantValue()!, f.Name))];

    [Fact]
    public void No_two_log_events_share_an_id()
    {
        var events = LogEvents();
        Assert.True(events.Count > 40, $"only {events.Count} log events found");
        var shared = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ToList();
        Assert.True(shared.Count == 0, "Event ids used twice: " + string.Join("; ", shared));
    }

    [Fact]
    public void Every_log_event_id_is_in_the_table_and_the_table_has_no_id_twice()
    {
        var table = Table();
        Assert.Empty(table.GroupBy(t => t.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Name))}"));
        var ids = table.Select(t => t.Id).ToHashSet();
        var missing = LogEvents().Where(e => !ids.Contains(e.Id)).Select(e => $"{e.Id} ({e.Method})").ToList();
        Assert.True(missing.Count == 0, "Event ids not in LeoraJobsEventId: " + string.Join(", ", missing));
    }

    /// <summary>The service's own assemblies, resolved as the service resolves them; the shared framework from the default context.</summary>
    private sealed class ServiceLoadContext() : AssemblyLoadContext("leora-jobs")
    {
        private readonly AssemblyDependencyResolver _resolver = new(ProcessRunner.LeoraJobsDll);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
