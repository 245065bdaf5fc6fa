using Microsoft.Extensions.Options;

namespace Leora.Crm;

/// <summary>Validates <see cref="CrmOptions"/> (source-generated, no reflection) through its own checks.</summary>
[OptionsValidator]
internal sealed partial class CrmOptionsValidator : IValidateOptions<CrmOptions>;
