using System.Text.Json;
using System.Text.RegularExpressions;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Error messages in the API's words: what System.Text.Json and the minimal API's binding say names .NET types
/// (<c>System.Nullable`1[System.Int32]</c>, <c>Leora.Jobs.AspNetCore.EnqueueRequest</c>); a client knows only JSON and the
/// documented fields.
/// </summary>
internal static partial class ApiErrorText
{
    /// <summary>A JSON body's binding error: the field (a path such as <c>jobs[3].priority</c>, or <c>body</c>) and why.</summary>
    public static (string Field, string Message) Describe(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var field = error.Path is null or "$" ? "body" : error.Path.TrimStart('$', '.');
        var message = error.Message;
        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups["name"].Value;
            var at = field == "body" ? name : field.EndsWith(name, StringComparison.Ordinal) ? field : field + "." + name;
            return (at, $"'{name}' is not a known field; see the API's document for the fields it takes.");
        }
        if (NotConverted().Match(message) is { Success: true } converted)
        {
            // The type in the message is the member's own, or (for a record's constructor parameter) the record's: the
            // field's documented name tells what it takes where the type does not.
            var type = converted.Groups["type"].Value;
            var expected = KnownFields.TryGetValue(LastSegment(field), out var known) ? known : Expected(type);
            return (field, $"{field} must be {expected}.");
        }
        if (MissingRequired().Match(message) is { Success: true } missing)
            return (field, $"Required fields are missing: {missing.Groups["names"].Value}.");
        return (field, FirstSentence(message));
    }

    /// <summary>A query or route value that did not bind (<c>Failed to bind parameter "Nullable&lt;int&gt; maxJobs" from "abc".</c>).</summary>
    public static string Describe(string bindingMessage)
    {
        ArgumentNullException.ThrowIfNull(bindingMessage);
        if (FailedToBind().Match(bindingMessage) is not { Success: true } m) return bindingMessage;
        var name = m.Groups["name"].Value;
        return $"The value '{m.Groups["value"].Value}' of {name} is not valid: {name} must be {Expected(m.Groups["type"].Value)}.";
    }

    /// <summary>The message up to its "Path:" part (System.Text.Json appends the path and position).</summary>
    public static string FirstSentence(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = PayloadErrorText.WithoutPath(message);
        return PayloadErrorText.NamesDotNetType(text) ? "The value has the wrong JSON type for this field." : text;
    }

    private const string WholeNumber = "a whole number (a JSON number without quotes)";
    private const string Number = "a number (a JSON number without quotes)";
    private const string Text = "a string";
    private const string Time = "a date and time in ISO 8601 (2026-12-01T09:30:00Z)";

    // The request fields of the API (jobs, bulk jobs, schedules), by what they take.
    private static readonly Dictionary<string, string> KnownFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["priority"] = WholeNumber, ["maxAttempts"] = WholeNumber, ["delaySeconds"] = Number, ["runAt"] = Time,
        ["type"] = Text, ["queue"] = Text, ["idempotencyKey"] = Text, ["concurrencyKey"] = Text,
        ["name"] = Text, ["misfireLimit"] = WholeNumber, ["cron"] = Text, ["timeZone"] = Text, ["misfire"] = Text, ["overlap"] = Text, ["enabled"] = "true or false",
        ["jobs"] = "an array of jobs", ["payload"] = "a JSON value",
    };

    private static string LastSegment(string field)
    {
        var dot = field.LastIndexOf('.');
        var name = dot >= 0 ? field[(dot + 1)..] : field;
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? name[..bracket] : name;
    }

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal)
            || type.Contains("int", StringComparison.Ordinal) || type.Contains("long", StringComparison.Ordinal) => WholeNumber,
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("double", StringComparison.Ordinal) => Number,
        _ when type.Contains("Boolean", StringComparison.Ordinal) || type.Contains("bool", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("DateTimeOffset", StringComparison.Ordinal) => Time,
        _ when type.Contains("String", StringComparison.Ordinal) || type.Contains("string", StringComparison.Ordinal) => Text,
        _ when type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) => "an array",
        _ when type.Contains("JsonElement", StringComparison.Ordinal) => "a JSON value",
        _ => "of another JSON type",
    };

    [GeneratedRegex(@"^The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>[^ ]+?)\.(?: Path:|$)")]
    private static partial Regex NotConverted();

    [GeneratedRegex(@"missing required properties including: (?<names>.*?)\.?(?: Path:|$)")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^Failed to bind parameter ""(?<type>.*?) (?<name>[^ ""]+)"" from ""(?<value>.*)""\.?$")]
    private static partial Regex FailedToBind();
}
