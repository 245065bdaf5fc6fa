using Microsoft.Playwright;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>Saves screenshots of the pages under test into docs/images/ of the repository, for the docs.</summary>
internal static class Screenshots
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "docs", "images");
        Directory.CreateDirectory(folder);
        return folder;
    });

    public static Task SaveAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder.Value, $"dashboard-{name}.png"), FullPage = true });
}
