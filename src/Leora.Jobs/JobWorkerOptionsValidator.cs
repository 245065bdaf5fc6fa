using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>Validates <see cref="JobWorkerOptions"/> (source-generated, no reflection): its DataAnnotations attributes, if any, and its own checks.</summary>
[OptionsValidator]
internal sealed partial class JobWorkerOptionsValidator : IValidateOptions<JobWorkerOptions>;
