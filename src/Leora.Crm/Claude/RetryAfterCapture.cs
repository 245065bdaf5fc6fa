using System.Globalization;

namespace Leora.Crm.Claude;

/// <summary>
/// Captures the <c>retry-after</c> header of the last Claude response in the caller's async flow: the SDK's exceptions
/// carry the status and body, not the headers. The caller sets a box in an <see cref="AsyncLocal{T}"/>, the handler
/// (below it in the same flow) fills it in.
/// </summary>
internal sealed class RetryAfterCapture
{
    private static readonly AsyncLocal<RetryAfterCapture?> Current = new();

    public TimeSpan? RetryAfter { get; private set; }

    public static RetryAfterCapture Begin() => Current.Value = new RetryAfterCapture();

    public static void End() => Current.Value = null;

    /// <summary>The handler in the SDK's HTTP pipeline that reads the header.</summary>
    public sealed class Handler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Current.Value is { } box) box.RetryAfter = Parse(response);
            return response;
        }

        private static TimeSpan? Parse(HttpResponseMessage response)
        {
            // Anthropic also sends retry-after-ms on some answers: the finer one wins.
            if (response.Headers.TryGetValues("retry-after-ms", out var ms)
                && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
                return TimeSpan.FromMilliseconds(millis);
            if (response.Headers.RetryAfter is { } ra)
            {
                if (ra.Delta is { } delta) return delta;
                if (ra.Date is { } date) return date - DateTimeOffset.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
            }
            return null;
        }
    }
}
