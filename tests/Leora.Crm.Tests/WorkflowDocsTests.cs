using System.Text.RegularExpressions;

namespace Leora.Crm.Tests;

/// <summary>
/// docs/workflows.md's "The CRM example" quotes the CRM's own code: every region marked <c>// docs/workflows.md: name</c> …
/// <c>// end</c> in src/Leora.Crm, as it is compiled and run by <see cref="WorkflowTests"/>, stands in a csharp block of the
/// page exactly (less its common indentation).
/// </summary>
public sealed partial class WorkflowDocsTests
{
    [GeneratedRegex(@"^[ \t]*// docs/workflows\.md: ([\w-]+)\n(.*?)^[ \t]*// end$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Region();

    [GeneratedRegex(@"^```csharp\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [Fact]
    public void The_page_quotes_every_marked_region_of_the_crm_code_verbatim()
    {
        var root = RepoRoot();
        var regions = new Dictionary<string, string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src", "Leora.Crm"), "*.cs", SearchOption.AllDirectories))
            foreach (Match m in Region().Matches(Normalise(File.ReadAllText(file))))
                regions.Add(m.Groups[1].Value, Dedent(m.Groups[2].Value));
        Assert.Equal(["import-batch", "import-children", "scan-child"], regions.Keys.Order());
        var page = Normalise(File.ReadAllText(Path.Combine(root, "docs", "workflows.md")));
        var blocks = CodeBlock().Matches(page).Select(m => m.Groups[1].Value).ToList();
        foreach (var (name, code) in regions)
            Assert.True(blocks.Contains(code), $"docs/workflows.md must quote the '{name}' region of src/Leora.Crm exactly, in a ```csharp block:\n{code}");
    }

    private static string Dedent(string code)
    {
        var lines = code.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (with Leora.Jobs.slnx) was not found above the test's folder.");
    }
}
