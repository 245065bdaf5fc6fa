using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// A starting point for the enqueue form: a JSON object with the payload type's properties (camelCase, as
/// <see cref="JobJson.Options"/> binds them) and a placeholder value of each one's type. Only a hint; the
/// enqueue itself validates the payload against the type.
/// </summary>
internal static class PayloadTemplate
{
    public static JsonElement For(Type argsType)
    {
        var obj = new JsonObject();
        var policy = JobJson.Options.PropertyNamingPolicy;
        foreach (var p in argsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetMethod is null) continue;
            var name = policy?.ConvertName(p.Name) ?? p.Name;
            obj[name] = Placeholder(p.PropertyType, 0);
        }
        return JsonSerializer.SerializeToElement(obj);
    }

    private static JsonNode? Placeholder(Type t, int depth)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u == typeof(string)) return "";
        if (u == typeof(bool)) return false;
        if (u == typeof(Guid)) return Guid.Empty.ToString();
        if (u == typeof(DateTimeOffset) || u == typeof(DateTime)) return "2026-01-01T00:00:00Z";
        if (u == typeof(TimeSpan)) return "00:00:00";
        if (u.IsEnum) return Enum.GetNames(u).FirstOrDefault() ?? "";
        if (u.IsPrimitive || u == typeof(decimal)) return 0;
        if (u != typeof(string) && u.IsAssignableTo(typeof(System.Collections.IEnumerable))) return new JsonArray();
        if (depth >= 2) return null;
        var obj = new JsonObject();
        foreach (var p in u.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetMethod is null) continue;
            obj[JobJson.Options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name] = Placeholder(p.PropertyType, depth + 1);
        }
        return obj;
    }
}
