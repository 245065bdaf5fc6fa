using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>Runs a validator outside the options pipeline, for options built by hand, failing as the pipeline would.</summary>
internal static class OptionsValidation
{
    /// <summary>Throws <see cref="OptionsValidationException"/> with every failure when <paramref name="options"/> is invalid.</summary>
    public static void ThrowIfInvalid<T>(this IValidateOptions<T> validator, T options) where T : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
    }
}
