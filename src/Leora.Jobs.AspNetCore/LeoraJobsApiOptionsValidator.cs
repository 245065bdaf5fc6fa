using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>Validates <see cref="LeoraJobsApiOptions"/> through its own checks (source-generated, no reflection).</summary>
[OptionsValidator]
internal sealed partial class LeoraJobsApiOptionsValidator : IValidateOptions<LeoraJobsApiOptions>;
