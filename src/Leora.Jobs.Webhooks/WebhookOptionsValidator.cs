using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>Validates <see cref="WebhookOptions"/>: its DataAnnotations attributes and its own checks (source-generated, no reflection).</summary>
[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
