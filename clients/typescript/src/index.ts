export { createJobsClient } from "./client.js";
export type {
  BulkEnqueueResult, CallOptions, EnqueueJob, EnqueueOptions, EnqueueRequest, Job, JobPage, JobStatus, JobsClient,
  JobsClientOptions, ListQuery, ProcessQuery, ProcessResult,
} from "./client.js";
export { verifyJobRequest, importSigningKey } from "./verify.js";
export type { VerifyOptions } from "./verify.js";
export { jobHandler } from "./handler.js";
export type { JobContext, JobHandlerFunction, JobHandlerOptions } from "./handler.js";
export { jobReporter } from "./callback.js";
export type { JobReporter, JobReporterOptions } from "./callback.js";
export type { JobCallbackTarget, JobEnvelope } from "./envelope.js";
export {
  JobCallbackError, JobRequestVerificationError, JobsApiError, PermanentJobError, RetryJobError,
} from "./errors.js";
export type { JobRequestRefusal, ProblemDetails } from "./errors.js";
export type { paths, components } from "./schema.js";
