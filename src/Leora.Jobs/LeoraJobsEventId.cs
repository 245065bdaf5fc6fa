namespace Leora.Jobs;

/// <summary>
/// The event id of every log message Leora Jobs writes, for the whole product in one table (as Npgsql's
/// <c>NpgsqlEventId</c>), so that no two assemblies share an id and a log filter or alert can rely on one.
/// Each assembly has its own range; an id, once shipped, keeps its meaning (docs/monitoring.md lists them).
/// </summary>
/// <remarks>
/// Ranges: core 1000–1999, HTTP API 2000–2099, SQLite store 2500–2599, PostgreSQL store 2600–2699,
/// webhooks 3000–3099, service and CLI 4000–4099, dashboard 5000–5099, Leora CRM 6000–6099.
/// </remarks>
public static class LeoraJobsEventId
{
    // ---- Leora.Jobs (core): 1000–1999
    /// <summary>The store's migrations were applied.</summary>
    public const int Migrated = 1000;
    /// <summary>A job completed.</summary>
    public const int JobCompleted = 1001;
    /// <summary>An attempt failed; the job will run again.</summary>
    public const int JobRetrying = 1002;
    /// <summary>A job failed for good.</summary>
    public const int JobFailed = 1003;
    /// <summary>A job was cancelled while running.</summary>
    public const int JobCancelled = 1004;
    /// <summary>A worker lost a job's lease; its outcome was not written.</summary>
    public const int JobLeaseLost = 1005;
    /// <summary>A job was handed back to pending at shutdown.</summary>
    public const int JobReleased = 1006;
    /// <summary>Jobs whose lease expired were rescued.</summary>
    public const int Rescued = 1007;
    /// <summary>The node's heartbeat of its running jobs failed.</summary>
    public const int HeartbeatFailed = 1008;
    /// <summary>A worker loop failed (for example the database is unreachable) and retries.</summary>
    public const int WorkerLoopFailed = 1009;
    /// <summary>A worker started.</summary>
    public const int WorkerStarted = 1010;
    /// <summary>A worker is stopping and waits for its running jobs.</summary>
    public const int WorkerStopping = 1011;
    /// <summary>A job's outcome could not be written; its lease will expire and it will be rescued.</summary>
    public const int OutcomeWriteFailed = 1012;
    /// <summary>This node became the maintenance leader.</summary>
    public const int LeaderElected = 1013;
    /// <summary>This node is no longer the maintenance leader.</summary>
    public const int LeaderLost = 1014;
    /// <summary>Finished jobs were pruned.</summary>
    public const int Pruned = 1015;
    /// <summary>A worker loop resumed after the database was reachable again.</summary>
    public const int WorkerResumed = 1016;
    /// <summary>A job a batch claimed ahead was handed back unstarted.</summary>
    public const int BatchHandedBack = 1017;
    /// <summary>A job a batch claimed ahead could not be handed back.</summary>
    public const int BatchHandBackFailed = 1018;
    /// <summary>A maintenance service (election, node clean-up, pruning) failed one round; it runs again.</summary>
    public const int MaintenanceFailed = 1019;
    /// <summary>The host is stopping while a batch runs: it hands back what it has not started and lets its running jobs finish.</summary>
    public const int BatchStopping = 1020;
    /// <summary>A schedule's tick was enqueued (debug: one per tick).</summary>
    public const int ScheduleEnqueued = 1021;
    /// <summary>A schedule skipped ticks (its misfire policy after downtime, or its overlap policy).</summary>
    public const int ScheduleSkipped = 1022;
    /// <summary>A due schedule names a job type this process does not know; it is left for a process that does.</summary>
    public const int ScheduleUnknownType = 1023;
    /// <summary>A schedule declared in code or configuration was brought up to date at start.</summary>
    public const int ScheduleDeclared = 1024;
    /// <summary>A rate or concurrency limit declared in code or configuration was written to the database at start.</summary>
    public const int LimitDeclared = 1030;
    /// <summary>The gauges of the jobs table could not read the store's stats; they keep their last reading.</summary>
    public const int GaugesReadFailed = 1040;

    // ---- Leora.Jobs.AspNetCore (HTTP API): 2000–2099
    /// <summary>No API key is configured: the API refuses every request.</summary>
    public const int ApiNoApiKey = 2000;
    /// <summary>How many API keys the API accepts.</summary>
    public const int ApiKeys = 2001;
    /// <summary>The readiness check failed.</summary>
    public const int ApiNotReady = 2002;
    /// <summary>A batch was processed over HTTP.</summary>
    public const int ApiBatchProcessed = 2003;
    /// <summary>A request failed because the jobs database's disk is full; it was answered 507.</summary>
    public const int ApiStoreFull = 2010;
    /// <summary>A request failed because the jobs database could not be reached for a moment; it was answered 503 with Retry-After.</summary>
    public const int ApiStoreUnavailable = 2011;
    /// <summary>A request was refused because a value in it did not bind (Debug, without a stack trace).</summary>
    public const int ApiBadRequest = 2004;

    // ---- Leora.Jobs.Sqlite: 2500–2599 (none yet)

