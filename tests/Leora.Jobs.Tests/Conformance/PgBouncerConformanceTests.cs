using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Tests;

/// <summary>
/// The conformance suite on PostgreSQL through PgBouncer in transaction pooling (build.sh's), with the connection
/// settings docs/operations.md gives for it (Max Auto Prepare=0) and nothing else: LISTEN falls back to polling.
/// </summary>
public sealed class PgBouncerTransactionConformanceTests : ConformanceTests
{
    protected override string Provider => TestPgBouncer.Transaction;
}

/// <summary>The conformance suite on PostgreSQL through PgBouncer in session pooling, with the default settings.</summary>
public sealed class PgBouncerSessionConformanceTests : ConformanceTests
{
    protected override string Provider => TestPgBouncer.Session;
}
