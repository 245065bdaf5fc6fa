import { JobsApiError, type ProblemDetails } from "./errors.js";
import type { paths } from "./schema.js";

// The client's types come from the generated `paths` of the committed OpenAPI document (docs/openapi/v1.json), taken
// through its operations rather than its component names, so they follow the document as it changes.
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type SuccessOf<O, S extends number> = JsonOf<ResponsesOf<O>[S & keyof ResponsesOf<O>]>;
type BodyOf<O> = O extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
// A query as the client takes it: each parameter optional, times as Date or ISO text.
type QueryInput<Q> = { [K in keyof Q]?: Q[K] | (Q[K] extends string | undefined ? Date : never) };

/** A job, as the API answers it (`GET /api/jobs/{id}`, and the enqueue, cancel and retry answers). */
export type Job = SuccessOf<paths["/api/jobs/{id}"]["get"], 200>;
/** A job's status. */
export type JobStatus = Job extends { status: infer S } ? S : never;
/** The body of `POST /api/jobs`: a job type, its payload and options. */
export type EnqueueRequest = BodyOf<paths["/api/jobs"]["post"]>;
/** The options of an enqueue beside the type and the payload (priority, runAt, queue, idempotencyKey, …). */
export type EnqueueOptions = Omit<EnqueueRequest, "type" | "payload">;
/** The answer of `POST /api/jobs/bulk`: each job's id, in request order. */
export type BulkEnqueueResult = SuccessOf<paths["/api/jobs/bulk"]["post"], 200>;
/** The query of `GET /api/jobs`. */
export type ListQuery = QueryInput<QueryOf<paths["/api/jobs"]["get"]>>;
/** A page of `GET /api/jobs`, newest first, with the cursor of the next page. */
export type JobPage = SuccessOf<paths["/api/jobs"]["get"], 200>;
/** The query of `POST /api/jobs/process`: maxJobs, maxSeconds, queue. */
export type ProcessQuery = QueryInput<QueryOf<paths["/api/jobs/process"]["post"]>>;
/** The summary of a batch run by `POST /api/jobs/process`. */
export type ProcessResult = SuccessOf<paths["/api/jobs/process"]["post"], 200>;

/**
 * The body of one enqueue of type `T`: for a type listed in `TExtra` (your HTTP job types, which the document does not
 * know), that payload; otherwise the document's body for that type.
 */
export type EnqueueJob<TExtra, T extends string> = T extends keyof TExtra
  ? EnqueueOptions & { type: T; payload: TExtra[T] }
  : [Extract<EnqueueRequest, { type: T }>] extends [never] ? EnqueueRequest : Extract<EnqueueRequest, { type: T }>;

/** Options of {@link createJobsClient}. */
export interface JobsClientOptions {
  /** The service's URL, e.g. `https://jobs.example.com` (a path prefix is kept). */
  baseUrl: string | URL;
  /** An API key of the service (`JOB_PROCESSOR_API_KEY` or one of `Jobs:ApiKeys`). Keep it on the server. */
  apiKey: string;
  /** The fetch to use; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Headers sent with every request, beside the key. */
  headers?: Record<string, string>;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * A typed client of the Leora Jobs HTTP API. Every method throws a {@link JobsApiError} for an answer other than
 * success (a 404 of an unknown id, a 409 of a job that cannot be cancelled, a 400 with per-field errors, …).
 * `TExtra` maps job types the document does not describe (HTTP job types) to their payloads.
 */
export interface JobsClient<TExtra extends object = Record<never, never>> {
  /** Enqueues a job (`POST /api/jobs`); with a taken idempotencyKey, answers the existing job. */
  enqueue<T extends string>(job: EnqueueJob<TExtra, T> & { type: T }, options?: CallOptions): Promise<Job>;
  /** Enqueues up to 1,000 jobs in one request (`POST /api/jobs/bulk`), all or nothing. */
  enqueueMany<T extends string>(jobs: ReadonlyArray<EnqueueJob<TExtra, T> & { type: T }>, options?: CallOptions): Promise<BulkEnqueueResult>;
  /** One job (`GET /api/jobs/{id}`). */
  get(id: number, options?: CallOptions): Promise<Job>;
  /** A page of jobs, newest first (`GET /api/jobs`); pass `nextCursor` as `cursor` for the next. */
  list(query?: ListQuery, options?: CallOptions): Promise<JobPage>;
  /** Cancels a job (`POST /api/jobs/{id}/cancel`). */
  cancel(id: number, options?: CallOptions): Promise<Job>;
  /** Sends a failed or cancelled job back to pending (`POST /api/jobs/{id}/retry`). */
  retry(id: number, options?: CallOptions): Promise<Job>;
  /** Runs a batch of due jobs in the service (`POST /api/jobs/process`), as a cron would. */
  process(query?: ProcessQuery, options?: CallOptions): Promise<ProcessResult>;
}

/** Creates a {@link JobsClient} for the service at `baseUrl`, authenticated by `apiKey`. */
export function createJobsClient<TExtra extends object = Record<never, never>>(
  options: JobsClientOptions,
): JobsClient<TExtra> {
  if (!options.apiKey) throw new TypeError("createJobsClient needs an apiKey.");
  const base = String(options.baseUrl).replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? globalThis.fetch;

  async function call<T>(method: string, path: string, query: object | undefined, body: unknown,
    call: CallOptions | undefined): Promise<T> {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(name, value instanceof Date ? value.toISOString() : String(value));
    }
    const headers: Record<string, string> = { ...options.headers, "x-api-key": options.apiKey, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (call?.signal) init.signal = call.signal;
    const response = await fetchImpl(url, init);
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    let problem: ProblemDetails | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) problem = parsed as ProblemDetails;
    } catch {
      // Not JSON (a proxy's error page): the status and text say it.
    }
    throw new JobsApiError(response.status, problem, retryAfter(response.headers.get("retry-after")),
      `${method} ${path} answered ${response.status} ${response.statusText}${text && !problem ? `: ${text.slice(0, 200)}` : ""}`);
  }

  const jobPath = (id: number, action = "") => {
    if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`A job id is a positive integer, not ${id}.`);
    return `/api/jobs/${id}${action}`;
  };

  return {
    enqueue: (job, o) => call("POST", "/api/jobs", undefined, job, o),
    enqueueMany: (jobs, o) => call("POST", "/api/jobs/bulk", undefined, { jobs }, o),
    get: (id, o) => call("GET", jobPath(id), undefined, undefined, o),
    list: (query, o) => call("GET", "/api/jobs", query, undefined, o),
    cancel: (id, o) => call("POST", jobPath(id, "/cancel"), undefined, undefined, o),
    retry: (id, o) => call("POST", jobPath(id, "/retry"), undefined, undefined, o),
    process: (query, o) => call("POST", "/api/jobs/process", query, undefined, o),
  };
}

function retryAfter(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
