using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Leora.Jobs;

/// <summary>
/// What both stores can hold, checked before anything reaches a table so that input is refused with a 400 naming
/// the field instead of failing in the database: PostgreSQL's <c>text</c> and <c>jsonb</c> reject a NUL character
/// (SQLSTATE 22021, 22P05), <c>jsonb</c> rejects an unpaired surrogate escape and numbers past its numeric range
/// (<c>1e999999</c>), and .NET cannot read such strings and numbers back. SQLite would keep some of these; they are
/// refused there too, so that a job means the same on either store.
/// </summary>
internal static class StoredText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Why <paramref name="value"/> cannot be stored as text, or null when it can.</summary>
    public static string? Problem(string value)
    {
        var span = value.AsSpan();
        if (span.Contains('\0')) return "contains a NUL character (\\u0000)";
        for (var i = 0; i < span.Length; i++)
        {
            if (!char.IsSurrogate(span[i])) continue;
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1])) { i++; continue; }
            return "contains an unpaired surrogate (not valid Unicode)";
        }
        return null;
    }

    /// <summary>
    /// <paramref name="value"/> with every character a store cannot hold (NUL, an unpaired surrogate) replaced by
    /// U+FFFD. For what a handler produces (an error message, a progress message), which is not refused like input:
    /// an outcome that cannot be written would leave its job running until the lease runs out, then run it again.
    /// </summary>
    public static string Storable(string value)
    {
        if (Problem(value) is null) return value;
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '\0') chars[i] = '\uFFFD';
            else if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>
    /// A handler's result JSON made storable, as <see cref="Storable"/> does for text: strings and property names
    /// with a NUL or an unpaired surrogate get U+FFFD in its place, and a number out of a double's range is kept as
    /// a string of its digits. The common case (nothing to change) returns <paramref name="json"/> itself.
    /// </summary>
    public static string StorableJson(string json)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(json);
        }
        catch (EncoderFallbackException)
        {
            // A raw unpaired surrogate (not an escape) in the text: make the text valid first.
            bytes = StrictUtf8.GetBytes(Storable(json));
        }
        if (FirstProblem(bytes).Problem is null) return Encoding.UTF8.GetString(bytes);

        var output = new ArrayBufferWriter<byte>(bytes.Length);
        using (var writer = new Utf8JsonWriter(output))
        {
            var reader = new Utf8JsonReader(bytes);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName: writer.WritePropertyName(Storable(Unescaped(ref reader))); break;
                    case JsonTokenType.String: writer.WriteStringValue(Storable(Unescaped(ref reader))); break;
                    case JsonTokenType.Number:
                        if (reader.TryGetDouble(out var d) && double.IsFinite(d) && !(d == 0 && HasNonZeroDigit(reader.ValueSpan)) && !LargeExponent(reader.ValueSpan))
                            writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        else
                            writer.WriteStringValue(reader.ValueSpan);
                        break;
                    case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                    case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                    case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                    case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                    case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                    case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                    case JsonTokenType.Null: writer.WriteNullValue(); break;
                }
            }
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>A string token's value; an unpaired surrogate escape (which the reader refuses to decode) becomes U+FFFD.</summary>
    private static string Unescaped(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var raw = reader.ValueSpan;
            var text = new StringBuilder(raw.Length);
            for (var i = 0; i < raw.Length;)
            {
                if (raw[i] != (byte)'\\')
                {
                    var end = raw[i..].IndexOf((byte)'\\');
                    var run = end < 0 ? raw[i..] : raw.Slice(i, end);
                    text.Append(Encoding.UTF8.GetString(run));
                    i += run.Length;
                    continue;
                }
                var escape = (char)raw[i + 1];
                if (escape == 'u')
                {
                    text.Append((char)Convert.ToUInt16(Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), 16));
                    i += 6;
                    continue;
                }
                text.Append(escape switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'f' => '\f', _ => escape });
                i += 2;
            }
            return Storable(text.ToString());
        }
    }

    /// <summary>Throws <see cref="JobValidationException"/> for <paramref name="field"/> when <paramref name="value"/> cannot be stored.</summary>
    public static void Require(string? value, string field)
    {
        if (value is not null && Problem(value) is { } problem)
            throw new JobValidationException($"{field} {problem}.", field);
    }

    /// <summary>
    /// Checks a payload's JSON text: every string and property name storable (<see cref="Problem"/>), every number
    /// within a double's range (about ±1.8e308; a non-zero number no closer to zero than about 5e-324). Throws
    /// <see cref="JobValidationException"/> naming the member, for example <c>payload.body.note</c>.
    /// </summary>
    public static void RequirePayload(string json)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(StrictUtf8.GetMaxByteCount(json.Length));
        try
        {
            int length;
            try
            {
                length = StrictUtf8.GetBytes(json, bytes);
            }
            catch (EncoderFallbackException)
            {
                throw new JobValidationException("payload contains an unpaired surrogate (not valid Unicode).", "payload");
            }
            RequirePayload(bytes.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Checks a payload as it arrived (its raw JSON, escapes included), as <see cref="RequirePayload(string)"/> does.</summary>
    public static void RequirePayload(JsonElement payload)
    {
        if (payload.ValueKind is JsonValueKind.Undefined) return;
        RequirePayload(JsonMarshal.GetRawUtf8Value(payload));
    }

    private static void RequirePayload(ReadOnlySpan<byte> json)
    {
        // The common case allocates nothing: only a payload with a problem is read a second time, to name the member.
        if (FirstProblem(json) is ({ } problem, var token))
        {
            var field = FieldOf(json, token);
            throw new JobValidationException($"{field} {problem}.", field);
        }
    }

    /// <summary>The first problem and the number of the token that has it (counted from 0), or (null, -1).</summary>
    private static (string? Problem, int Token) FirstProblem(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        for (var token = 0; reader.Read(); token++)
        {
            switch (reader.TokenType)
            {
                // Only an escaped string can hold a NUL or a surrogate escape: JSON forbids raw control characters and
                // the text was just encoded as strict UTF-8.
                case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                    string value;
                    try
                    {
                        value = reader.GetString()!;
                    }
                    catch (InvalidOperationException)
                    {
                        return ("contains an unpaired surrogate escape (not valid Unicode)", token);
                    }
                    if (Problem(value) is { } problem) return (problem, token);
                    break;
                case JsonTokenType.Number:
                    // The reader reads one span, so a token is always in ValueSpan.
                    var number = reader.ValueSpan;
                    if (!reader.TryGetDouble(out var d) || !double.IsFinite(d) || (d == 0 && HasNonZeroDigit(number)) || LargeExponent(number))
                    {
                        var shown = number.Length <= 24 ? Encoding.UTF8.GetString(number) : Encoding.UTF8.GetString(number[..24]) + "…";
                        return ($"is a number out of range ({shown}): a number must fit a double (at most about ±1.8e308, none but 0 " +
                            $"closer to zero than about 5e-324) and be written with an exponent from -{MaxExponent} to {MaxExponent}", token);
                    }
                    break;
            }
        }
        return (null, -1);
    }

    // PostgreSQL keeps a number's written scale: 0e-16383 is stored small but read back as 16,385 characters. No double
    // needs an exponent past ±400 to be written, so beyond that a few bytes of request cannot become megabytes of reply.
    private const int MaxExponent = 400;

    private static bool LargeExponent(ReadOnlySpan<byte> number)
    {
        var e = number.IndexOfAny((byte)'e', (byte)'E');
        if (e < 0) return false;
        var digits = number[(e + 1)..].TrimStart("+-"u8).TrimStart((byte)'0');
        if (digits.Length > 3) return true;
        var exponent = 0;
        foreach (var b in digits) exponent = exponent * 10 + (b - '0');
        return exponent > MaxExponent;
    }

    // "0.000e5" is zero; "1e-400" is not, though a double rounds it to zero.
    private static bool HasNonZeroDigit(ReadOnlySpan<byte> number)
    {
        foreach (var b in number)
        {
            if (b is (byte)'e' or (byte)'E') return false;
            if (b is >= (byte)'1' and <= (byte)'9') return true;
        }
        return false;
    }

    /// <summary>The field name of token number <paramref name="target"/>: <c>payload</c>, then members and <c>[index]</c>es.</summary>
    private static string FieldOf(ReadOnlySpan<byte> json, int target)
    {
        var reader = new Utf8JsonReader(json);
        // One frame per open container: its name in the path, and the index of its next element (-1 in an object).
        var frames = new List<(string Name, int Index)>();
        string? property = null;
        for (var token = 0; reader.Read(); token++)
        {
            var member = frames.Count == 0 ? null : frames[^1].Index >= 0 ? $"[{frames[^1].Index}]" : property;
            if (token == target)
            {
                // A property name at fault is named without the characters that are the fault.
                if (reader.TokenType == JsonTokenType.PropertyName) member = Printable(reader);
                return Path(frames, member);
            }
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = Printable(reader);
                    continue;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    frames.Add((member ?? "", reader.TokenType == JsonTokenType.StartArray ? 0 : -1));
                    property = null;
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    break;
            }
            property = null;
            if (frames.Count > 0 && frames[^1].Index >= 0) frames[^1] = (frames[^1].Name, frames[^1].Index + 1);
        }
        return "payload";
    }

    private static string Printable(Utf8JsonReader reader)
    {
        try
        {
            return string.Concat(reader.GetString()!.Where(c => c != '\0' && !char.IsSurrogate(c)));
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    // frames[0] is the payload itself; each deeper frame is named by its member or index.
    private static string Path(List<(string Name, int Index)> frames, string? member)
    {
        var field = new StringBuilder("payload");
        foreach (var part in frames.Skip(1).Select(f => f.Name).Append(member))
        {
            if (string.IsNullOrEmpty(part)) continue;
            if (part[0] != '[') field.Append('.');
            field.Append(part);
        }
        return field.ToString();
    }
}
