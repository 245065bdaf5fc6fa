using System.Text.Json;
using System.Text.Json.Serialization;

namespace Leora.Jobs;

/// <summary>
/// Writes a public enum of Leora Jobs as its wire name wherever System.Text.Json meets it, with any options (an
/// application's own endpoint returning <see cref="JobInfo"/>, a log, a test): lower case, words joined by <c>_</c>,
/// the names the HTTP API, the dashboard and the database use (<see cref="JobNames"/>): <c>completed</c>,
/// <c>lease_lost</c>. Without it a status would be written as its number. Reads the same names, in any case.
/// </summary>
internal sealed class JobNameEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
