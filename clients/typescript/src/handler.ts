import { jobReporter, type JobReporter } from "./callback.js";
import type { JobCallbackTarget, JobEnvelope } from "./envelope.js";
import { JobRequestVerificationError, PermanentJobError, RetryJobError } from "./errors.js";
import { importSigningKey, verifyJobRequest } from "./verify.js";

/** What a job handler knows about the attempt it runs, beside the payload. */
export interface JobContext {
  /** The job's id. */
  readonly id: number;
  /** The job type. */
  readonly type: string;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /** The attempts the job may use; on the last one a failure is final. */
  readonly maxAttempts: number;
  /** The result an earlier attempt reported, or null. */
  readonly previousResult: unknown;
  /** When the attempt must be done by, or null. */
  readonly deadline: Date | null;
  /**
   * Aborted when the deadline passes, or when the worker hangs up before the handler answered (its request timeout).
   * Pass it to fetch and database calls so abandoned work stops.
   */
  readonly signal: AbortSignal;
  /** The attempt's callback (URL and secret token), for reporting from elsewhere with {@link jobReporter}. */
  readonly callback: JobCallbackTarget;
  /**
   * Answers 202 when the handler returns: the attempt stays running, the worker's slot is freed, and the work reports
   * through the returned reporter — progress, then complete or fail. Use it for work longer than the worker's request
   * timeout; on a serverless host, keep the function alive for it (Next.js: `after()`; Vercel: `waitUntil`).
   */
  defer(): JobReporter;
}

/** One job type's handler: gets the payload and the context; returns the job's result (any JSON value). */
export type JobHandlerFunction<TPayload> = (payload: TPayload, context: JobContext) => unknown;

/** Options of {@link jobHandler}; `TPayloads` maps each job type to its payload's type. */
export interface JobHandlerOptions<TPayloads extends object> {
  /**
   * The job types' Standard Webhooks secret (`whsec_…`), as in `Jobs:HttpJobTypes:<type>:Secret`; several while
   * rotating it (the new one and the old one), any of which is accepted.
   */
  secret: string | readonly string[];
  /** The handler of each job type this route serves. */
  handlers: { [K in keyof TPayloads]: JobHandlerFunction<TPayloads[K]> };
  /** How far the signature's timestamp may be from now, in seconds; defaults to 300. */
  toleranceSeconds?: number;
  /** The fetch for the deferred reports; defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * Called with an error the handler threw that is neither a PermanentJobError nor a RetryJobError (answered 500: the
   * job is retried with backoff). Defaults to console.error.
   */
  onError?: (error: unknown, envelope: JobEnvelope) => void;
}

/**
 * A route handler (`(request: Request) => Promise<Response>`) that runs HTTP job types: it verifies the worker's
 * signature, dispatches by job type, and answers so the worker records the outcome — 200 with the result;
 * a 4xx problem for a {@link PermanentJobError} (failed for good); 503 (with `Retry-After` when given) for a
 * {@link RetryJobError}; 500 for any other error (retried with backoff); 202 after `context.defer()`. A request that
 * is not genuinely signed gets 401 and runs nothing.
 *
 * @example
 * export const POST = jobHandler<{ "report.build": { reportId: number } }>({
 *   secret: process.env.LEORA_JOBS_SECRET!,
 *   handlers: { "report.build": async ({ reportId }) => ({ url: await buildReport(reportId) }) },
 * });
 */
export function jobHandler<TPayloads extends object>(
  options: JobHandlerOptions<TPayloads>,
): (request: Request) => Promise<Response> {
  const key = Promise.all((typeof options.secret === "string" ? [options.secret] : options.secret).map(importSigningKey));
  // An unhandled rejection would crash Node at start-up; the first request reports a bad secret instead.
  key.catch(() => undefined);
  const handlers = options.handlers as Record<string, JobHandlerFunction<unknown> | undefined>;
  const onError = options.onError ?? ((error: unknown, envelope: JobEnvelope) =>
    console.error(`Leora Jobs: job ${envelope.id} (${envelope.type}) attempt ${envelope.attempt} threw`, error));

  return async (request) => {
    if (request.method !== "POST") {
      return problem(405, "Method not allowed", "Job requests are POSTed.", { allow: "POST" });
    }
    let envelope: JobEnvelope;
    try {
      envelope = await verifyJobRequest(request, await key,
        options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds });
    } catch (error) {
      if (error instanceof JobRequestVerificationError) {
        return problem(401, "Invalid job request", error.message, {}, { code: error.code });
      }
      throw error;
    }

    const handler = Object.hasOwn(handlers, envelope.type) ? handlers[envelope.type] : undefined;
    if (handler === undefined) {
      return problem(404, "Unknown job type",
        `This route has no handler for the job type '${envelope.type}'; it handles: ${Object.keys(handlers).join(", ")}.`);
    }

    const deadline = envelope.deadline ? new Date(envelope.deadline) : null;
    const abort = new AbortController();
    let answered = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (deadline !== null && !Number.isNaN(deadline.getTime())) {
      // setTimeout takes at most 2^31-1 ms; a deadline further away than 24 days is not worth a timer.
      const wait = deadline.getTime() - Date.now();
      if (wait <= 0) abort.abort(new Error("The attempt's deadline has passed."));
      else if (wait < 2_147_483_647) {
        timer = setTimeout(() => abort.abort(new Error("The attempt's deadline has passed.")), wait);
        // In Node, a pending deadline must not keep the process alive.
        (timer as { unref?: () => void }).unref?.();
      }
    }
    const stopTimer = () => { if (timer !== undefined) clearTimeout(timer); };
    request.signal.addEventListener("abort", () => { if (!answered) abort.abort(request.signal.reason); }, { once: true });

    let reporter: JobReporter | undefined;
    const context: JobContext = {
      id: envelope.id,
      type: envelope.type,
      attempt: envelope.attempt,
      maxAttempts: envelope.maxAttempts,
      previousResult: envelope.previousResult ?? null,
      deadline,
      signal: abort.signal,
      callback: envelope.callback,
      defer() {
        if (reporter === undefined) {
          const inner = jobReporter(envelope.callback, options.fetch === undefined ? {} : { fetch: options.fetch });
          reporter = {
            progress: (progress, message) => inner.progress(progress, message),
            complete: (result) => { stopTimer(); return inner.complete(result); },
            fail: (error, failOptions) => { stopTimer(); return inner.fail(error, failOptions); },
          };
        }
        return reporter;
      },
    };

    try {
      const result = await handler(envelope.payload, context);
      if (reporter !== undefined) return new Response(null, { status: 202 });
      stopTimer();
      return new Response(JSON.stringify(result === undefined ? null : result), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    } catch (error) {
      stopTimer();
      if (error instanceof PermanentJobError) return problem(error.status, "Job failed", error.message);
      if (error instanceof RetryJobError) {
        const headers: Record<string, string> = {};
        if (typeof error.after === "number") headers["retry-after"] = String(Math.ceil(error.after));
        else if (error.after instanceof Date) headers["retry-after"] = error.after.toUTCString();
        return problem(503, "Retry later", error.message, headers);
      }
      onError(error, envelope);
      return problem(500, "Job handler error", error instanceof Error ? error.message : String(error));
    } finally {
      answered = true;
    }
  };
}

function problem(status: number, title: string, detail: string, headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail, ...extensions }), {
    status,
    headers: { ...headers, "content-type": "application/problem+json" },
  });
}
