using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs;

/// <summary>A registered job type: its kind, payload type, handler and settings.</summary>
internal sealed class JobTypeDescriptor
{
    internal JobTypeDescriptor(string kind, Type argsType, Type handlerType, JobTypeOptions options,
        Func<IServiceProvider, JobAttempt, CancellationToken, Task> invoke, Func<JsonElement, string> bind)
    {
        Kind = kind;
        ArgsType = argsType;
        HandlerType = handlerType;
        Options = options;
        Invoke = invoke;
        Bind = bind;
    }

    /// <summary>The stable name, for example <c>image_extraction</c>.</summary>
    public string Kind { get; }
    /// <summary>The payload's CLR type.</summary>
    public Type ArgsType { get; }
    /// <summary>The handler's CLR type.</summary>
    public Type HandlerType { get; }
    /// <summary>The type's settings.</summary>
    public JobTypeOptions Options { get; }

    internal Func<IServiceProvider, JobAttempt, CancellationToken, Task> Invoke { get; }

    /// <summary>
    /// For a type whose attempts may be deferred and reported through the callback API (an HTTP job type): the key of its
    /// attempts' callback tokens (<see cref="JobCallbackToken"/>) and how long a deferred attempt may go unreported. Null: none.
    /// </summary>
    internal JobDeferral? Deferral { get; init; }

    /// <summary>Binds a JSON payload to the arguments type and returns canonical JSON; throws <see cref="JobValidationException"/>.</summary>
    internal Func<JsonElement, string> Bind { get; }

    internal static JobTypeDescriptor Create<TArgs, THandler>(JobTypeOptions options)
        where TArgs : IJobArgs
        where THandler : class, IJobHandler<TArgs> =>
        new(TArgs.Kind, typeof(TArgs), typeof(THandler), options,
            static async (services, attempt, ct) =>
            {
                var args = Deserialize<TArgs>(attempt.Row.Payload);
                var handler = services.GetRequiredService<THandler>();
                await handler.HandleAsync(new JobContext<TArgs>(args, attempt), ct);
            },
            static payload => JsonSerializer.Serialize(BindPayload<TArgs>(payload), JobJson.Options));

    internal static TArgs BindPayload<TArgs>(JsonElement payload)
    {
        if (payload.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            throw new JobValidationException("The payload is missing.", "payload");
        try
        {
            return payload.Deserialize<TArgs>(JobJson.Options)
                ?? throw new JobValidationException("The payload is null.", "payload");
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? "payload" : "payload" + ex.Path.TrimStart('$');
            throw new JobValidationException(PayloadErrorText.Describe(ex.Message, field), field, ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new JobValidationException(PayloadErrorText.Describe(ex.Message, "payload"), "payload", ex);
        }
    }

    /// <summary>
    /// Binds a stored payload for a run. One that does not bind (written around the enqueue's validation, or by a version
    /// with other rules) never will: the job fails for good instead of being retried until its attempts run out.
    /// </summary>
    private static TArgs Deserialize<TArgs>(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<TArgs>(payload, JobJson.Options)
                ?? throw new PermanentJobException("The stored payload is null.");
        }
        catch (JsonException ex)
        {
            throw new PermanentJobException($"The stored payload does not bind to '{TArgsName<TArgs>()}': {FirstLine(ex.Message)}", ex);
        }
    }

    private static string TArgsName<T>() => typeof(T).Name;

    private static string FirstLine(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
