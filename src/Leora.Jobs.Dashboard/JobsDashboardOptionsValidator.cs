using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>Validates <see cref="JobsDashboardOptions"/>: its DataAnnotations attributes and its own checks (source-generated, no reflection).</summary>
[OptionsValidator]
internal sealed partial class JobsDashboardOptionsValidator : IValidateOptions<JobsDashboardOptions>;
