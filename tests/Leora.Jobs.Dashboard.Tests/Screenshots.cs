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

    /// <summary>
    /// Saves the page. Stack traces are folded first: they carry the build machine's source paths, which have no
    /// place in the docs (the tests read the traces before this).
    /// </summary>
    public static async Task SaveAsync(IPage page, string name, bool fullPage = true)
    {
        await page.EvalOnSelectorAllAsync("#job-errors details", "ds => ds.forEach(d => { d.open = false; })");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder.Value, $"dashboard-{name}.png"), FullPage = fullPage });
    }
}
