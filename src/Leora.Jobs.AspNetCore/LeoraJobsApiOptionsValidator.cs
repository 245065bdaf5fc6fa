using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>Validates <see cref="LeoraJobsApiOptions"/> from its DataAnnotations attributes (source-generated, no reflection).</summary>
[OptionsValidator]
internal sealed partial class LeoraJobsApiOptionsValidator : IValidateOptions<LeoraJobsApiOptions>;
