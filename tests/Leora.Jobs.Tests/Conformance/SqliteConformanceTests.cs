namespace Leora.Jobs.Tests;

/// <summary>The conformance suite on a fresh SQLite file per test.</summary>
public sealed class SqliteConformanceTests : ConformanceTests
{
    protected override string Provider => "sqlite";
}
