using System.Text.RegularExpressions;

namespace Leora.Jobs.Testing.Tests;

/// <summary>docs/testing.md quotes <c>DocsExample.cs</c> exactly, so the page's code is the code these tests compile and run.</summary>
public sealed partial class DocsExampleTests
{
    [GeneratedRegex(@"^// docs/testing\.md: (\w+)\n(.*?)^// end$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Region();

    [GeneratedRegex(@"^```csharp\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [Fact]
    public void The_page_quotes_every_region_of_the_compiled_example_verbatim()
    {
        var root = RepoRoot();
        var source = Normalise(File.ReadAllText(Path.Combine(root, "tests", "Leora.Jobs.Testing.Tests", "DocsExample.cs")));
        var page = Normalise(File.ReadAllText(Path.Combine(root, "docs", "testing.md")));
        var regions = Region().Matches(source).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(["handler", "tests"], regions.Keys.Order());
        var blocks = CodeBlock().Matches(page).Select(m => m.Groups[1].Value).ToList();
        foreach (var (name, code) in regions)
            Assert.True(blocks.Contains(code), $"docs/testing.md must quote the '{name}' region of DocsExample.cs exactly, in a ```csharp block.");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (with Leora.Jobs.slnx) was not found above the test's folder.");
    }
}
