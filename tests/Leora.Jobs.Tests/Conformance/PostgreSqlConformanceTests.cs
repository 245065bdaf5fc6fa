namespace Leora.Jobs.Tests;

/// <summary>The conformance suite on a fresh PostgreSQL schema per test.</summary>
public sealed class PostgreSqlConformanceTests : ConformanceTests
{
    protected override string Provider => "postgresql";
}
