using System.Text.Json;
using System.Text.Json.Serialization;

namespace Leora.Jobs.Webhooks;

// Converters validate while binding, so a bad URL, method, header or timeout is refused at enqueue with the field named
// ("payload.url"), never discovered when the job runs (DESIGN.md invariant 10). A stored payload that no longer binds
// (written around the validation) fails its job for good when it runs (JobTypeDescriptor).

internal sealed class WebhookUrlConverter : JsonConverter<Uri>
{
    public override Uri Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("url must be a string.");
        var text = reader.GetString();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new JsonException("url must be an absolute http or https URL.");
        if (!string.IsNullOrEmpty(uri.UserInfo)) throw new JsonException("url must not carry credentials; send them in headers.");
        return uri;
    }

    public override void Write(Utf8JsonWriter writer, Uri value, JsonSerializerOptions options) => writer.WriteStringValue(value.OriginalString);
}

internal sealed class WebhookMethodConverter : JsonConverter<string>
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal) { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS" };

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("method must be a string.");
        var method = reader.GetString()!.Trim().ToUpperInvariant();
        if (!Allowed.Contains(method)) throw new JsonException($"method must be one of {string.Join(", ", Allowed)}.");
        return method;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

internal sealed class WebhookTimeoutConverter : JsonConverter<int?>
{
    public const int Max = 300;

    public override bool HandleNull => true;

    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var seconds) || seconds is < 1 or > Max)
            throw new JsonException($"timeoutSeconds must be a whole number from 1 to {Max}.");
        return seconds;
    }

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteNumberValue(v);
        else writer.WriteNullValue();
    }
}

internal sealed class WebhookHeadersConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("headers must be an object of names and string values.");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException(WebhookHeaders.Problem(name, "") ?? $"Header '{name}' must have a string value.");
            var value = reader.GetString()!;
            if (WebhookHeaders.Problem(name, value) is { } problem) throw new JsonException(problem);
            headers[name] = value;
        }
        return headers;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, v) in value) writer.WriteString(name, v);
        writer.WriteEndObject();
    }
}
