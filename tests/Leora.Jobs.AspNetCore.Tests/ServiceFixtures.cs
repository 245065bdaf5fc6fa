using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>One service and one webhook receiver per test class and provider. Tests isolate themselves by queue name.</summary>
public abstract class ServiceFixture(string provider) : IAsyncLifetime
{
    public LeoraService Service { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Service = await LeoraService.StartAsync(provider);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null) await Service.DisposeAsync();
        if (Receiver is not null) await Receiver.DisposeAsync();
    }
}

public sealed class SqliteServiceFixture() : ServiceFixture("sqlite");

public sealed class PostgreSqlServiceFixture() : ServiceFixture("postgresql");

public sealed class SqliteApiTests(SqliteServiceFixture fixture) : ApiTests(fixture), IClassFixture<SqliteServiceFixture>;

public sealed class PostgreSqlApiTests(PostgreSqlServiceFixture fixture) : ApiTests(fixture), IClassFixture<PostgreSqlServiceFixture>;

public sealed class SqliteWebhookTests(SqliteServiceFixture fixture) : WebhookTests(fixture), IClassFixture<SqliteServiceFixture>;

public sealed class PostgreSqlWebhookTests(PostgreSqlServiceFixture fixture) : WebhookTests(fixture), IClassFixture<PostgreSqlServiceFixture>;
