using System.Reflection;
using System.Runtime.ExceptionServices;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>
/// The store as registered, with its completion writes (<see cref="IJobStore.JobCompleteAsync"/>,
/// <see cref="IJobStore.JobCompleteManyAsync"/>) held until a gate opens: a commit that is slow to land. Every other
/// call goes straight through.
/// </summary>
public class CompletionGate : DispatchProxy
{
    private IJobStore _inner = null!;
    private Task _gate = Task.CompletedTask;

    /// <summary>Replaces the builder's store registration with the gated one.</summary>
    public static void Wrap(LeoraJobsBuilder builder, Task gate)
    {
        var registered = builder.Services.Last(s => s.ServiceType == typeof(IJobStore));
        builder.Services.AddSingleton(sp =>
        {
            var inner = (IJobStore)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!));
            var proxy = Create<IJobStore, CompletionGate>();
            var gated = (CompletionGate)(object)proxy;
            gated._inner = inner;
            gated._gate = gate;
            return proxy;
        });
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name is nameof(IJobStore.JobCompleteAsync) or nameof(IJobStore.JobCompleteManyAsync))
            return typeof(CompletionGate).GetMethod(nameof(HeldAsync), BindingFlags.NonPublic | BindingFlags.Instance)!
                .MakeGenericMethod(targetMethod.ReturnType.GetGenericArguments()[0]).Invoke(this, [targetMethod, args]);
        return Call(targetMethod, args);
    }

    private async Task<T> HeldAsync<T>(MethodInfo method, object?[]? args)
    {
        await _gate;
        return await (Task<T>)Call(method, args)!;
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
