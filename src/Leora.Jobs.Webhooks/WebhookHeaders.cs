using System.Globalization;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// The rules a webhook's request headers must follow, checked at enqueue (<see cref="WebhookHeadersConverter"/>) and again
/// by the handler before anything is sent. A name must be an RFC 9110 token; a value may hold visible ASCII, spaces and
/// tabs only. A CR or LF sent verbatim would end the header early: <c>"a\r\nHost: evil.example"</c> adds a second Host
/// header (getting round the rule below), and a longer value smuggles a whole second request onto the connection.
/// <c>Host</c> may not be set: it is taken from the URL, which the SSRF guard checks.
/// </summary>
internal static class WebhookHeaders
{
    /// <summary>Null when the header may be sent, else why not (the message names the header).</summary>
    public static string? Problem(string name, string? value)
    {
        if (name.Length == 0) return "A header name is empty.";
        foreach (var c in name)
        {
            if (!IsTokenChar(c))
                return $"Header name '{Printable(name)}' is not valid: it contains {Describe(c)}; a name is letters, digits and !#$%&'*+-.^_`|~ only.";
        }
        if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            return "The Host header may not be set; it is taken from the url.";
        if (value is null) return $"Header '{name}' has no value.";
        foreach (var c in value)
        {
            if (c == '\t' || c is >= ' ' and <= '~') continue;
            return c is < ' ' or '\u007F'
                ? $"Header '{name}' has a control character ({Describe(c)}) in its value; CR, LF and other control characters are refused."
                : $"Header '{name}' has a non-ASCII character ({Describe(c)}) in its value; header values are sent as ASCII.";
        }
        return null;
    }

    /// <summary>The first problem of <paramref name="headers"/>, or null.</summary>
    public static string? Problem(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null) return null;
        foreach (var (name, value) in headers)
            if (Problem(name, value) is { } problem) return problem;
        return null;
    }

    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static string Describe(char c) => c switch
    {
        '\r' => "a carriage return (U+000D)",
        '\n' => "a line feed (U+000A)",
        ' ' => "a space",
        _ => string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}"),
    };

    /// <summary>The name with control characters shown as \uXXXX, so a message never carries a raw line break.</summary>
    private static string Printable(string name) =>
        string.Concat(name.Select(c => c is < ' ' or '\u007F' ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : c.ToString()));
}
