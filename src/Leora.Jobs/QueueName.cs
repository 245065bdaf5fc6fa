namespace Leora.Jobs;

/// <summary>Rules for queue names: 1–64 characters of letters, digits, <c>_ - . :</c>.</summary>
public static class QueueName
{
    /// <summary>True when <paramref name="name"/> is a valid queue name.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':');
}
