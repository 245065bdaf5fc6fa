using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>Validates <see cref="WebhookOptions"/> (source-generated, no reflection): its DataAnnotations attributes, if any, and its own checks.</summary>
[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
