namespace Leora.Jobs.Server;

/// <summary>The exit codes of <c>leora-jobs</c> (docs/cli.md). Scripts may rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;
    /// <summary>Something unexpected failed; or, with <c>process --fail-on-error</c>, a job of the batch failed or will retry.</summary>
    public const int Failure = 1;
    /// <summary>Bad command line or bad input (unknown job type, payload that does not bind, bad option value). Nothing was written.</summary>
    public const int Usage = 2;
    /// <summary>No such job.</summary>
    public const int NotFound = 3;
    /// <summary>The job's status does not allow it (cancel of a finished job, retry of a pending one, delete of a running one).</summary>
    public const int Conflict = 4;
    /// <summary>Bad configuration, or the database cannot be opened.</summary>
    public const int Configuration = 5;
    /// <summary>The database could not be reached for a moment (restarting, failing over, busy) after a few tries; retrying later is safe.</summary>
    public const int Unavailable = 6;
}
