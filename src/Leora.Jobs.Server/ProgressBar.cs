namespace Leora.Jobs.Server;

/// <summary>
/// A one-line progress bar on standard error, drawn only when standard error is a terminal and output is not JSON,
/// so scripts and logs never see it.
/// </summary>
internal sealed class ProgressBar : IDisposable
{
    private const int Width = 30;
    private readonly bool _enabled;
    private readonly string _label;
    private bool _drawn;

    public ProgressBar(string label, bool enabled)
    {
        _label = label;
        _enabled = enabled && !Console.IsErrorRedirected;
    }

    /// <summary>Draws <paramref name="done"/> of <paramref name="total"/>; a null total draws a counter without a bar.</summary>
    public void Report(long done, long? total, string? suffix = null)
    {
        if (!_enabled) return;
        string bar;
        if (total is > 0 and var t)
        {
            var filled = (int)Math.Clamp(done * Width / t, 0, Width);
            bar = $"[{new string('#', filled)}{new string('-', Width - filled)}] {done}/{t}";
        }
        else
        {
            bar = $"{done}";
        }
        Console.Error.Write($"\r{_label} {bar}{(suffix is null ? "" : " " + suffix)}   ");
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn) Console.Error.WriteLine();
    }
}
