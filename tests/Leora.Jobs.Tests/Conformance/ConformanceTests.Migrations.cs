namespace Leora.Jobs.Tests;

/// <summary>Migrations.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Migrations_are_idempotent_and_report_their_version()
    {
        await using var h = await NewAsync();
        await h.Store.MigrateAsync(CancellationToken.None);
        var (applied, latest) = await h.Store.MigrationVersionAsync(CancellationToken.None);
        Assert.Equal(latest, applied);
        Assert.True(applied >= 1);
    }
}
