using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>Validates <see cref="JobsOptions"/>: its DataAnnotations attributes and its own checks (source-generated, no reflection).</summary>
[OptionsValidator]
internal sealed partial class JobsOptionsValidator : IValidateOptions<JobsOptions>;
