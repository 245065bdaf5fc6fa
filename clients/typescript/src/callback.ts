import type { JobCallbackTarget } from "./envelope.js";
import { JobCallbackError, type ProblemDetails } from "./errors.js";

/**
 * The reports of an attempt that answered 202: progress while it runs, then exactly one of complete or fail. Each call
 * is authorised by the attempt's own token; after the attempt stopped being the job's running attempt (its lease lost,
 * the job cancelled or finished) each throws a {@link JobCallbackError} whose `attemptSuperseded` is true.
 */
export interface JobReporter {
  /** Reports progress (0–100) and an optional message; also extends the attempt's deadline. */
  progress(progress: number, message?: string): Promise<void>;
  /** Completes the job with this result (any JSON value). */
  complete(result?: unknown): Promise<void>;
  /**
   * Fails the attempt with this error. `retry: true` (the default) runs the job again with backoff while attempts
   * remain; `retry: false` fails it for good.
   */
  fail(error: string | Error, options?: { retry?: boolean }): Promise<void>;
}

/** Options of {@link jobReporter}. */
export interface JobReporterOptions {
  /** The fetch to call the service with; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * The reporter of a deferred attempt from its callback (`envelope.callback`), for work that finishes elsewhere: keep
 * the callback (it holds a secret token: store it as such) and report from another request, a queue consumer or a cron.
 */
export function jobReporter(callback: JobCallbackTarget, options: JobReporterOptions = {}): JobReporter {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const base = callback.url.replace(/\/+$/, "");

  async function post(route: string, body: unknown): Promise<void> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}/${route}`, {
        method: "POST",
        headers: { authorization: `Bearer ${callback.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new JobCallbackError(0, null, `The job's ${route} report did not reach the service: ${String(error)}`, error);
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text();
    let problem: ProblemDetails | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) problem = parsed as ProblemDetails;
    } catch {
      // Not JSON: the status and the text say enough.
    }
    const reason = problem?.detail ?? problem?.title ?? (text || response.statusText);
    throw new JobCallbackError(response.status, problem, `The service refused the job's ${route} report (${response.status}): ${reason}`);
  }

  return {
    progress(progress, message) {
      if (typeof progress !== "number" || !(progress >= 0 && progress <= 100)) {
        return Promise.reject(new RangeError(`Progress is 0 to 100, not ${progress}.`));
      }
      return post("progress", message === undefined ? { progress } : { progress, message });
    },
    complete(result) {
      return post("complete", { result: result === undefined ? null : result });
    },
    fail(error, options) {
      const text = error instanceof Error ? error.message : String(error);
      return post("fail", { error: text, retry: options?.retry ?? true });
    },
  };
}
