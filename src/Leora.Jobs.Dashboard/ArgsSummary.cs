using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// A job's arguments in one short line for a list row (issue 19; Sidekiq shows them too): <c>email: "ana@example.com", name: "Ana"</c>.
/// Only the top level is named; nested objects and arrays are abbreviated, long strings cut, the whole kept under a bound.
/// </summary>
internal static class ArgsSummary
{
    public const int MaxLength = 120;
    private const int MaxString = 40;

    public static string Of(JsonElement payload)
    {
        var text = new StringBuilder();
        switch (payload.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in payload.EnumerateObject())
                {
                    if (text.Length > 0) text.Append(", ");
                    text.Append(p.Name).Append(": ");
                    Value(text, p.Value);
                    if (text.Length > MaxLength) break;
                }
                break;
            case JsonValueKind.Undefined:
                break;
            default:
                Value(text, payload);
                break;
        }
        return text.Length <= MaxLength ? text.ToString() : text.ToString(0, MaxLength - 1) + "…";
    }

    private static void Value(StringBuilder text, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var s = value.GetString() ?? "";
                text.Append('"').Append(s.Length <= MaxString ? s : s[..(MaxString - 1)] + "…").Append('"');
                break;
            case JsonValueKind.Object:
                text.Append(value.EnumerateObject().Any() ? "{…}" : "{}");
                break;
            case JsonValueKind.Array:
                text.Append('[').Append(value.GetArrayLength().ToString(CultureInfo.InvariantCulture)).Append(" items]");
                break;
            default:
                text.Append(value.GetRawText());
                break;
        }
    }
}
