using System.Text.RegularExpressions;

namespace Leora.Jobs;

/// <summary>
/// Why a payload does not bind, in the words of its JSON: System.Text.Json's messages name .NET types
/// (<c>'Leora.Jobs.Webhooks.WebhookArgs'</c>, <c>System.Int32</c>) that a caller of the API or the CLI never sees. The
/// type's payload schema (<c>GET /api/jobs/types</c>) lists the fields.
/// </summary>
internal static partial class PayloadErrorText
{
    /// <summary>The message for a payload that failed to bind at <paramref name="field"/> (<c>payload</c>, <c>payload.url</c>).</summary>
    public static string Describe(string message, string field)
    {
        if (MissingRequired().Match(message) is { Success: true } missing)
            return $"The payload is missing required fields: {missing.Groups["names"].Value.Replace("'", "", StringComparison.Ordinal)}.";
        if (Unmapped().Match(message) is { Success: true } unmapped)
            return $"'{unmapped.Groups["name"].Value}' is not a field of this job type's payload; see its payload schema (GET /api/jobs/types).";
        if (NotConverted().Match(message) is { Success: true } converted)
            return $"{field} must be {Expected(converted.Groups["type"].Value)}.";
        var first = WithoutPath(message);
        return NamesDotNetType(first)
            ? $"{field} has a value of the wrong JSON type for this job type's payload."
            : $"The payload is not valid: {first}";
    }

    /// <summary>A System.Text.Json message up to the " Path: …" it appends (the field is named apart).</summary>
    internal static string WithoutPath(string message) =>
        message.IndexOf(" Path:", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;

    /// <summary>
    /// Whether <paramref name="text"/> names a .NET type (<c>System.Int32</c>, <c>Leora.Jobs.…</c>, <c>List`1</c>), which a
    /// caller of the API or the CLI never sees; the HTTP API's own field errors (<c>ApiErrorText</c>) ask the same.
    /// </summary>
    internal static bool NamesDotNetType(string text) =>
        text.Contains("System.", StringComparison.Ordinal) || text.Contains("Leora.", StringComparison.Ordinal) || GenericArity().IsMatch(text);

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("Int", StringComparison.Ordinal) => "a whole number (a JSON number without quotes)",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("DateTime", StringComparison.Ordinal) => "a date and time in ISO 8601",
        _ when type.Contains("Guid", StringComparison.Ordinal) => "a UUID",
        _ when type.Contains("Uri", StringComparison.Ordinal) => "a URL",
        _ when type.Contains("String", StringComparison.Ordinal) => "a string",
        _ when type.Contains("[]", StringComparison.Ordinal) || type.Contains("List", StringComparison.Ordinal) => "an array",
        _ when type.Contains("Dictionary", StringComparison.Ordinal) => "a JSON object",
        _ => "of another JSON type (see the type's payload schema)",
    };

    // A generic type's name (List`1); a lone backtick may be part of a message's own text (the header token characters).
    [GeneratedRegex(@"`\d")]
    private static partial Regex GenericArity();

    [GeneratedRegex(@"missing required properties including: (?<names>.*?)\.?(?: Path:|$)")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex Unmapped();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>[^ ]+?)\.(?: Path:|$)")]
    private static partial Regex NotConverted();
}