    // ---- Leora.Jobs.PostgreSql: 2600–2699 (2000 and 2001 before; they collided with the API's)
    /// <summary>The store listens for new jobs (LISTEN).</summary>
    public const int PostgreSqlListening = 2600;
    /// <summary>The LISTEN connection failed; workers poll until it is back.</summary>
    public const int PostgreSqlListenFailed = 2601;
    /// <summary>LISTEN did not receive the listener's own probe notification (a transaction-mode pooler): workers poll.</summary>
    public const int PostgreSqlListenDeaf = 2602;
    /// <summary>The store refused to start: its connections go through a transaction-mode pooler while it prepares statements.</summary>
    public const int PostgreSqlTransactionPoolerRefused = 2603;

    // ---- Leora.Jobs.Webhooks: 3000–3099
    /// <summary>A webhook to a non-public address was refused.</summary>
    public const int WebhookRefused = 3000;

    // ---- Leora.Jobs.Server (service and CLI): 4000–4099. None now: 4000 and 4001 (the server's own retention clean-up)
    // were retired when pruning moved to the maintenance leader (1015 Pruned, 1019 MaintenanceFailed); not to be reused.

    // ---- Leora.Jobs.Dashboard: 5000–5099 (6000–6007 before; they collided with the CRM's)
    /// <summary>A dashboard sign-in succeeded.</summary>
    public const int DashboardSignedIn = 5000;
    /// <summary>A dashboard sign-in was refused.</summary>
    public const int DashboardSignInRefused = 5001;
    /// <summary>A dashboard sign-in was attempted with no key configured.</summary>
    public const int DashboardNoKeysConfigured = 5002;
    /// <summary>A dashboard action on one job.</summary>
    public const int DashboardJobAction = 5003;
    /// <summary>The dashboard retried every failed job of a type.</summary>
    public const int DashboardRetriedAll = 5004;
    /// <summary>The dashboard deleted finished jobs.</summary>
    public const int DashboardCleanedUp = 5005;
    /// <summary>The dashboard enqueued a job.</summary>
    public const int DashboardEnqueued = 5006;
    /// <summary>The dashboard refused a request without a valid anti-forgery token.</summary>
    public const int DashboardAntiforgeryRefused = 5007;
    /// <summary>A client address made too many dashboard sign-in attempts and is refused until its window ends (logged once per window).</summary>
    public const int DashboardSignInThrottled = 5008;
    /// <summary>A dashboard action on one schedule (enable, disable, trigger).</summary>
    public const int DashboardScheduleAction = 5009;
    /// <summary>A dashboard action on a queue or job type (pause, resume).</summary>
    public const int DashboardPauseAction = 5010;
    /// <summary>A test message was asked for from the dashboard's Alerts page.</summary>
    public const int DashboardAlertTest = 5011;
    /// <summary>A dashboard action on many jobs at once (retry, cancel, delete, run now), by ids or by a filter.</summary>
    public const int DashboardBulkAction = 5012;
    /// <summary>A dashboard action on a batch (cancel).</summary>
    public const int DashboardBatchAction = 5013;

    // ---- Leora.Jobs.Notifications: 7000–7099
    /// <summary>A notification evaluation enqueued messages (notification jobs).</summary>
    public const int NotificationsEnqueued = 7000;
    /// <summary>A notification evaluation failed; the next one tries again.</summary>
    public const int NotificationEvaluationFailed = 7001;

    // ---- HTTP job types (issue 15, part 4): 7002–7009
    /// <summary>An attempt was deferred (its endpoint answered 202): the job stays processing until a callback reports it.</summary>
    public const int JobDeferred = 7002;
    /// <summary>A deferred attempt was completed through its callback.</summary>
    public const int JobCallbackCompleted = 7003;
    /// <summary>A deferred attempt was failed through its callback (retried or failed for good).</summary>
    public const int JobCallbackFailed = 7004;
    /// <summary>A callback was refused: its token does not belong to the job and attempt.</summary>
    public const int JobCallbackUnauthorized = 7005;
    /// <summary>A callback came for an attempt that no longer holds its job (lease lost, rescued, finished, cancelled).</summary>
    public const int JobCallbackConflict = 7006;
    /// <summary>An HTTP job type's request was refused by the SSRF guard.</summary>
    public const int HttpJobRefused = 7007;

    // ---- Leora.Crm: 6000–6099
    /// <summary>The CRM's migrations were applied.</summary>
    public const int CrmMigrated = 6000;
    /// <summary>An image scan completed.</summary>
    public const int CrmScanCompleted = 6001;
    /// <summary>An image scan failed.</summary>
    public const int CrmScanFailed = 6002;
    /// <summary>An image scan will be retried at the model's request.</summary>
    public const int CrmScanRetry = 6003;
    /// <summary>An import completed.</summary>
    public const int CrmImportCompleted = 6010;
    /// <summary>An import failed.</summary>
    public const int CrmImportFailed = 6011;
    /// <summary>An import resumed after a restart.</summary>
    public const int CrmImportResumed = 6012;
    /// <summary>A report completed.</summary>
    public const int CrmReportCompleted = 6020;
    /// <summary>A report failed.</summary>
    public const int CrmReportFailed = 6021;
    /// <summary>A customer was enriched.</summary>
    public const int CrmCustomerEnriched = 6030;
    /// <summary>A customer's model enrichment was skipped.</summary>
    public const int CrmEnrichmentModelSkipped = 6031;
}
