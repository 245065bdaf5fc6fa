/** A problem details body (RFC 9457) as the Leora Jobs API sends it with every error. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** Per-field messages of a 400, keyed by the field (`payload.url`, `jobs[3].type`). */
  errors?: Record<string, string[]>;
  /** The known job types, with a 400 for an unknown type. */
  knownTypes?: string[];
  [extension: string]: unknown;
}

/** An answer of the Leora Jobs API other than success: its status and its problem details. */
export class JobsApiError extends Error {
  override readonly name = "JobsApiError";
  /** The HTTP status (400, 401, 404, 409, 413, 415, 503, 507, …). */
  readonly status: number;
  /** The problem details the service sent, or null when the body was not problem+json. */
  readonly problem: ProblemDetails | null;
  /** Seconds to wait before retrying, from `Retry-After` (a 503 while the database is unreachable); null when absent. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: ProblemDetails | null, retryAfterSeconds: number | null, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Why {@link verifyJobRequest} refused a request. */
export type JobRequestRefusal =
  | "missing_headers"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "bad_signature"
  | "invalid_body";

/**
 * A request that is not a genuine job request from Leora Jobs: a signature that does not match, a timestamp outside the
 * tolerance (a replay), missing headers, or a body that is not a job envelope. Answer it with 401, never run it.
 */
export class JobRequestVerificationError extends Error {
  override readonly name = "JobRequestVerificationError";
  /** What was wrong, for logs and tests. */
  readonly code: JobRequestRefusal;

  constructor(code: JobRequestRefusal, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Thrown by a job handler: the job failed for good and must not run again (a payload that can never work, a record that
 * no longer exists). The handler answers a 4xx problem (422 unless another 4xx is given) whose `detail` becomes the
 * job's error.
 */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
  /** The 4xx status the handler answers with (not 408 or 429, which the worker retries). */
  readonly status: number;

  constructor(message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const status = options?.status ?? 422;
    if (!Number.isInteger(status) || status < 400 || status > 499 || status === 408 || status === 429) {
      throw new RangeError(`A permanent job error's status must be a 4xx other than 408 and 429, not ${status}.`);
    }
    this.status = status;
  }
}

/**
 * Thrown by a job handler: this attempt failed, try again. With `after` (seconds, or a time) the handler answers 503 with
 * `Retry-After` and the job runs again then; without it, 503 alone and the job is retried with the type's backoff.
 * Either way a retry uses an attempt: when none is left the job fails.
 */
export class RetryJobError extends Error {
  override readonly name = "RetryJobError";
  /** When to run again: seconds from now, or a time; undefined for the usual backoff. */
  readonly after: number | Date | undefined;

  constructor(message: string, options?: { after?: number | Date; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const after = options?.after;
    if (typeof after === "number" && !(Number.isFinite(after) && after >= 0)) {
      throw new RangeError(`A retry's 'after' must be a number of seconds of zero or more, not ${after}.`);
    }
    if (after instanceof Date && Number.isNaN(after.getTime())) throw new RangeError("A retry's 'after' is an invalid date.");
    this.after = after;
  }
}

/** A callback (progress, complete, fail) that the service refused, or that did not reach it. */
export class JobCallbackError extends Error {
  override readonly name = "JobCallbackError";
  /** The HTTP status, or 0 when the service could not be reached. */
  readonly status: number;
  readonly problem: ProblemDetails | null;

  constructor(status: number, problem: ProblemDetails | null, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.problem = problem;
  }

  /**
   * True when the attempt is no longer the job's running attempt (409): its lease was lost and the job rescued, or it
   * was finished or cancelled meanwhile. Stop working on it; nothing more it reports is kept.
   */
  get attemptSuperseded(): boolean {
    return this.status === 409;
  }
}
