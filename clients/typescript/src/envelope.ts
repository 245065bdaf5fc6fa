/** Where and how an attempt reports later, after answering 202: the per-attempt callback of the job envelope. */
export interface JobCallbackTarget {
  /** The attempt's callback base URL, `…/api/jobs/{id}/attempts/{attempt}`. */
  url: string;
  /** The attempt's opaque token, sent as `Authorization: Bearer <token>` (not an API key). */
  token: string;
}

/** The JSON body that the Leora Jobs worker POSTs to an HTTP job type's URL, once per attempt. */
export interface JobEnvelope<TPayload = unknown> {
  /** The job's id. */
  id: number;
  /** The job type, as declared in `Jobs:HttpJobTypes:<type>`. */
  type: string;
  /** This attempt's number, from 1. */
  attempt: number;
  /** The attempts the job may use; when `attempt === maxAttempts` a failure is final. */
  maxAttempts: number;
  payload: TPayload;
  /** The result an earlier attempt reported, or null. */
  previousResult: unknown;
  /** When the attempt must be done by (ISO 8601), or null. */
  deadline: string | null;
  callback: JobCallbackTarget;
}
